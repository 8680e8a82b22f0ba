"""Shared fixtures: the shipped dataset, a writable copy of it, and a builder for small generated datasets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import corridor
from corridor.data import DATASET_DIR

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def net() -> corridor.notebook.Corridor:  # type: ignore[name-defined]
    """The shipped dataset, loaded once."""
    return corridor.load()


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throw-away PostgreSQL cluster shared by the session (skipped without server binaries); yields its URL."""
    from transit_helpers import pg_bin, postgres_server

    if pg_bin() is None:
        pytest.skip("PostgreSQL server binaries are not installed (make postgres)")
    with postgres_server() as url:
        yield url


@pytest.fixture
def dataset_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped dataset folder."""
    dest = tmp_path / "dataset"
    shutil.copytree(DATASET_DIR, dest)
    return dest
