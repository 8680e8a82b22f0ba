"""The claim extractor: sentences → numbers with units → bound, modality, property, period and subject.

Written for news text about trade, transport and energy. It is token/regex based and fast (no model), keeps the
character span of every figure, and never reports years, dates, list numbers or ids as quantities. Subjects are
resolved with the network's own names (see :mod:`corridor.evidence.subjects`); a sentence without one inherits the
subject of the claim just before it ("shipments surged 5.5-fold …") or of the infrastructure named in the
previous two sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from corridor.evidence.claims import Bound, Claim, Modality
from corridor.evidence.lexicon import TICKER_RE
from corridor.evidence.numbers import RawQuantity, scan_numbers
from corridor.evidence.periods import TimeExpr, find_time_expressions, years_in
from corridor.evidence.subjects import Gazetteer, Mention

__all__ = ["extract_claims", "split_sentences"]

_ABBREV = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|St|No|Nr|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|vs|etc|approx|Inc|Ltd|Co|"
                     r"Corp|Gov|Gen|Sen|Rep|Prof|Jr|Sr|e\.g|i\.e)|\b[A-Z]|\b[A-Z]\.[A-Z])\.$")  # fmt: skip
_SENT_END = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s+[^a-z\s])|\n+")

_QUOTA = re.compile(r"\bquotas?\b", re.I)
_CAPACITY = re.compile(r"\bcapacit(?:y|ies)\b|\bcapable\s+of\b|\bdesigned\s+(?:to|for)\b|\bnameplate\b", re.I)
_TARGET = re.compile(
    r"\b(?:aims?|aimed|aiming|targets?|targeted|targeting|goal|goals|plans?\s+to|planned|intends?|seeks?\s+to|"
    r"ambition|ambitious|wants?\s+to|pledged?|commit(?:ted|s)?\s+to|set\s+to\s+reach|strives?|raise)\b",
    re.I,
)
_PROJECTED = re.compile(
    r"\b(?:projected|projections?|expected|expects?|forecasts?|forecasted|will|would|could|may|might|set\s+to|"
    r"likely|anticipated|predicted|outlook|estimated\s+to|should|needed)\b",
    re.I,
)
_CHAIN = re.compile(r"^[^;.]*\b(?:to|reaching|at)\s*$", re.I)
_FROM_BASE = re.compile(r"\bfrom\s+(?:\w+\s+){0,2}$", re.I)
_CHANGE = re.compile(
    r"\b(?:by|grew|grow|growth|increase[ds]?|decrease[ds]?|rise|rose|risen|fell|fall|drop(?:ped)?|surged?|jump(?:ed)?|"
    r"up|down|declined?|climbed?|gained?|lost|another|expanded?|reduced?|cut)\b[^.,;]{0,25}$",
    re.I,
)
_LEVEL_BEFORE = re.compile(r"\b(?:to|at|reached|of)\s+(?:about|around|nearly|almost|some|just)?\s*$", re.I)
_CHANGE_AFTER = re.compile(
    r"\s*(?:drop|decline|increase|rise|fall|jump|gain|growth|decrease|cut|hike|surge|slump|plunge|rebound)", re.I
)
_OTHER_PROPERTY = {"degC": "temperature", "degF": "temperature", "ha": "area", "km2": "area", "acre": "area",
                   "km/h": "speed", "mph": "speed", "kn": "speed", "GW": "power", "MW": "power", "kW": "power",
                   "energy": "energy", "kg": "mass", "g": "mass", "lb": "mass", "l": "volume", "gal": "volume",
                   "m3": "volume", "s": "duration", "cm": "length", "mm": "length", "ft": "length", "in": "length"}  # fmt: skip
_INVEST = re.compile(r"invest|fund|financ|loan|capital|pledge|grant|credit|worth|project|deal|guarant|FDI|\bcost", re.I)
_TRADE = re.compile(r"trade|turnover|export|import|revenue|sales|supplied|supply", re.I)
_PRICE = re.compile(r"price|tariff|fee|per\s+(?:ton|tonne|TEU|container|barrel)|charge", re.I)
_CUSTOMS = re.compile(r"customs|clearance|declaration|border|processing", re.I)
_TRANSIT = re.compile(r"transit|journey|delivery|travel|trip|voyage|route", re.I)
_RESERVE = re.compile(r"reserves?|deposits?|resources", re.I)
_REPORTING = re.compile(
    r"\b(?:said|says|stated|noted|stressed|told\s+\w+|added|explained|announced|argued)\s*(?:that\b|[,:]?\s*[“\"])", re.I
)
_ANAPHOR = re.compile(r"\bthe\s+(pipeline|corridor|route|port|railway|line|terminal)(?:'s|’s)?\b", re.I)
_ANAPHOR_KIND = {"pipeline": "pipeline", "corridor": "corridor", "route": "corridor", "port": "port", "railway": "rail",
                 "line": "rail", "terminal": "port"}  # fmt: skip

_INFRA = {"link", "node", "corridor", "project"}
_MONEY_LIKE = {"investment", "trade_value", "price", "value", "share", "change", "count"}
_PRIORITY_PHYSICAL = {"link": 5, "project": 5, "node": 4, "corridor": 4, "city": 2, "country": 1, "currency": 0}
_PRIORITY_MONEY = {"project": 5, "link": 4, "node": 4, "corridor": 3, "country": 3, "city": 3, "currency": 0}
_PREPOSITION = re.compile(r"\b(?:through|via|along|at|into|across)\s+(?:the\s+)?$", re.I)
_WEAK_PREPOSITION = re.compile(r"\b(?:in|on|of|to)\s+(?:the\s+)?$", re.I)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; line breaks always end one; abbreviations and initials do not."""
    spans, start = [], 0
    for m in _SENT_END.finditer(text):
        if m.group(0)[0] != "\n" and _ABBREV.search(text[max(0, m.start() - 8) : m.start() + 1]):
            continue
        end = m.end() if m.group(0)[0] != "\n" else m.start()
        if text[start:end].strip():
            spans.append((start, end))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return [(s + len(text[s:e]) - len(text[s:e].lstrip()), e) for s, e in spans]


