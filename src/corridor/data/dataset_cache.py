"""A cache of validated datasets, keyed on a hash of the files' contents, so loading skips re-validation.

The key covers every dataset file, the schema and loader code, and the Corridor, pandas and Python
versions; any change gives a new key and the dataset is validated again. Other values validated from a
dataset's files (the digital layer) are cached the same way under their own kind (:func:`cached`). Files are
not read again to compute the key while their ``stat`` is unchanged (see :mod:`corridor.data.file_digest`).
A cache file that cannot be read (corrupt, truncated, from another version) is ignored and rewritten. Writes
go to a temporary file that is renamed into place, so a reader never sees half a file. The folder is the
``cache_dir`` setting (default: the user's cache folder; ``off`` disables caching). Cache files are pickles,
so only files owned by the user and writable by nobody else are read (the folder is created private).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from corridor import settings
from corridor.data.file_digest import FileDigests, trusted
from corridor.model import Network

__all__ = ["CACHE_FORMAT", "KEEP_FILES", "cache_dir", "cache_key", "cache_path", "cached", "cached_network"]

T = TypeVar("T")

#: Bumped when the cached object's layout changes.
CACHE_FORMAT = 2
#: Most cached values kept per kind; the least recently used are removed when a new one is written.
KEEP_FILES = 8
_PACKAGE = Path(__file__).resolve().parents[1]
_CODE = (
    "__init__.py",
    "schema",
    "model/network.py",
    "model/frozen.py",
    *(f"data/{m}.py" for m in ("csvdir", "csvfile", "dataset_cache", "dataset_checks", "dataset_provenance")),
)
_log = logging.getLogger(__name__)
#: Values loaded in this process by cache file (content-addressed), most recently used last.
_IN_PROCESS: OrderedDict[Path, tuple[tuple[int, ...] | None, Any]] = OrderedDict()
_IN_PROCESS_MAX = 4


def cache_dir() -> Path | None:
    """The cache folder from the ``cache_dir`` setting, or None when caching is off."""
    value = str(settings.get("cache_dir")).strip()
    if value.lower() == "off":
        return None
    if value:
        return Path(value).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("corridor"))


def _code_files(extra: tuple[str, ...] = ()) -> list[Path]:
    files: list[Path] = []
    for rel in (*_CODE, *extra):
        path = _PACKAGE / rel
        files += sorted(p for p in path.iterdir() if p.suffix in (".py", ".csv")) if path.is_dir() else [path]
    return files


def cache_key(files: list[Path], *, kind: str = "dataset", code: tuple[str, ...] = ()) -> str:
    """SHA-256 over the contents of *files* (missing ones marked), the loader's code (with ``__version__``, plus the
    modules *code* names, relative to the package) and versions."""
    h = hashlib.sha256()
    h.update(f"corridor {kind} format {CACHE_FORMAT} pandas {pd.__version__} {sys.version_info[:2]}".encode())
    digests = FileDigests(cache_dir())
    for path in [*_code_files(code), *files]:
        h.update(b"\0" + path.name.encode() + b"\0")
        h.update(digests.digest(path))
    digests.save()
    return h.hexdigest()


def cache_path(folder: Path, files: list[Path], *, kind: str = "dataset", code: tuple[str, ...] = ()) -> Path | None:
    """Where the value of *kind* validated from these files is cached (None when caching is off)."""
    base = cache_dir()
    return None if base is None else base / f"{kind}-{cache_key(files, kind=kind, code=code)[:40]}.pickle"


def _read(path: Path, kind: str, accept: type[T]) -> T | None:
    try:
        if not trusted(path):  # only the user's own cache files that nobody else may write are unpickled
            _log.warning("ignoring dataset cache %s: writable by other users or owned by another user", path)
            return None
        with path.open("rb") as fh:
            doc = pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception as exc:
        _log.info("ignoring unreadable dataset cache %s: %s", path, exc)
        return None
    ok = isinstance(doc, dict) and doc.get("format") == CACHE_FORMAT and doc.get("kind") == kind
    if not ok or not isinstance(doc.get("value"), accept):
        return None
    _touch(path)
    return doc["value"]


def _touch(path: Path) -> None:
    """Mark *path* as just used, so pruning drops the least recently used datasets, not the shipped one read often."""
    with contextlib.suppress(OSError):
        os.utime(path)


def _write(path: Path, kind: str, value: object) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".dataset-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump({"format": CACHE_FORMAT, "kind": kind, "value": value}, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        _prune(path.parent, kind)
    except OSError as exc:
        _log.info("dataset cache not written to %s: %s", path, exc)


def _prune(folder: Path, kind: str) -> None:
    cached = sorted(folder.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in cached[KEEP_FILES:]:
        old.unlink(missing_ok=True)


def cached(kind: str, files: list[Path], build: Callable[[], T], accept: type[T], code: tuple[str, ...] = ()) -> T:
    """The value of *kind* validated from *files*, from the cache, else ``build()`` (which validates) stored for next time.

    *code* names the modules (relative to the package) besides the dataset loader whose code shapes the value;
    a cached object that is not an *accept* instance is ignored.
    """
    path = cache_path(Path(), files, kind=kind, code=code)
    if path is None:
        return build()
    held = _IN_PROCESS.get(path)
    if held is not None and held[0] == _stamp(path) and isinstance(held[1], accept):
        _touch(path)
        _IN_PROCESS[path] = (_stamp(path), held[1])
        _IN_PROCESS.move_to_end(path)
        return held[1]
    value = _read(path, kind, accept)
    if value is None:
        value = build()
        _write(path, kind, value)
    _hold(path, value)
    return value


def _stamp(path: Path) -> tuple[int, ...] | None:
    """The cache file's identity, times, size and mode (None when missing): a held value is used only while the file is
    unchanged, so a replaced, corrupted or re-permissioned cache file is read (and judged) again."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_mode


def _hold(path: Path, value: Any) -> None:
    """Keep *value* for the next load of the same files in this process: networks are read-only, so one object can
    serve every caller, and what they derive from it (year views, graphs, scenario years) is built once."""
    _IN_PROCESS[path] = (_stamp(path), value)
    while len(_IN_PROCESS) > _IN_PROCESS_MAX:
        _IN_PROCESS.popitem(last=False)


def cached_network(folder: Path, build: Callable[[], Network], files: list[Path] | None = None) -> Network:
    """The network of *folder* from the cache, else ``build()`` (which validates) stored for next time."""
    from corridor.data.csvdir import dataset_files

    return cached("dataset", files if files is not None else dataset_files(folder), build, Network)
