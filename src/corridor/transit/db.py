"""Persistence: SQLAlchemy 2 tables with declared integrity, engines for SQLite (WAL) and PostgreSQL, migrations.

SQL only through SQLAlchemy with bound parameters. SQLite runs in WAL mode with ``synchronous=FULL`` so a
committed write survives a crash; PostgreSQL is durable by default. The schema is created and upgraded by
Alembic (``corridor/transit/migrations``), never by ``create_all`` in the service.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = [
    "AuditEntry",
    "Base",
    "Declaration",
    "DeclarationRef",
    "Delivery",
    "Guarantee",
    "IdempotencyKey",
    "Party",
    "Subscription",
    "TrackingEvent",
    "UTCDateTime",
    "database_url",
    "make_engine",
    "migrate",
    "utcnow",
    "write_engine",
]

DEFAULT_SQLITE = Path.home() / ".corridor" / "transit.sqlite"


def utcnow() -> datetime:
    """Timezone-aware now in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored and returned in UTC on every backend (SQLite keeps no offset: convert before storing)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict] = {datetime: UTCDateTime()}


class Party(Base):
    """A holder/forwarder, carrier, customs office or operator, with its hashed API token."""

    __tablename__ = "parties"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    office_node: Mapped[str | None] = mapped_column(String(64), nullable=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    deactivated_at: Mapped[datetime | None] = mapped_column(nullable=True)
    __table_args__ = (CheckConstraint("role in ('holder','carrier','customs','operator')", name="ck_party_role"),)


class Declaration(Base):
    """A transit declaration (NCTS IE015-like) and where it stands in its lifecycle."""

    __tablename__ = "declarations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    lrn: Mapped[str] = mapped_column(String(22))
    mrn: Mapped[str | None] = mapped_column(String(18), unique=True, nullable=True)
    status: Mapped[str] = mapped_column(String(24), default="draft")
    declaration_type: Mapped[str] = mapped_column(String(5))
    office_departure: Mapped[str] = mapped_column(String(64))
    office_destination: Mapped[str] = mapped_column(String(64))
    offices_transit: Mapped[list] = mapped_column(JSON, default=list)
    itinerary: Mapped[list] = mapped_column(JSON, default=list)
    train_number: Mapped[str | None] = mapped_column(String(35), nullable=True)
    containers: Mapped[list] = mapped_column(JSON, default=list)
    carrier_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"), nullable=True)
    wagons: Mapped[list | None] = mapped_column(JSON, nullable=True)
    guarantee_reference: Mapped[str] = mapped_column(String(24))
    guarantee_amount: Mapped[float] = mapped_column(Float)
    guarantee_currency: Mapped[str] = mapped_column(String(3))
    amount_at_risk: Mapped[float] = mapped_column(Float, default=0.0)
    body: Mapped[dict] = mapped_column(JSON)
    current_office: Mapped[str | None] = mapped_column(String(64), nullable=True)
    control_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    errors: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    arrival_at: Mapped[datetime | None] = mapped_column(nullable=True)
    released_at: Mapped[datetime | None] = mapped_column(nullable=True)
    release_latency_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    __table_args__ = (
        UniqueConstraint("holder_id", "lrn", name="uq_declaration_holder_lrn"),
        CheckConstraint("guarantee_amount >= 0", name="ck_guarantee_amount"),
        Index("ix_declaration_status", "status"),
        Index("ix_declaration_train", "train_number"),
        Index("ix_declaration_carrier", "carrier_id"),
    )


class DeclarationRef(Base):
    """An indexed reference of a declaration: its containers, wagons and customs offices (no JSON scans)."""

    __tablename__ = "declaration_refs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"))
    kind: Mapped[str] = mapped_column(String(12))
    value: Mapped[str] = mapped_column(String(64))
    __table_args__ = (
        CheckConstraint("kind in ('container','wagon','office')", name="ck_ref_kind"),
        Index("ix_ref_kind_value", "kind", "value"),
        Index("ix_ref_declaration", "declaration_id"),
    )


class Guarantee(Base):
    """A holder's guarantee (reference unique per holder), its guarantor and the amount reserved by open movements."""

    __tablename__ = "guarantees"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    reference: Mapped[str] = mapped_column(String(24))
    guarantor: Mapped[str | None] = mapped_column(String(200), nullable=True)
    amount: Mapped[float] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(3))
    reserved_usd: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (
        UniqueConstraint("holder_id", "reference", name="uq_guarantee_holder_reference"),
        CheckConstraint("amount >= 0", name="ck_guarantee_nonnegative"),
    )