@dataclass
class _DocState:
    """What the extractor remembers across sentences of one document."""

    published: date | None
    last_year: int | None = None
    recent: list[tuple[int, Mention]] = field(default_factory=list)  # (sentence index, mention)
    claims: list[tuple[int, Claim]] = field(default_factory=list)


def _modality(s: str, q: RawQuantity, prev_end: int) -> Modality:
    before = s[max(prev_end, q.start - 45) : q.start]
    after = s[q.end : q.end + 12]
    if _QUOTA.search(before) or _QUOTA.search(after):
        return Modality.QUOTA
    if _CAPACITY.search(before) or _CAPACITY.search(re.split(r"[;(]", s[q.end : q.end + 25])[0]):
        return Modality.CAPACITY
    if _FROM_BASE.search(s[: q.start]):
        return Modality.ACTUAL
    head = s[: q.start]
    tail = re.split(r"[,;(—–]", s[q.end :])[0]
    cues = [(m.end(), Modality.TARGET) for m in _TARGET.finditer(head)]
    cues += [(m.end(), Modality.PROJECTED) for m in _PROJECTED.finditer(head)]
    if cues:
        return max(cues)[1]
    if _PROJECTED.search(tail):
        return Modality.PROJECTED
    if _TARGET.search(tail):
        return Modality.TARGET
    return Modality.ACTUAL


