"""Time expressions in a sentence → the period a figure refers to (year, half, quarter, month range, "by 2030").

Each expression becomes a :class:`TimeExpr` with an ISO start and end date (either may be open). Relative
expressions ("currently", "this year", "to date") resolve against the page's publication date; "that same
year" resolves against the last explicit year stated before the sentence.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from corridor.evidence.lexicon import MONTHS

__all__ = ["TimeExpr", "find_time_expressions", "years_in"]

_Y = r"(?:19[5-9]\d|20\d\d|21[0-4]\d)"
_MON = "|".join(sorted(MONTHS, key=len, reverse=True))
_ORD = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": 4}
_NUMW = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
         "ten": 10, "eleven": 11, "twelve": 12}  # fmt: skip


@dataclass(frozen=True)
class TimeExpr:
    """A time expression found at ``[start, end)`` of the sentence, resolved to a period."""

    start: int
    end: int
    period_start: str | None
    period_end: str | None
    ignored: bool = False  # a baseline ("compared to 2023") or a date of publishing, not the figure's period


def _ymd(y: int, m: int = 1, d: int = 1) -> str:
    return date(y, m, d).isoformat()


def _month_end(y: int, m: int) -> str:
    return _ymd(y, m, calendar.monthrange(y, m)[1])


def _year(y: int) -> tuple[str, str]:
    return _ymd(y), _ymd(y, 12, 31)


def _num(word: str) -> int:
    return int(word) if word.isdigit() else _NUMW.get(word.lower(), 0)


_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\b(?:the\s+)?first\s+(\w+)\s+months\s+of\s+(?:the\s+year\s+)?({_Y})\b", re.I), "first_months"),
    (re.compile(rf"\b(?:the\s+)?(first|second)\s+half\s+of\s+({_Y})\b", re.I), "half"),
    (re.compile(rf"\b([HhSs][12]|[12]H)\s*({_Y})\b"), "half_code"),
    (re.compile(rf"\b(?:the\s+)?(first|second|third|fourth|last)\s+quarter\s+of\s+({_Y})\b", re.I), "quarter"),
    (re.compile(rf"\b(Q[1-4]|[1-4]Q)\s*({_Y})\b"), "quarter_code"),
    (re.compile(rf"\b({_MON})\.?\s*(?:-|–|—|to|through)\s*({_MON})\.?\s+({_Y})\b", re.I), "month_range"),
    (re.compile(rf"\bbetween\s+({_MON})\.?\s+and\s+({_MON})\.?\s+({_Y})\b", re.I), "month_range"),
    (re.compile(rf"\b({_MON})\.?\s+(\d{{1,2}}),\s*({_Y})\b", re.I), "day_mdy"),
    (re.compile(rf"\b(?:by|until|till|through)\s+(?:the\s+end\s+of\s+)?({_MON})\.?\s+({_Y})\b", re.I), "by_month"),
    (re.compile(rf"\b(?:since|from)\s+({_MON})\.?\s+({_Y})\b", re.I), "since_month"),
    (re.compile(rf"\b(\d{{1,2}})\s+({_MON})\.?\s+({_Y})\b", re.I), "day_dmy"),
    (re.compile(rf"\b(?:(early|late|mid-?)\s*)?({_MON})\.?\s+({_Y})\b", re.I), "month"),
    (re.compile(rf"\bbetween\s+({_Y})\s+and\s+({_Y})\b", re.I), "range"),
    (re.compile(rf"\bfrom\s+({_Y})\s+(?:to|until|through)\s+({_Y})\b", re.I), "range"),
    (re.compile(rf"\b({_Y})\s*(?:-|–|—)\s*({_Y}|\d\d)\b"), "range"),
    (re.compile(rf"\b({_Y})\s+and\s+({_Y})\b"), "range"),
    (re.compile(rf"\bbetween\s+({_Y})\s+and\b(?!\s+\d)", re.I), "since"),
    (re.compile(rf"\b({_Y})/(\d\d)\b"), "fiscal"),
    (re.compile(rf"\bby\s+(?:the\s+end\s+of\s+|end-)?({_Y})\b", re.I), "by"),
    (re.compile(rf"\b(?:until|till|through|up\s+to)\s+({_Y})\b", re.I), "by"),
    (re.compile(rf"\b(?:since|from)\s+({_Y})\b", re.I), "since"),
    (re.compile(rf"\b(?:(early|late|mid-?)\s*)?({_Y})(?![\d%/.,]\d|\s*(?:%|percent|tons|tonnes|km|TEU))\b(?!s\b)"), "year"),
    (re.compile(r"\b(?:in\s+)?the\s+next\s+(\w+)\s+years\b", re.I), "next_years"),
    (re.compile(r"\b(?:the\s+)?(first|second|third|fourth)\s+quarter\b", re.I), "quarter_pub"),
    (re.compile(r"\b(?:the\s+)?(first|second)\s+half\b(?!\s+of\s+the\s+\d)", re.I), "half_pub"),
    (re.compile(r"\b(?:this|the\s+current)\s+year\b", re.I), "this_year"),
    (re.compile(r"\b(?:last|the\s+previous|the\s+past)\s+year\b", re.I), "last_year"),
    (re.compile(r"\bnext\s+year\b", re.I), "next_year"),
    (re.compile(r"\b(?:last|the\s+previous|the\s+past)\s+month\b", re.I), "last_month"),
    (re.compile(r"\bthis\s+month\b", re.I), "this_month"),
    (re.compile(r"\b(?:that\s+same|the\s+same|that)\s+year\b", re.I), "same_year"),
    (re.compile(r"\b(?:currently|now|to\s+date|today|at\s+present|so\s+far|presently)\b", re.I), "now"),
]

_BASELINE = re.compile(r"(?:compared\s+(?:to|with)|than|versus|vs\.?|from|relative\s+to)\s+(?:the\s+)?(?:\w+\s+){0,3}$", re.I)
_PUBLISHED = re.compile(r"(?:published|dated|founded|established|born|signed|issued)\s+(?:in\s+|on\s+)?$", re.I)


def _resolve(kind: str, g: tuple[str | None, ...], published: date | None, last_year: int | None):
    """(start, end) for one match; None when a relative expression cannot be resolved."""
    pub = published.year if published else None
    if kind == "first_months":
        n, y = _num(g[0] or ""), int(g[1] or 0)
        return (_ymd(y), _month_end(y, n)) if 1 <= n <= 12 else None
    if kind in ("half", "half_code"):
        code, y = (g[0] or "").lower(), int(g[1] or 0)
        first = code in ("first", "h1", "1h", "s1")
        return (_ymd(y), _ymd(y, 6, 30)) if first else (_ymd(y, 7, 1), _ymd(y, 12, 31))
    if kind in ("quarter", "quarter_code"):
        code, y = (g[0] or "").lower(), int(g[1] or 0)
        q = _ORD.get(code) or int(code.strip("qQ"))
        return _ymd(y, 3 * q - 2), _month_end(y, 3 * q)
    if kind == "month_range":
        y = int(g[2] or 0)
        return _ymd(y, MONTHS[(g[0] or "").lower()]), _month_end(y, MONTHS[(g[1] or "").lower()])
    if kind == "day_mdy":
        d = _ymd(int(g[2] or 0), MONTHS[(g[0] or "").lower()], int(g[1] or 1))
        return d, d
    if kind == "day_dmy":
        d = _ymd(int(g[2] or 0), MONTHS[(g[1] or "").lower()], int(g[0] or 1))
        return d, d
    if kind == "month":
        y, m = int(g[2] or 0), MONTHS[(g[1] or "").lower()]
        return _ymd(y, m), _month_end(y, m)
    if kind == "range":
        a, b = int(g[0] or 0), g[1] or ""
        end = int(b) if len(b) == 4 else (a // 100) * 100 + int(b)
        return (_ymd(a), _ymd(end, 12, 31)) if end >= a else None
    if kind == "fiscal":
        a = int(g[0] or 0)
        return _ymd(a), _ymd(a + 1, 12, 31)
    if kind == "by_month":
        y, m = int(g[1] or 0), MONTHS[(g[0] or "").lower()]
        return None, _month_end(y, m)
    if kind == "since_month":
        return _ymd(int(g[1] or 0), MONTHS[(g[0] or "").lower()]), None
    if kind == "by":
        return None, _ymd(int(g[0] or 0), 12, 31)
    if kind == "since":
        return _ymd(int(g[0] or 0)), None
    if kind == "year":
        return _year(int(g[1] or 0))
    if kind == "next_years":
        n = _num(g[0] or "")
        return (_ymd(pub), _ymd(pub + n, 12, 31)) if pub and n else (None, None)
    if kind in ("quarter_pub", "half_pub"):
        if not pub:
            return None, None
        return _resolve(kind.split("_")[0], (g[0], str(pub)), published, last_year)
    if kind in ("last_month", "this_month"):
        if not published:
            return None, None
        y, m = published.year, published.month - (kind == "last_month")
        y, m = (y - 1, 12) if m == 0 else (y, m)
        return _ymd(y, m), _month_end(y, m)
    offsets = {"this_year": 0, "now": 0, "last_year": -1, "next_year": 1}
    if kind in offsets:
        return _year(pub + offsets[kind]) if pub else (None, None)
    if kind == "same_year":
        return _year(last_year) if last_year else (None, None)
    return None


def find_time_expressions(sentence: str, published: date | None = None, last_year: int | None = None) -> list[TimeExpr]:
    """Every time expression in *sentence*, longest first where they overlap, left to right."""
    found: list[TimeExpr] = []
    taken: list[tuple[int, int]] = []
    for pattern, kind in _PATTERNS:
        for m in pattern.finditer(sentence):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            span = _resolve(kind, m.groups(), published, last_year)
            if span is None:
                continue
            before = sentence[max(0, s - 40) : s]
            ignored = bool(_BASELINE.search(before)) and kind not in ("range", "since", "by", "month_range", "since_month")
            ignored = ignored or (kind == "year" and bool(_PUBLISHED.search(before)))
            found.append(TimeExpr(s, e, span[0], span[1], ignored))
            taken.append((s, e))
    return sorted(found, key=lambda t: t.start)


def years_in(text: str) -> list[int]:
    """Explicit four-digit years in *text*, in order (for "that same year")."""
    return [int(y) for y in re.findall(rf"\b({_Y})\b(?!\s*(?:%|tons|km))", text)]