class TrackingEvent(Base):
    """A DCSA-style equipment or transport event; upserted by event id and updated time."""

    __tablename__ = "events"
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(100), unique=True)
    event_type: Mapped[str] = mapped_column(String(12))
    event_code: Mapped[str] = mapped_column(String(8))
    classifier: Mapped[str] = mapped_column(String(3))
    event_datetime: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    un_location_code: Mapped[str | None] = mapped_column(String(5), nullable=True)
    facility: Mapped[str | None] = mapped_column(String(64), nullable=True)
    equipment_reference: Mapped[str | None] = mapped_column(String(11), nullable=True)
    train_number: Mapped[str | None] = mapped_column(String(35), nullable=True)
    rail_car: Mapped[str | None] = mapped_column(String(35), nullable=True)
    retracted: Mapped[bool] = mapped_column(Boolean, default=False)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    body: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (
        CheckConstraint("classifier in ('PLN','EST','ACT')", name="ck_event_classifier"),
        Index("ix_event_equipment", "equipment_reference"),
        Index("ix_event_facility", "facility"),
        Index("ix_event_train", "train_number"),
        Index("ix_event_party", "party_id", "seq"),
    )


class Subscription(Base):
    """A party's callback for events, signed with its secret."""

    __tablename__ = "subscriptions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    callback_url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(200))
    equipment_reference: Mapped[str | None] = mapped_column(String(11), nullable=True)
    event_codes: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(Base):
    """One webhook delivery and its retries."""

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"))
    event_id: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    __table_args__ = (
        Index("ix_delivery_pending", "status", "next_attempt_at"),
        Index("ix_delivery_subscription", "subscription_id"),
    )


class AuditEntry(Base):
    """Append-only: who did what to which declaration, when, from which state."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"), nullable=True)
    declaration_id: Mapped[int | None] = mapped_column(ForeignKey("declarations.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(24), nullable=True)
    to_state: Mapped[str | None] = mapped_column(String(24), nullable=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    __table_args__ = (Index("ix_audit_declaration", "declaration_id"),)


class IdempotencyKey(Base):
    """A claimed Idempotency-Key of a party: the request's hash, then (once done) its answer for replays."""

    __tablename__ = "idempotency_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    key: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(300))
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(10), default="in_flight")
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    __table_args__ = (
        UniqueConstraint("party_id", "key", name="uq_idempotency_key_party_key"),
        CheckConstraint("state in ('in_flight','done')", name="ck_idempotency_state"),
    )


def database_url(url: str | None = None) -> str:
    """The database to use: *url*, else ``CORRIDOR_DATABASE_URL``, else an SQLite file in ~/.corridor."""
    chosen = url or os.environ.get("CORRIDOR_DATABASE_URL")
    if chosen:
        return chosen
    DEFAULT_SQLITE.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE}"


def make_engine(url: str | None = None) -> Engine:
    """An engine for *url*; SQLite gets WAL, FULL synchronous writes, foreign keys and a busy timeout."""
    url = database_url(url)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below): writers take the lock up front
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            # straight to the driver: every transaction begins here, and a statement through SQLAlchemy costs more
            # than SQLite's BEGIN; a failure (busy past the timeout) is raised as SQLAlchemy's OperationalError
            sql = conn.get_execution_options().get("sqlite_begin", "BEGIN")
            try:
                conn.connection.driver_connection.execute(sql)
            except sqlite3.Error as exc:
                raise DBAPIError.instance(sql, (), exc, sqlite3.Error) from exc

        return engine
    return create_engine(url, pool_size=20, max_overflow=20, pool_recycle=1800)


def write_engine(engine: Engine) -> Engine:
    """*engine* for write transactions: on SQLite they start with ``BEGIN IMMEDIATE`` (serialized across processes,
    so a read-check-write such as a guarantee reservation never works on a stale snapshot)."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(sqlite_begin="BEGIN IMMEDIATE")
    return engine


def migrate(engine: Engine) -> None:
    """Upgrade the database schema to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.connect() as conn:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:  # batch migrations recreate tables: foreign keys are checked once at the end instead
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise RuntimeError("migration left rows whose foreign keys do not resolve")
        finally:
            if sqlite:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
