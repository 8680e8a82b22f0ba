"""Database access shared by the transit modules: read sessions, serialized write transactions, the network."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from corridor.model import Network
from corridor.transit.config import TransitSettings
from corridor.transit.db import write_engine

__all__ = ["Store"]


@dataclass
class Store:
    """Sessions over one engine and the Corridor network the declarations refer to.

    Write transactions on SQLite begin with ``BEGIN IMMEDIATE`` (one writer, no stale read-check-write) and queue on
    a process lock instead of SQLite's sleeping busy handler; PostgreSQL runs them concurrently with row locks.
    """

    engine: Engine
    net: Network
    settings: TransitSettings = field(default_factory=TransitSettings)

    def __post_init__(self) -> None:
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.write_engine = write_engine(self.engine)
        self.writes = sessionmaker(self.write_engine, expire_on_commit=False)
        self.sqlite = self.engine.dialect.name == "sqlite"
        self._lock = threading.Lock() if self.sqlite else None
        self._pairs: frozenset[tuple[str, str]] | None = None

    @contextmanager
    def tx(self) -> Iterator[Session]:
        """A write transaction, committed (durably) when the block ends, rolled back on an exception."""
        with self._lock or nullcontext(), self.writes.begin() as s:
            yield s

    @contextmanager
    def tx_core(self) -> Iterator[Connection]:
        """:meth:`tx` without an ORM session, for Core statements only (the group committer's batches)."""
        with self._lock or nullcontext(), self.write_engine.begin() as conn:
            yield conn

    @cached_property
    def node_kind(self) -> dict[str, str]:
        """Node id -> node kind."""
        return {str(k): str(v) for k, v in self.net.nodes["kind"].items()}

    @cached_property
    def node_country(self) -> dict[str, str]:
        """Node id -> ISO country code (upper case)."""
        return {str(k): str(v or "").upper() for k, v in self.net.nodes["country"].items()}

    @cached_property
    def locodes(self) -> dict[str, str]:
        """UN/LOCODE -> node id (the first node listed with the code)."""
        out: dict[str, str] = {}
        for node, code in self.net.nodes["locode"].items():
            if isinstance(code, str) and code:
                out.setdefault(code, str(node))
        return out

    @property
    def pairs(self) -> frozenset[tuple[str, str]]:
        """(from, to) node pairs joined by a link."""
        if self._pairs is None:
            links = self.net.links
            self._pairs = frozenset(zip(links["from_node"], links["to_node"], strict=True))
        return self._pairs

    def usd_rate(self, currency: str) -> float:
        """Units of *currency* per USD (1 for USD)."""
        return 1.0 if currency == "USD" else float(self.net.fx_rate(currency)[0])

    @cached_property
    def currency_set(self) -> frozenset[str]:
        """Currencies with an FX rate, and USD."""
        return frozenset({"USD", *map(str, self.net.fx_rates.index)})

    def currencies(self) -> frozenset[str]:
        """Currencies with an FX rate, and USD."""
        return self.currency_set
