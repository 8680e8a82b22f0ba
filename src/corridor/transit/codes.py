"""Identifier checks: ISO 6346 container numbers, NCTS movement reference numbers (MRN), HS codes, UN numbers."""

from __future__ import annotations

import re
import secrets
import string

__all__ = ["check_character", "is_container_number", "is_hs6", "is_mrn", "is_un_number", "new_mrn"]

# ISO 6346 letter values: A=10 ... skipping multiples of 11
_LETTER_VALUES: dict[str, int] = {}
_v = 10
for _ch in string.ascii_uppercase:
    if _v % 11 == 0:
        _v += 1
    _LETTER_VALUES[_ch] = _v
    _v += 1

#: value of each character (digits are themselves) and the weight 2^i of each position, computed once
_VALUES: dict[str, int] = {**{str(d): d for d in range(10)}, **_LETTER_VALUES}
_WEIGHTS = tuple(2**i for i in range(32))

_CONTAINER = re.compile(r"^[A-Z]{3}[UJZ][0-9]{7}$")
_MRN = re.compile(r"^[0-9]{2}[A-Z]{2}[A-Z0-9]{13}[A-Z0-9]$")


def check_character(body: str) -> str:
    """ISO 6346 check character of *body* (digits and capital letters): sum(value x 2^i) mod 11, 10 -> 0."""
    if len(body) > len(_WEIGHTS):
        raise ValueError(f"check character of {len(body)} characters: at most {len(_WEIGHTS)}")
    total = sum(_VALUES[ch] * w for ch, w in zip(body, _WEIGHTS, strict=False))  # body fits (checked above)
    return str(total % 11 % 10)


def is_container_number(text: str) -> bool:
    """True for an ISO 6346 container number with a correct check digit, e.g. ``CSQU3054383``."""
    return bool(_CONTAINER.match(text or "")) and check_character(text[:10]) == text[10]


def is_mrn(text: str) -> bool:
    """True for an 18-character MRN (year, country, 13 characters) whose last character checks out."""
    return bool(_MRN.match(text or "")) and check_character(text[:17]) == text[17]


def new_mrn(year: int, country: str) -> str:
    """Allocate a fresh MRN: 2-digit year, ISO country of the office of departure, 13 random characters, check."""
    alphabet = string.ascii_uppercase + string.digits
    body = f"{year % 100:02d}{country.upper()}" + "".join(secrets.choice(alphabet) for _ in range(13))
    return body + check_character(body)


def is_hs6(text: str) -> bool:
    """True for a 6-digit Harmonized System subheading with a chapter 01..97."""
    return bool(re.fullmatch(r"[0-9]{6}", text or "")) and 1 <= int(text[:2]) <= 97


def is_un_number(text: str) -> bool:
    """True for a UN dangerous-goods number (4 digits, 0004..3550)."""
    return bool(re.fullmatch(r"[0-9]{4}", text or "")) and 4 <= int(text) <= 3550