def _property(s: str, q: RawQuantity, modality: Modality) -> str:
    unit = q.unit or ""
    if unit == "count":
        return "count"
    if unit == "":
        return "amount"  # a number with a scale word and nothing else
    if unit in ("times", "pp"):
        return "change"
    if unit in ("%", "bp"):
        if re.match(r"\s+of\b", s[q.end :]):
            return "share"
        if _LEVEL_BEFORE.search(s[: q.start]):
            return "share"  # "raised the rate by 100 bp to 16.25%": the level reached
        return "change" if _CHANGE.search(s[: q.start]) or _CHANGE_AFTER.match(s[q.end :]) else "share"
    if q.currency and "/" in unit:
        return "price"
    if q.currency:
        ctx = s[max(0, q.start - 80) : q.end + 60]
        if _PRICE.search(ctx) and not _INVEST.search(ctx):
            return "price"
        if _INVEST.search(ctx):
            return "investment"
        return "trade_value" if _TRADE.search(ctx) else "value"
    if unit in ("km", "m", "mi"):
        return "length"
    if unit in _OTHER_PROPERTY:
        return "capacity" if modality is Modality.CAPACITY and _OTHER_PROPERTY[unit] == "power" else _OTHER_PROPERTY[unit]
    if unit in ("days", "weeks", "months", "years") and re.search(r"\bold\b", s[q.start : q.end]):
        return "age"
    if unit in ("min", "h", "days", "weeks", "months", "years"):
        if _CUSTOMS.search(s):
            return "customs_time"
        return "transit_time" if _TRANSIT.search(s) else "duration"
    if modality is Modality.CAPACITY:
        return "capacity"
    if _RESERVE.search(s[max(0, q.start - 60) : q.end + 40]):
        return "reserve"
    return "flow"


def _period(exprs: list[TimeExpr], s: str, q: RawQuantity, others: list[RawQuantity]) -> TimeExpr | None:
    """The time expression that dates *q*: the nearest one following it with no other figure between, else the
    nearest one before it not cut off by a reporting verb ("In 2022, he said that …")."""
    live = [t for t in exprs if not t.ignored]
    after = [t for t in live if t.start >= q.end and t.start - q.end <= 80]
    chain = q.unit in ("%", "times", "pp")
    for t in after:
        between = [o for o in others if q.end <= o.start < t.start]
        gap = s[q.end : between[0].start] if between else ""
        gap_ok = not between or (chain and len(between) == 1 and len(gap) <= 30 and bool(_CHAIN.search(gap)))
        if gap_ok and not re.search(r"[;]", s[q.end : t.start]):
            return t
        break
    before = [t for t in live if t.end <= q.start]
    for t in reversed(before):
        if not _REPORTING.search(s[t.end : q.start]):
            return t
        break
    return None


def _score(mention: Mention, q: RawQuantity, s: str, prop: str) -> float:
    table = _PRIORITY_MONEY if prop in _MONEY_LIKE else _PRIORITY_PHYSICAL
    kind = mention.kind
    score = table.get(kind, 0) * 100.0
    distance = q.start - mention.end if mention.end <= q.start else mention.start - q.end
    score -= max(distance, 0) / 2
    if _PREPOSITION.search(s[: mention.start]):
        score += 60
    elif _WEAK_PREPOSITION.search(s[: mention.start]):
        score += 20
    return score


def _anaphors(s: str, index: int, state: _DocState) -> list[Mention]:
    out = []
    for m in _ANAPHOR.finditer(s):
        want = _ANAPHOR_KIND[m.group(1).lower()]
        for _, prev in reversed(state.recent):
            hit = (
                (want == "pipeline" and prev.kind == "link" and "pipeline" in prev.detail)
                or (want == "corridor" and prev.kind == "corridor")
                or (want == "port" and prev.kind == "node" and prev.detail in ("seaport", "river_port", "dry_port"))
                or (want == "rail" and prev.kind == "link" and prev.detail == "rail")
            )
            if hit:
                out.append(Mention(m.start(), m.end(), prev.subject_id, prev.kind, prev.name, prev.detail))
                break
    return out


