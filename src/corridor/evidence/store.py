"""The evidence store: pages, their claims and review decisions in SQLAlchemy tables (SQLite or PostgreSQL).

A page is stored once per content hash; its claims are written in the same transaction, so a failure leaves
nothing half-stored. Review decisions are keyed on the page hash and the claim's span and surface, not on row
ids, so they survive re-extraction and re-ingesting.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from corridor import settings
from corridor.errors import DataError, Problem
from corridor.evidence.claims import Claim
from corridor.evidence.ingest import Page

__all__ = [
    "ClaimRow",
    "Decision",
    "Document",
    "EvidenceStore",
    "IngestResult",
    "database_url",
    "decode_cursor",
    "encode_cursor",
]

_ACTIONS = ("accept", "reject", "edit")


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Document(Base):
    """One ingested page."""

    __tablename__ = "evidence_documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(1000))
    title: Mapped[str] = mapped_column(String(500))
    published: Mapped[date | None] = mapped_column(Date, nullable=True)
    kind: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ClaimRow(Base):
    """One extracted claim of a document."""

    __tablename__ = "evidence_claims"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("evidence_documents.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    surface: Mapped[str] = mapped_column(String(300))
    sentence: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    value_low: Mapped[float | None] = mapped_column(Float, nullable=True)
    value_high: Mapped[float | None] = mapped_column(Float, nullable=True)
    bound: Mapped[str] = mapped_column(String(12))
    unit: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    rate: Mapped[str | None] = mapped_column(String(8), nullable=True)
    period_start: Mapped[str | None] = mapped_column(String(10), nullable=True)
    period_end: Mapped[str | None] = mapped_column(String(10), nullable=True)
    modality: Mapped[str] = mapped_column(String(12))
    subject: Mapped[str | None] = mapped_column(String(300), nullable=True)
    subject_id: Mapped[str | None] = mapped_column(String(120), nullable=True)
    property: Mapped[str | None] = mapped_column(String(32), nullable=True)
    counted: Mapped[str | None] = mapped_column(String(60), nullable=True)
    confidence: Mapped[float] = mapped_column(Float)
    notes: Mapped[list] = mapped_column(JSON)
    __table_args__ = (
        UniqueConstraint("document_id", "start", "end", name="uq_evidence_claim_span"),
        Index("ix_evidence_claims_subject", "subject_id", "property"),
    )


class Decision(Base):
    """A reviewer's decision on a claim, keyed on the page hash and the claim's span and surface."""

    __tablename__ = "evidence_decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_sha256: Mapped[str] = mapped_column(String(64))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    surface: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)
    edits: Mapped[dict] = mapped_column(JSON)
    promoted_to: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    __table_args__ = (UniqueConstraint("document_sha256", "start", "end", name="uq_evidence_decision_span"),)


@dataclass(frozen=True)
class IngestResult:
    """What storing one page did."""

    document_id: int
    sha256: str
    source: str
    created: bool
    claims: int


def encode_cursor(position: int, kind: str = "id") -> str:
    """An opaque paging cursor: the row after id *position* (``kind="id"``), or the item at offset *position* (``"off"``)."""
    return base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, kind: str = "id") -> int:
    """The position a cursor of *kind* stands for (0 for none); a malformed cursor is a :class:`DataError`."""
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        found, _, value = raw.partition(":")
        if found != kind or not value.isdigit():
            raise ValueError(raw)
        return int(value)
    except ValueError as exc:
        raise DataError(Problem("query", None, "cursor", cursor, "a cursor returned by an earlier page")) from exc


def database_url(url: str | None = None) -> str:
    """*url*, else the option ``evidence_database_url``, else an SQLite file in ~/.corridor."""
    chosen = url or settings.get("evidence_database_url")
    if chosen:
        return str(chosen)
    path = Path.home() / ".corridor" / "evidence.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if not url.startswith("sqlite"):
        return create_engine(url)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    return engine


def _row(document_id: int, c: Claim) -> ClaimRow:
    d = c.as_dict()
    d.pop("notes")
    return ClaimRow(document_id=document_id, notes=list(c.notes), **d)


class EvidenceStore:
    """Pages, claims and decisions in one database; the tables are created on first use."""

    def __init__(self, url: str | None = None) -> None:
        self.url = database_url(url)
        self.engine = _engine(self.url)
        Base.metadata.create_all(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def add_page(self, page: Page, claims: Iterable[Claim], *, replace: bool = False) -> IngestResult:
        """Store *page* and its *claims* in one transaction; an already stored page is left as it is unless
        *replace*, which swaps its claims for the new ones (decisions are kept, being keyed on spans)."""
        with self.sessions.begin() as s:
            doc = s.scalar(select(Document).where(Document.sha256 == page.sha256))
            if doc is not None and not replace:
                n = len(s.scalars(select(ClaimRow.id).where(ClaimRow.document_id == doc.id)).all())
                return IngestResult(doc.id, doc.sha256, doc.source, False, n)
            if doc is None:
                doc = Document(sha256=page.sha256, source=page.source[:1000], title=page.title[:500],
                               published=page.published, kind=page.kind, text=page.text)  # fmt: skip
                s.add(doc)
                s.flush()
                created = True
            else:
                s.execute(delete(ClaimRow).where(ClaimRow.document_id == doc.id))
                created = False
            rows = [_row(doc.id, c) for c in claims]
            s.add_all(rows)
            return IngestResult(doc.id, doc.sha256, doc.source, created, len(rows))

    def documents(self) -> list[Document]:
        """Every stored page, oldest first."""
        with self.sessions() as s:
            return list(s.scalars(select(Document).order_by(Document.id)))

    def claims(
        self,
        *,
        subject: str | None = None,
        property: str | None = None,
        modality: str | None = None,
        document_id: int | None = None,
        after_id: int = 0,
        limit: int | None = None,
    ) -> list[tuple[ClaimRow, Document]]:
        """Claims with their documents, by id, filtered; *subject* matches an id (``link:btc``), its last part
        (``btc``) or the subject's name, case-insensitively."""
        q = select(ClaimRow, Document).join(Document, ClaimRow.document_id == Document.id).where(ClaimRow.id > after_id)
        if subject:
            key = subject.lower()
            q = q.where(
                (ClaimRow.subject_id == key)
                | ClaimRow.subject_id.ilike(f"%:{key}")
                | ClaimRow.subject.ilike(f"%{key}%")
                | (ClaimRow.subject_id == subject)
            )
        if property:
            q = q.where(ClaimRow.property == property)
        if modality:
            q = q.where(ClaimRow.modality == modality)
        if document_id is not None:
            q = q.where(ClaimRow.document_id == document_id)
        q = q.order_by(ClaimRow.id)
        if limit is not None:
            q = q.limit(limit)
        with self.sessions() as s:
            return [(c, d) for c, d in s.execute(q).all()]

    def claim(self, claim_id: int) -> tuple[ClaimRow, Document]:
        """One claim and its document; an unknown id is a :class:`DataError`."""
        with self.sessions() as s:
            hit = s.execute(
                select(ClaimRow, Document).join(Document, ClaimRow.document_id == Document.id).where(ClaimRow.id == claim_id)
            ).first()
        if hit is None:
            raise DataError(Problem("evidence store", None, "claim_id", claim_id, "the id of a stored claim"))
        return hit[0], hit[1]

    def decide(self, claim_id: int, action: str, reason: str, edits: dict | None = None) -> Decision:
        """Record (or replace) the decision on one claim."""
        if action not in _ACTIONS:
            raise DataError(Problem("review", None, "action", action, f"one of {', '.join(_ACTIONS)}"))
        if not reason.strip():
            raise DataError(Problem("review", None, "reason", reason, "a reason for the decision"))
        if action == "edit" and not edits:
            raise DataError(Problem("review", None, "edits", edits, "the fields to change, e.g. value=1.5"))
        row, doc = self.claim(claim_id)
        with self.sessions.begin() as s:
            dec = self._decision(s, doc.sha256, row.start, row.end, row.surface)
            if dec is None:
                dec = Decision(document_sha256=doc.sha256, start=row.start, end=row.end, surface=row.surface,
                               action=action, reason=reason, edits=edits or {})  # fmt: skip
                s.add(dec)
            else:
                dec.action, dec.reason, dec.edits, dec.decided_at = action, reason, edits or {}, _now()
            return dec

    @staticmethod
    def _decision(s: Session, sha: str, start: int, end: int, surface: str) -> Decision | None:
        exact = s.scalar(select(Decision).where(Decision.document_sha256 == sha, Decision.start == start, Decision.end == end))
        if exact is not None:
            return exact
        near = s.scalars(select(Decision).where(Decision.document_sha256 == sha, Decision.surface == surface)).all()
        return min(near, key=lambda d: abs(d.start - start), default=None)

    def decision_for(self, row: ClaimRow, doc: Document) -> Decision | None:
        """The decision taken on *row* (matched by page hash, span, or surface nearest the span), if any."""
        with self.sessions() as s:
            return self._decision(s, doc.sha256, row.start, row.end, row.surface)

    def decisions(self) -> dict[tuple[str, int, int], Decision]:
        """Every decision keyed by (page hash, start, end)."""
        with self.sessions() as s:
            return {(d.document_sha256, d.start, d.end): d for d in s.scalars(select(Decision))}

    def mark_promoted(self, claim_id: int, where: str) -> None:
        """Remember that the accepted claim *claim_id* was written into the dataset at *where*."""
        row, doc = self.claim(claim_id)
        with self.sessions.begin() as s:
            dec = self._decision(s, doc.sha256, row.start, row.end, row.surface)
            if dec is not None:
                dec.promoted_to = where
