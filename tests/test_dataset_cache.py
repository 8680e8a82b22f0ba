"""The validated-dataset cache: same tables from the cache, new files validated again, broken caches rebuilt."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pandas as pd
import pytest
from test_validation import edit

from corridor import settings
from corridor.data import csvdir, digital_file, file_digest, read_dataset
from corridor.data.dataset_cache import KEEP_FILES, cache_key, cache_path
from corridor.data.digital_file import read_dataset_digital, read_digital
from corridor.errors import DataError
from corridor.model.digital import apply_digital_layer

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


# ------------------------------------------------------------------ the dataset with its digital layer
def test_the_digital_network_comes_from_the_cache_and_follows_edits(cache: Path, dataset_copy: Path, monkeypatch):
    fresh = apply_digital_layer(
        read_dataset(dataset_copy, cache=False), read_digital(dataset_copy, net=read_dataset(dataset_copy))
    )
    first = read_dataset_digital(dataset_copy)
    _equal(first, fresh)
    assert len(list(cache.glob("digital-*.pickle"))) == 1
    with monkeypatch.context() as m:
        _no_validation(m)
        m.setattr(digital_file, "read_digital", lambda *a, **k: pytest.fail("digital layer validated again"))
        _equal(read_dataset_digital(dataset_copy), fresh)
    assert first.nodes.loc["dostyk", "digital_customs_from_year"] == 2024

    def paper_dostyk(rows, header):  # same size or not, the edit is seen on the next call
        return [r for r in rows if r["node_id"] != "dostyk"], header

    edit(dataset_copy, "digital_procedures", paper_dostyk)
    assert pd.isna(read_dataset_digital(dataset_copy).nodes.loc["dostyk", "digital_customs_from_year"])

    def rename(rows, header):
        next(r for r in rows if r["node_id"] == "dostyk")["name"] = "Dostyk station"
        return rows, header

    edit(dataset_copy, "nodes", rename)
    assert read_dataset_digital(dataset_copy).nodes.loc["dostyk", "name"] == "Dostyk station"
    with (dataset_copy / "digital_procedures.csv").open("a", encoding="utf-8") as fh:
        fh.write("atlantis,pre_arrival_information,operating,,2024,,,because\n")
    with pytest.raises(DataError, match="atlantis"):
        read_dataset_digital(dataset_copy)


# ------------------------------------------------------------------ file digests remembered by stat
def _count_hashing(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    hashed: list[Path] = []
    real = file_digest._sha256
    monkeypatch.setattr(file_digest, "_sha256", lambda path: hashed.append(path) or real(path))
    return hashed


def test_unchanged_files_are_not_hashed_again(cache: Path, dataset_copy: Path, monkeypatch):
    monkeypatch.setattr(file_digest, "SETTLE_S", 0.0)  # the copy was just written: count it as settled
    files = csvdir.dataset_files(dataset_copy)
    first = cache_key(files)
    hashed = _count_hashing(monkeypatch)
    assert cache_key(files) == first and hashed == []
    nodes = dataset_copy / "nodes.csv"
    nodes.write_text(nodes.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert cache_key(files) != first and hashed == [nodes]


def test_a_same_size_edit_right_after_hashing_is_seen(cache: Path, dataset_copy: Path, monkeypatch):
    """A file hashed within ``SETTLE_S`` of its last change is not remembered, so an edit in the same clock tick
    (same size and, on a coarse file-system clock, the same times: simulated here) still changes the key."""
    monkeypatch.setattr(file_digest, "_signature", lambda st: [st.st_size, st.st_ino, st.st_dev])
    files = csvdir.dataset_files(dataset_copy)
    first = cache_key(files)
    nodes = dataset_copy / "nodes.csv"
    before = nodes.read_bytes()
    nodes.write_bytes(before.replace(b"Aktau", b"Aktaw", 1))
    assert nodes.stat().st_size == len(before) and nodes.read_bytes() != before
    assert cache_key(files) != first


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_digest_memo_others_may_write_is_not_trusted(cache: Path, dataset_copy: Path, monkeypatch):
    monkeypatch.setattr(file_digest, "SETTLE_S", 0.0)
    files = csvdir.dataset_files(dataset_copy)
    honest = cache_key(files)
    memo = cache / file_digest.MEMO_FILE
    doc = json.loads(memo.read_text())
    for entry in doc.values():
        entry[1] = "00" * 32  # a forged digest for the files' current stat
    memo.write_text(json.dumps(doc))
    memo.chmod(0o600)
    assert cache_key(files) != honest  # the user's own memo is believed ...
    memo.write_text(json.dumps(doc))
    memo.chmod(0o666)
    assert cache_key(files) == honest  # ... one anybody may write is not


def test_the_digest_memo_stays_small_and_keeps_the_files_just_hashed(cache: Path, dataset_copy: Path, monkeypatch):
    monkeypatch.setattr(file_digest, "SETTLE_S", 0.0)
    cache.mkdir(mode=0o700, parents=True)
    stale = {f"/gone/file{i}.csv": [[1, 2, 3, 4, 5], "00" * 32] for i in range(300)}
    (cache / file_digest.MEMO_FILE).write_text(json.dumps(stale))
    (cache / file_digest.MEMO_FILE).chmod(0o600)
    files = csvdir.dataset_files(dataset_copy)
    first = cache_key(files)
    memo = json.loads((cache / file_digest.MEMO_FILE).read_text())
    assert len(memo) < len(stale) and all(os.path.abspath(f) in memo for f in files if f.exists())
    hashed = _count_hashing(monkeypatch)
    assert cache_key(files) == first and hashed == []


def test_one_process_shares_one_read_only_network_and_its_scenario_years(cache: Path, dataset_copy: Path):
    from corridor.data.scenario_files import read_scenario
    from corridor.scenarios import run_year

    first = read_dataset(dataset_copy)
    assert read_dataset(dataset_copy) is first  # the same files: the same (read-only) object
    sc = read_scenario("china_europe_titr")
    year = run_year(first, sc, 2025)
    assert run_year(read_dataset(dataset_copy), sc, 2025) is year  # computed once per network, scenario and year
    edited = first.replace(links=first.links.copy())
    assert run_year(edited, sc, 2025) is not year  # another network computes its own

    def rename(rows, header):
        next(r for r in rows if r["node_id"] == "aktau")["name"] = "Aktau Sea Port"
        return rows, header

    edit(dataset_copy, "nodes", rename)
    changed = read_dataset(dataset_copy)
    assert changed is not first and changed.nodes.loc["aktau", "name"] == "Aktau Sea Port"