def _subject(q: RawQuantity, s: str, prop: str, mentions: list[Mention], index: int, state: _DocState):
    """(display, subject_id, how) for *q*: named in the sentence, else inherited, else the recent topic."""
    usable = [m for m in mentions if m.kind != "currency"]
    if usable:
        best = max(usable, key=lambda m: _score(m, q, s, prop))
        if best.kind in ("country", "city") and prop not in _MONEY_LIKE:
            # "Kazakhstan was allocated a quota of 1.5 Mt" right after a sentence about BTC is about BTC
            for idx, prev in reversed(state.claims):
                if index - idx <= 1 and prev.subject_id and prev.subject_id.split(":")[0] in _INFRA:
                    return prev.subject, prev.subject_id, "inherited from the previous figure"
                break
        return best.name, best.subject_id, "named"
    for idx, prev in reversed(state.claims):
        if index - idx > 2:
            break
        if prev.subject_id:
            return prev.subject, prev.subject_id, "inherited from the previous figure"
    for idx, prev_m in reversed(state.recent):
        if index - idx > 2:
            break
        if prev_m.kind in ("link", "node", "corridor", "project"):
            return prev_m.name, prev_m.subject_id, "topic of the previous sentences"
    return None, None, "none"


def _ticker_claims(text: str, s0: int, s: str, published: date | None) -> tuple[list[Claim], list[tuple[int, int]]]:
    claims, spans = [], []
    day = published.isoformat() if published else None
    for m in TICKER_RE.finditer(s):
        base, quote = m.group("base"), m.group("quote")
        a, b = m.start(), m.end("num")
        claims.append(
            Claim(
                s0 + a,
                s0 + b,
                text[s0 + a : s0 + b],
                s.strip(),
                float(m.group("num")),
                None,
                None,
                Bound.EXACT,
                f"{quote}/{base}",
                quote,
                None,
                day,
                day,
                Modality.ACTUAL,
                base,
                f"currency:{base}",
                "exchange_rate",
                confidence=0.95,
            )
        )
        spans.append((a, m.end()))
    return claims, spans


def extract_claims(text: str, gazetteer: Gazetteer | None = None, published: date | None = None) -> list[Claim]:
    """Every quantitative claim in *text*, with spans into *text*; subjects need a *gazetteer*."""
    state = _DocState(published)
    out: list[Claim] = []
    for index, (s0, s1) in enumerate(split_sentences(text)):
        s = text[s0:s1]
        tickers, skip = _ticker_claims(text, s0, s, published)
        out.extend(tickers)
        raws = scan_numbers(s, skip)
        mentions = gazetteer.find(s) if gazetteer else []
        mentions = sorted(mentions + _anaphors(s, index, state), key=lambda m: m.start)
        exprs = find_time_expressions(s, published, state.last_year) if raws else []
        prev_end = 0
        for q in raws:
            out.append(_claim(text, s0, s, q, raws, exprs, mentions, index, state, prev_end))
            prev_end = q.end
        state.recent.extend((index, m) for m in mentions if m.kind != "currency")
        years = years_in(s)
        state.last_year = years[-1] if years else state.last_year
    return out


def _claim(text, s0, s, q, raws, exprs, mentions, index, state, prev_end) -> Claim:
    modality = _modality(s, q, prev_end)
    prop = _property(s, q, modality)
    t = _period(exprs, s, q, [o for o in raws if o is not q])
    name, sid, how = _subject(q, s, prop, mentions, index, state)
    if sid and sid.startswith("node:") and prop in _MONEY_LIKE and _city_country(mentions, sid):
        sid = _city_country(mentions, sid)
    confidence = 0.95 - 0.15 * bool(q.notes) - 0.1 * (how != "named") - 0.1 * (sid is None) - 0.05 * (t is None)
    claim = Claim(
        s0 + q.start, s0 + q.end, text[s0 + q.start : s0 + q.end], s.strip(), q.value, q.low, q.high, Bound(q.bound),
        q.unit or "", q.currency, q.rate, t.period_start if t else None, t.period_end if t else None, modality,
        name, sid, prop, q.counted, round(max(confidence, 0.3), 2), [*q.notes] + ([f"subject {how}"] if sid else []),
    )  # fmt: skip
    state.claims.append((index, claim))
    return claim


def _city_country(mentions: list[Mention], sid: str) -> str | None:
    """A city named for money, trade or shares stands for its country (Astana → Kazakhstan)."""
    for m in mentions:
        if m.subject_id == sid and m.kind == "city" and m.detail.startswith("country:"):
            return m.detail
    return None
