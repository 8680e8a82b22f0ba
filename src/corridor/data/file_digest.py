"""SHA-256 of files, remembered by their ``stat`` so unchanged files are not read and hashed on every call.

A file's digest is reused only while its size, modification time, change time, inode and device are exactly
the ones it had when it was hashed. Writing to a file or touching it sets its change time to "now" (no program
can set it back), so any edit gives a new ``stat`` and the file is hashed again. A digest is remembered only
when the file had been left alone for :data:`SETTLE_S` seconds before it was hashed (as Git does for its index):
an edit in the same clock tick as the hash could otherwise keep the old ``stat``.
The memo is one small JSON file in the cache folder, replaced atomically; a memo that cannot be read is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
import time
from pathlib import Path

__all__ = ["MEMO_FILE", "SETTLE_S", "FileDigests", "trusted"]

#: Name of the memo file in the cache folder.
MEMO_FILE = "file-digests.json"
#: Seconds a file must have been left unchanged before its digest is remembered (file-system clock ticks are coarse).
SETTLE_S = 2.0
_MAX_ENTRIES = 256  # paths remembered; beyond, the older half is dropped (temporary folders come and go, e.g. in tests)


def trusted(path: Path) -> bool:
    """Whether *path* is the user's own file that nobody else may write (POSIX; elsewhere always)."""
    if not hasattr(os, "getuid"):
        return True
    st = path.stat()
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _sha256(path: Path) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest()


def _signature(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


class FileDigests:
    """Digests of files, read from and saved to the memo in *folder* (None: nothing remembered)."""

    def __init__(self, folder: Path | None) -> None:
        self.path = None if folder is None else folder / MEMO_FILE
        self.memo: dict[str, list] = self._load()
        self.changed = False

    def _load(self) -> dict[str, list]:
        if self.path is None:
            return {}
        try:
            if not trusted(self.path):  # a memo others may write could pass off a stale cache entry as current
                return {}
            doc = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return doc if isinstance(doc, dict) else {}

    def digest(self, path: Path) -> bytes:
        """SHA-256 of *path*'s contents, a marker for a missing or unreadable file."""
        try:
            st = path.stat()
        except OSError:
            return b"<not a file>"
        if not stat.S_ISREG(st.st_mode):
            return b"<not a file>"
        key, sig = os.path.abspath(path), _signature(st)  # the signature's inode tells files behind links apart
        seen = self.memo.get(key)
        if isinstance(seen, list) and len(seen) == 2 and seen[0] == sig and isinstance(seen[1], str):
            return bytes.fromhex(seen[1])
        try:
            value = _sha256(path)
        except OSError:
            return b"<unreadable>"
        settled = time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > SETTLE_S * 1e9
        if settled and self.path is not None:
            self.memo[key] = [sig, value.hex()]
            self.changed = True
        return value

    def save(self) -> None:
        """Write the memo back when new digests were remembered (best effort: a failure only costs hashing)."""
        if not self.changed or self.path is None:
            return
        memo = self.memo if len(self.memo) <= _MAX_ENTRIES else dict(list(self.memo.items())[-_MAX_ENTRIES // 2 :])
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".digests-", suffix=".tmp", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(memo, fh)
                os.replace(tmp, self.path)
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        except OSError:
            pass
        self.changed = False
