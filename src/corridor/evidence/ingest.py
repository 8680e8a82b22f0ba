"""Pages in: bytes → text (HTML through trafilatura), cleaned of ticker and pagination noise, dated, hashed.

A page is identified by the SHA-256 of its cleaned text, so ingesting the same page twice stores it once. Bad
input — binary files, text in no known encoding, empty pages, pages over ``evidence_max_page_bytes`` — raises
:class:`~corridor.errors.DataError` naming the file, what was found and what was expected.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from corridor import settings
from corridor.errors import DataError, Problem
from corridor.evidence.lexicon import MONTHS, TICKER_RE

__all__ = ["Page", "clean_text", "page_from_bytes", "page_from_text", "read_page"]

_PAGINATION = re.compile(
    r"^\s*(?:(?:Viewing|Showing|Displaying)\s+(?:results\s+)?\d+\s*[-–]\s*\d+\s+of\s+\d+|Page\s+\d+\s+of\s+\d+)\s*$", re.I
)
_MON = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE_LINE = re.compile(rf"^\s*(?:(\d{{1,2}})\s+({_MON})\.?\s+(\d{{4}})|({_MON})\.?\s+(\d{{1,2}}),?\s+(\d{{4}}))\s*$", re.I)
_HTML = re.compile(rb"^\s*(?:<!doctype\s+html|<html|<\?xml)|<(?:body|p|div|article|script)\b", re.I)


@dataclass(frozen=True)
class Page:
    """One page's cleaned text and what is known about it."""

    source: str
    title: str
    text: str
    published: date | None
    sha256: str
    kind: str  # "text" or "html"
    notes: tuple[str, ...] = field(default_factory=tuple)


def _problem(source: str, what: str, value: object, expected: str) -> DataError:
    return DataError(Problem(source, None, what, value, expected))


def _parse_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text[:10]).date()
    except ValueError:
        return None


def clean_text(text: str) -> tuple[str, date | None, list[str]]:
    """(text, date, notes): repeated ticker lines kept once, pagination lines dropped, a leading date line read."""
    out, seen, notes = [], set(), []
    found_date: date | None = None
    dropped_tickers = dropped_pages = 0
    body_started = False
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = line.strip()
        if TICKER_RE.search(stripped) and len(stripped) < 60:
            key = re.sub(r"\s+", " ", stripped)
            if key in seen:
                dropped_tickers += 1
                continue
            seen.add(key)
        elif _PAGINATION.match(stripped):
            dropped_pages += 1
            continue
        elif stripped and not body_started:
            m = _DATE_LINE.match(stripped)
            if m and found_date is None:
                d, mon, y = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(5), m.group(4), m.group(6))
                found_date = date(int(y), MONTHS[mon.lower()], int(d))
            else:
                body_started = True
        out.append(line.rstrip())
    if dropped_tickers:
        notes.append(f"{dropped_tickers} repeated ticker lines dropped")
    if dropped_pages:
        notes.append(f"{dropped_pages} pagination lines dropped")
    cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()
    return cleaned, found_date, notes


def _decode(raw: bytes, source: str) -> tuple[str, list[str]]:
    head = raw[:8192]
    if b"\x00" in head and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _problem(source, "content", f"binary data ({len(raw)} bytes)", "a text or HTML page")
    for enc in ("utf-8-sig", "utf-16") if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig",):
        try:
            return raw.decode(enc), []
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise _problem(source, "encoding", "undecodable bytes", "text in UTF-8 or another known encoding")
    text = str(best)
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\n\r\t")
    if controls > 0.05 * max(1, len(text[:4096])):
        raise _problem(source, "content", "binary data", "a text or HTML page")
    return text, [f"decoded as {best.encoding} (not UTF-8)"]


def _from_html(html: str, source: str) -> tuple[str, str, date | None]:
    import trafilatura

    body = trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True, output_format="txt")
    meta = trafilatura.extract_metadata(html)
    title = (meta.title if meta else None) or ""
    published = _parse_date(meta.date if meta else None)
    if not body:
        import lxml.html

        try:
            tree = lxml.html.fromstring(html)
        except Exception as exc:  # lxml raises several types for broken markup
            raise _problem(source, "html", type(exc).__name__, "parsable HTML") from exc
        for bad in tree.xpath("//script|//style|//noscript|//template"):
            bad.drop_tree()
        body = re.sub(r"[ \t]+", " ", tree.text_content())
    return body or "", title, published


def page_from_text(text: str, *, source: str, published: date | None = None, kind: str = "text",
                   title: str = "", notes: list[str] | None = None) -> Page:  # fmt: skip
    """A :class:`Page` from already decoded plain text."""
    cleaned, found, more = clean_text(text)
    if not cleaned.strip():
        raise _problem(source, "text", "empty page", "a page with some text")
    digest = hashlib.sha256(re.sub(r"\s+", " ", cleaned).encode("utf-8")).hexdigest()
    first = next((ln.strip() for ln in cleaned.split("\n") if ln.strip() and not TICKER_RE.search(ln)), "")
    return Page(source, title or first[:200], cleaned, published or found, digest, kind, (*(notes or []), *more))


def page_from_bytes(raw: bytes, *, source: str, published: date | None = None, max_bytes: int | None = None) -> Page:
    """A :class:`Page` from a file's bytes: size and binary checks, decoding, HTML main-text extraction."""
    limit = int(max_bytes if max_bytes is not None else settings.get("evidence_max_page_bytes"))
    if len(raw) > limit:
        raise _problem(
            source, "size", f"{len(raw) / 1e6:.1f} MB", f"at most {limit / 1e6:.1f} MB (option evidence_max_page_bytes)"
        )
    if not raw.strip():
        raise _problem(source, "text", "empty page", "a page with some text")
    text, notes = _decode(raw, source)
    if _HTML.search(raw[:4096]):
        body, title, found = _from_html(text, source)
        return page_from_text(body, source=source, published=published or found, kind="html", title=title, notes=notes)
    return page_from_text(text, source=source, published=published, notes=notes)


def read_page(path: str | Path, *, published: date | None = None, max_bytes: int | None = None) -> Page:
    """Read one page file; the size is checked before the file is read."""
    p = Path(path)
    if not p.is_file():
        raise _problem(str(p), "path", str(p), "an existing file")
    limit = int(max_bytes if max_bytes is not None else settings.get("evidence_max_page_bytes"))
    size = p.stat().st_size
    if size > limit:
        raise _problem(p.name, "size", f"{size / 1e6:.1f} MB", f"at most {limit / 1e6:.1f} MB (option evidence_max_page_bytes)")
    return page_from_bytes(p.read_bytes(), source=p.name, published=published, max_bytes=limit)
