"""Numbers with their units in one sentence: currency, scale word, range, unit, rate, bound — and what is not a
quantity (years, dates, ages, list numbers, names like "Dos 2", article ids, snippet cuts like "$10.5...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corridor.evidence.lexicon import (
    BOUND_OF,
    BOUND_RE,
    COUNT_STOP,
    CURRENCY_AFTER,
    CURRENCY_BEFORE_RE,
    CURRENCY_SYMBOL,
    MONTHS,
    NUMBER_RE,
    RATE_LATER_RE,
    RATE_NAME,
    RATE_RE,
    SCALE,
    UNIT_RE,
    WORD_NUMBERS,
    word_value,
)

__all__ = ["RawQuantity", "scan_numbers"]

_SCALE_RE = re.compile(r"\s*(thousand|millions?|billions?|trillion|mln|mn|bln|bn|trn|tn|lakh|crores?)\b", re.I)
_SCALE_TIGHT_RE = re.compile(r"(k|m|M|b|B|bn|mn|tn)\b")
_RANGE_RE = re.compile(
    r"(?P<sep>\s*(?:-|–|—)\s*|\s+(?:to|and|or)\s+)(?P<cur>US\$|\$|€|£)?(?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?![\d])"
)
_CUR_AFTER_RE = re.compile(r"\s*(" + "|".join(sorted(map(re.escape, CURRENCY_AFTER), key=len, reverse=True)) + r")\b", re.I)
_MONTH_WORD = re.compile(r"\b(" + "|".join(MONTHS) + r")\.?\s*$", re.I)
_MONTH_AFTER = re.compile(r"^\s*(?:-\s*\d+\s+)?(" + "|".join(MONTHS) + r")\b", re.I)
_AGO = re.compile(r"^\s*(?:ago|later|earlier|before|after)\b", re.I)
_OLD = re.compile(r"(?:\s*|-)old\b", re.I)
_CLOCK = re.compile(r"^\s*(?:a\.m\.|p\.m\.|am\b|pm\b|o'clock|GMT|UTC)", re.I)
_OF_WHOM = re.compile(r"^\s+of\s+(?:whom|which|them|those)\b", re.I)
_TO_BEFORE = re.compile(r"\bto\s+(?:\w+\s+)?$", re.I)
_LOWER_PLURAL_NEXT = re.compile(r"\s+(?:[A-Z][a-z]+\s+)*[a-z]+s\b")
_MODIFIERS = frozenset({"more", "fewer", "additional", "extra", "other", "new", "less"})
_NOUNS_LY = frozenset({"supply", "family", "ally", "assembly", "rally", "italy"})
_WORD = re.compile(r"\s+([A-Za-z][a-z]+(?:-[a-z]+)?)")
_PER_UNIT = re.compile(
    r"\s*(?:a|an|per|/)\s*(barrel|bbl|tonne|ton|t|TEU|container|wagon|km|kg|MWh|kWh|litre|liter|share|hour|day|month|year|"
    r"person|head|night|gallon)\b",
    re.I,
)
_PER_NAME = {"barrel": "bbl", "tonne": "t", "ton": "t", "teu": "TEU", "container": "container", "wagon": "wagon",
             "litre": "l", "liter": "l", "mwh": "MWh", "kwh": "kWh", "hour": "h", "gallon": "gal"}  # fmt: skip
_CHANGE_BEFORE = re.compile(
    r"\b(?:by|rose|rise|risen|grew|grow|increased?|fell|fall|dropped|declined?|jumped|climbed|surged|gained|lost|up|down)"
    r"\s+(?:\w+\s+){0,1}$",
    re.I,
)
_FROM_BEFORE = re.compile(r"\bfrom\s+(?:\w+\s+){0,2}$", re.I)
_LABEL_BEFORE = re.compile(
    r"\b(?:magnitude|level|grade|category|phase|number|version|stage|round|article|section|chapter|page|line|"
    r"gate|terminal|platform|route|flight|lot|item|model|size|type|class|no|nr|unit|block|zone|tier|step)\s+$",
    re.I,
)
_OF_COUNT = re.compile(r"\s+(?:of|out\s+of)\s+(?:the\s+)?(?:\d{1,3}(?:,\d{3})+|\d+)\s+([a-z]+)", re.I)
_WORD_SKIP_BEFORE = re.compile(r"\b(?:first|last|next|final|initial|previous|coming|following|top|the\s+other)\s+$", re.I)
_WORD_SKIP_AFTER = re.compile(r"-(?:thirds?|quarters?|fifths?|halves|tenths?)\b|\s+(?:of|or|to|and|times)\b", re.I)
_YEARLIKE = re.compile(r"^(?:1[89]\d\d|20\d\d|21\d\d)$")


@dataclass
class RawQuantity:
    """One number found in a sentence, with everything read around it; offsets are within the sentence."""

    start: int
    end: int
    value: float | None
    low: float | None
    high: float | None
    unit: str | None
    currency: str | None = None
    rate: str | None = None
    bound: str = "exact"
    counted: str | None = None
    notes: list[str] = field(default_factory=list)


def _parse_num(text: str) -> float:
    return float(text.replace(",", ""))


def _scale_at(s: str, pos: int, tight: bool) -> tuple[float, int]:
    m = _SCALE_RE.match(s, pos)
    if m:
        return SCALE[m.group(1).lower()], m.end()
    if tight:
        m = _SCALE_TIGHT_RE.match(s, pos)
        if m:
            return SCALE[m.group(1).lower()], m.end()
    return 1.0, pos


def _unit_at(s: str, pos: int, compound: bool) -> tuple[str | None, str | None, int]:
    """(unit, rate, end) of the unit phrase at *pos* (after optional space; right away after a hyphen)."""
    start = pos if compound else pos + (len(s[pos:]) - len(s[pos:].lstrip(" \u00a0")))
    for rx, unit, rate in UNIT_RE:
        m = rx.match(s, start)
        if m:
            return unit, rate, m.end()
    return None, None, pos


def _count_noun(s: str, pos: int) -> tuple[str | None, int]:
    """The counted noun after a bare number ("607 citizens", "145 joint projects"), or None."""
    words, end, seen = [], pos, 0
    for m in _WORD.finditer(s, pos):
        if m.start() != end or seen >= 4:
            break
        w = m.group(1)
        seen += 1
        if w.lower() in COUNT_STOP or (words and w.endswith(("ed", "ing"))):
            break
        if w[0].isupper() and not words and seen == 1 and not _LOWER_PLURAL_NEXT.match(s, m.end()):
            return None, pos  # "Dos 2 showed", "22 December": a name or a date follows
        end = m.end()
        if w[0].isupper() or (w.endswith("ly") and w.lower() not in _NOUNS_LY) or w.lower() in _MODIFIERS:
            continue  # "two major Eurasian actors", "three generally discussed possibilities"
        words.append(w)
        if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
            break  # the plural head noun ends the phrase
    if not words:
        return None, pos
    plural = [w for w in words if w.endswith("s") and not w.endswith("ss")]
    head = plural[0] if plural else words[-1]
    cut = s.find(head, pos) + len(head)
    return head.lower(), cut


def _excluded_bare(s: str, start: int, end: int, number: str, sentence_first: bool) -> str | None:
    """Why a number without a unit is not a quantity (a year, a date, a name, an id), or None."""
    if _YEARLIKE.match(number):
        return "year"
    if _MONTH_WORD.search(s[:start]) or _MONTH_AFTER.match(s[end:]):
        return "date"
    if s[max(0, start - 1) : start] == "(" and s[end : end + 1] == ")":
        return "parenthesised number"
    prev = re.search(r"([A-Za-z][\w.]*)\s+$", s[:start])
    first_word = prev is not None and not s[: prev.start()].strip(" \"“‘'(")
    if prev and prev.group(1)[0].isupper() and not sentence_first and not first_word:
        return "name"
    if re.search(r"(?:#|\bNo\.?|\bNr\.?)\s*$", s[:start]):
        return "number sign"
    if _LABEL_BEFORE.search(s[:start]):
        return "label number"
    return None


def _is_date_or_noise(s: str, start: int, end: int, number: str) -> str | None:
    """Reasons that hold even with a unit: ordinals, clock times, snippet cuts, dates, list numbers."""
    if re.match(r"(?:st|nd|rd|th)\b", s[end : end + 3]):
        return "ordinal"
    if re.match(r":\d", s[end : end + 2]) or _CLOCK.match(s[end:]):
        return "clock time"
    if s[end : end + 3] == "..." or s[end : end + 1] == "…":
        return "cut by the snippet"
    if start == 0 and re.match(r"[.)]\s", s[end : end + 2]) and "." not in number:
        return "list number"
    if _MONTH_WORD.search(s[:start]) and not re.match(r"\s*(?:%|tons|tonnes|km|TEU|bcm)", s[end:]):
        return "date"
    return None


def _number_at(s: str, m: re.Match[str]) -> tuple[str, float, int, bool] | None:
    """(text, value, end, is a counting word) of one number match, or None when it is not a quantity."""
    start, end = m.span()
    if s[max(0, start - 2) : start - 1].isalnum() and s[start - 1 : start] in "+-" and start > 0:
        return None  # "C5+1", "Su-27": part of a name
    if m.group("num"):
        number, value = m.group("num"), _parse_num(m.group("num"))
    elif m.group("cword") is not None:
        number, value = m.group("cword"), word_value(m.group("cword"))
        if value is None or _WORD_SKIP_BEFORE.search(s[:start]) or _WORD_SKIP_AFTER.match(s[end:]):
            return None
    else:
        number, value = m.group("word"), WORD_NUMBERS.get(re.sub(r"\s+", " ", m.group("word").lower()))
        if value is None:
            return None
    if _is_date_or_noise(s, start, end, number):
        return None
    return number, float(value), end, m.group("cword") is not None


def _range_at(s: str, pos: int, q_start: int, value: float, scale: float, currency: str | None):
    """A range continuing at *pos* ("2–2.5 million", "between 6 and 14"): (low, high, scale, pos, currency)."""
    rm = _RANGE_RE.match(s, pos)
    sep = rm.group("sep").strip() if rm else ""
    if not rm or (sep == "and" and not re.search(r"between\s+\S*$", s[:q_start])) or _FROM_BEFORE.search(s[:q_start]):
        return None
    if sep == "to" and rm.group("cur") and _CHANGE_BEFORE.search(s[:q_start]):
        return None  # "increased by $43.6 billion to $419.2 billion": a change, then a level
    second = _parse_num(rm.group("num"))
    scale2, pos2 = _scale_at(s, rm.end(), tight=currency is not None or rm.group("cur") is not None)
    unit2, _, _ = _unit_at(s, pos2, False)
    noun2 = _count_noun(s, pos2)[0] if sep in ("or", "to") and not unit2 else None
    if not (sep in ("-", "–", "—") or unit2 or scale2 != 1.0 or rm.group("cur") or noun2):
        return None
    if scale == 1.0 and scale2 != 1.0 and value <= second:
        scale = scale2
    if value * scale > second * scale2:
        return None  # "a 3-2 win" is a score, not a range
    return value * scale, second * scale2, scale, pos2, currency or CURRENCY_SYMBOL.get(rm.group("cur") or "")


def _normalise_unit(q: RawQuantity, s: str, unit: str | None, scale: float) -> None:
    """Million tonnes as Mt, billion cubic metres as bcm, money as its currency (per unit where stated)."""
    if unit in ("t", "Mt") and scale == 1e6:
        q.unit = "Mt"
        q.value, q.low, q.high = (None if v is None else v / 1e6 for v in (q.value, q.low, q.high))
    elif unit == "m3" and scale in (1e6, 1e9):
        q.unit = "bcm" if scale == 1e9 else "mcm"
        q.value, q.low, q.high = (None if v is None else v / scale for v in (q.value, q.low, q.high))
    if q.currency and not unit:
        q.unit = q.currency
        per = _PER_UNIT.match(s, q.end)
        if per:
            q.unit, q.end = f"{q.currency}/{_PER_NAME.get(per.group(1).lower(), per.group(1))}", per.end()


def _unitless(
    q: RawQuantity, s: str, number: str, start: int, end: int, pos: int, found: list[RawQuantity], scaled: bool = False
) -> bool:
    """Give a number stated without a unit its counted noun or the unit of the figure before it; False if it is
    no quantity (a year, a date, a name, an id)."""
    if _excluded_bare(s, start, end, number, not s[:start].strip() or s[:start].strip() in '"“('):
        return False
    noun, npos = _count_noun(s, pos)
    if noun is None and _OF_WHOM.match(s[pos:]):
        noun, npos = "persons", pos
    if noun is not None:
        q.unit, q.counted, q.end = "count", noun, npos
    elif (of := _OF_COUNT.match(s, pos)) is not None:
        q.unit, q.counted = "count", of.group(1).lower()
    elif "," not in number and "." not in number and len(number) >= 5:
        return False  # an id or a code, not a quantity
    elif scaled:
        q.unit = ""  # "a total of 200 million", "worth over 2 billion": a number with a scale word is a quantity
    elif found and found[-1].unit and not re.search(r"\d|[;:]", s[found[-1].end : q.start]):
        prev = found[-1]  # "from 100,000 TEUs to 865,000", "2,500 people and injured more than 10,000"
        q.unit, q.currency, q.rate, q.counted = prev.unit, prev.currency, prev.rate, prev.counted
        q.notes.append(f"unit {prev.unit} carried over from {s[prev.start : prev.end]!r}")
    else:
        return False
    return True


def _rate_and_bound(q: RawQuantity, s: str) -> None:
    if q.rate is None and q.unit not in ("%", "pp", "times", "count"):
        rt = RATE_RE.match(s, q.end)
        if rt:
            q.rate = RATE_NAME[(rt.group("unit") or rt.group("adv")).lower()]
            q.end = rt.end()
        else:
            later = RATE_LATER_RE.search(s[q.end : q.end + 60])
            if later and not re.search(r"\d", s[q.end : q.end + later.start()]):
                q.rate = RATE_NAME.get(later.group(1).lower().replace("per ", "").replace("a ", ""), "year")
    bm = BOUND_RE.search(s[: q.start])
    if bm:
        q.bound = BOUND_OF.get(re.sub(r"\s+", " ", bm.group("phrase").lower()), "about")
    if s[q.end : q.end + 1] == "+":
        q.bound, q.end = "at_least", q.end + 1


def _quantity(s: str, m: re.Match[str], found: list[RawQuantity]) -> RawQuantity | None:
    """The quantity that starts at number match *m*, or None."""
    read = _number_at(s, m)
    if read is None:
        return None
    number, value, end, counting = read
    start = m.start()
    q_start, currency = start, None
    cm = CURRENCY_BEFORE_RE.search(s[:start])
    if cm:
        currency, q_start = CURRENCY_SYMBOL.get(cm.group("cur"), cm.group("cur")), cm.start()
    compound = s[end : end + 1] == "-" and s[end + 1 : end + 2].isalpha()
    scale, pos = _scale_at(s, end + compound, tight=currency is not None)
    if scale == 1.0 and currency is None and (tight := _SCALE_TIGHT_RE.match(s, pos)) and _unit_at(s, tight.end(), False)[0]:
        scale, pos = SCALE[tight.group(1).lower()], tight.end()  # "1.5m tonnes", "2bn cubic metres"
    rng = None if compound else _range_at(s, pos, q_start, value, scale, currency)
    if rng is not None and _MONTH_WORD.search(s[:start]):
        return None
    if rng is not None:
        _, _, scale, pos, currency = rng
    if (m.group("word") and scale == 1.0) or (counting and compound and not _unit_at(s, pos, True)[0]):
        return None  # "one" without a scale; "five-country summit", "two-way flows" are adjectives
    unit, rate, upos = _unit_at(s, pos, compound)
    if unit is None and currency is None and (ca := _CUR_AFTER_RE.match(s, pos)):
        currency, upos = CURRENCY_AFTER[ca.group(1).lower()], ca.end()
    if (unit in ("years", "months", "days", "weeks") and _AGO.match(s[upos:])) or (
        unit is None and currency is None and not compound and _AGO.match(s[pos:])
    ):
        return None  # "30 years ago", "six years later"
    if unit in ("years", "months", "weeks", "days") and (old := _OLD.match(s, upos)):
        upos = old.end()  # "a 50-year-old man", "15 years old": an age
    q = RawQuantity(q_start, upos if (unit or currency) else pos, value * scale, None, None, unit, currency, rate)
    if rng is not None:
        q.value, q.low, q.high = None, rng[0], rng[1]
    _normalise_unit(q, s, unit, scale)
    if q.unit is None and counting:
        noun, npos = _count_noun(s, pos)
        if noun is None:
            return None
        q.unit, q.counted, q.end = "count", noun, npos
    if q.unit is None and not _unitless(q, s, number, start, end, pos, found, scale != 1.0):
        return None
    _rate_and_bound(q, s)
    return q


def scan_numbers(s: str, skip: list[tuple[int, int]]) -> list[RawQuantity]:
    """Every quantity in sentence *s*, left to right, leaving out the spans in *skip* (tickers)."""
    found: list[RawQuantity] = []
    consumed_to = 0
    for m in NUMBER_RE.finditer(s):
        if m.start() < consumed_to or any(a <= m.start() < b for a, b in skip):
            continue
        q = _quantity(s, m, found)
        if q is not None:
            found.append(q)
            consumed_to = q.end
    return found
