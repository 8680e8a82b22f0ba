"""The validated-dataset cache: same tables from the cache, new files validated again, broken caches rebuilt."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pandas as pd
import pytest
from test_validation import edit

from corridor import settings
from corridor.data import csvdir, read_dataset
from corridor.data.dataset_cache import KEEP_FILES, cache_path
from corridor.errors import DataError

TABLES = ("nodes", "links", "transfers", "modes", "parameters", "projects", "fx_rates", "sources", "corridors", "provenance")


@pytest.fixture
def cache(tmp_path: Path):
    folder = tmp_path / "cache"
    with settings.option_context(cache_dir=str(folder)):
        yield folder


def _no_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(folder):
        raise AssertionError(f"validated {folder} again although the cache holds it")

    monkeypatch.setattr(csvdir, "validate_dataset", refuse)


def _equal(a, b) -> None:
    for t in TABLES:
        pd.testing.assert_frame_equal(getattr(a, t), getattr(b, t))
    assert a.geometry == b.geometry


def test_second_load_comes_from_the_cache_with_equal_tables(cache: Path, dataset_copy: Path, monkeypatch):
    first = read_dataset(dataset_copy)
    assert len(list(cache.glob("dataset-*.pickle"))) == 1
    _no_validation(monkeypatch)
    second = read_dataset(dataset_copy)
    _equal(first, second)
    # a loaded network is read-only; an edited copy made with replace() never reaches the cache
    with pytest.raises(ValueError, match="read-only"):
        second.nodes.loc["aktau", "name"] = "changed in memory"
    nodes = second.nodes.copy()
    nodes.loc["aktau", "name"] = "changed in memory"
    assert second.replace(nodes=nodes).nodes.loc["aktau", "name"] == "changed in memory"
    assert read_dataset(dataset_copy).nodes.loc["aktau", "name"] != "changed in memory"


def test_editing_a_file_invalidates_the_cache(cache: Path, dataset_copy: Path):
    read_dataset(dataset_copy)

    def rename(rows, header):
        next(r for r in rows if r["node_id"] == "aktau")["name"] = "Aktau Sea Port"
        return rows, header

    edit(dataset_copy, "nodes", rename)
    assert read_dataset(dataset_copy).nodes.loc["aktau", "name"] == "Aktau Sea Port"

    def break_it(rows, header):
        next(r for r in rows if r["node_id"] == "aktau")["lat"] = "200"
        return rows, header

    edit(dataset_copy, "nodes", break_it)
    with pytest.raises(DataError, match="between -90 and 90"):
        read_dataset(dataset_copy)
    assert len(list(cache.glob("dataset-*.pickle"))) == 2  # nothing cached for the invalid files


def test_pruning_keeps_the_datasets_read_most_recently(cache: Path, dataset_copy: Path):
    read_dataset(dataset_copy)
    (kept,) = cache.glob("dataset-*.pickle")
    now = time.time()
    os.utime(kept, (now - 1000, now - 1000))  # written long ago ...
    others = [cache / f"dataset-other{i}.pickle" for i in range(KEEP_FILES)]
    for i, other in enumerate(others):  # ... since then the cache filled up with other datasets
        other.write_bytes(b"")
        os.utime(other, (now - 500 + i, now - 500 + i))
    read_dataset(dataset_copy)  # ... but it was just read again

    def rename(rows, header):
        next(r for r in rows if r["node_id"] == "aktau")["name"] = "Aktau Sea Port"
        return rows, header

    edit(dataset_copy, "nodes", rename)
    read_dataset(dataset_copy)  # a new dataset is written; the least recently used ones go
    left = set(cache.glob("dataset-*.pickle"))
    assert kept in left and len(left) == KEEP_FILES
    assert others[0] not in left and others[1] not in left and others[-1] in left


@pytest.mark.parametrize("garbage", [b"", b"not a pickle", b"\x80\x05\x95 truncated"])
def test_a_corrupt_cache_file_is_ignored_and_rebuilt(cache: Path, dataset_copy: Path, garbage: bytes):
    good = read_dataset(dataset_copy)
    (path,) = cache.glob("dataset-*.pickle")
    path.write_bytes(garbage)
    _equal(read_dataset(dataset_copy), good)
    assert path.stat().st_size > 1000  # rewritten


def test_cache_off_and_unwritable_cache_still_load(tmp_path: Path, dataset_copy: Path):
    with settings.option_context(cache_dir="off"):
        assert cache_path(dataset_copy, []) is None
        assert len(read_dataset(dataset_copy).nodes) > 80
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    with settings.option_context(cache_dir=str(blocker / "cache")):
        assert len(read_dataset(dataset_copy).nodes) > 80


def test_the_key_covers_every_file(cache: Path, dataset_copy: Path):
    before = cache_path(dataset_copy, csvdir.dataset_files(dataset_copy))
    geo = dataset_copy / csvdir.SEA_GEOMETRY_FILE
    geo.write_bytes(geo.read_bytes() + b"\n")
    assert cache_path(dataset_copy, csvdir.dataset_files(dataset_copy)) != before


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_cache_file_others_may_write_is_not_trusted(cache: Path, dataset_copy: Path, monkeypatch):
    read_dataset(dataset_copy)
    (path,) = cache.glob("dataset-*.pickle")
    path.chmod(0o666)
    calls = []
    real = csvdir.validate_dataset
    monkeypatch.setattr(csvdir, "validate_dataset", lambda folder: calls.append(folder) or real(folder))
    read_dataset(dataset_copy)
    assert calls and not path.stat().st_mode & 0o022  # validated again and rewritten privately
