"""The claim record and its enums: one quantitative statement with its span, sentence, value, unit and context."""

from __future__ import annotations

import builtins
from dataclasses import asdict, dataclass, field
from enum import StrEnum

__all__ = ["CLAIM_FIELDS", "Bound", "Claim", "Modality"]


class Bound(StrEnum):
    """How the stated number bounds the true value."""

    EXACT = "exact"
    ABOUT = "about"
    AT_LEAST = "at_least"
    MORE_THAN = "more_than"
    UP_TO = "up_to"


class Modality(StrEnum):
    """Whether a figure is an outcome, an expectation, an aim or a limit."""

    ACTUAL = "actual"
    PROJECTED = "projected"
    TARGET = "target"
    CAPACITY = "capacity"
    QUOTA = "quota"


#: The fields of a claim as ``extract --json`` prints them, in order.
CLAIM_FIELDS = (
    "start", "end", "surface", "sentence", "value", "value_low", "value_high", "bound", "unit", "currency", "rate",
    "period_start", "period_end", "modality", "subject", "subject_id", "property",
)  # fmt: skip


@dataclass
class Claim:
    """A quantitative claim: ``text[start:end] == surface``; a range has ``value`` None and both ends set."""

    start: int
    end: int
    surface: str
    sentence: str
    value: float | None
    value_low: float | None
    value_high: float | None
    bound: Bound
    unit: str
    currency: str | None = None
    rate: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    modality: Modality = Modality.ACTUAL
    subject: str | None = None
    subject_id: str | None = None
    property: str | None = None
    counted: str | None = None  # the counted noun of a count ("citizens")
    confidence: float = 0.9
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The claim's public fields (those of ``extract --json``) plus counted, confidence and notes."""
        d = asdict(self)
        d["bound"], d["modality"] = str(self.bound), str(self.modality)
        return {k: d[k] for k in (*CLAIM_FIELDS, "counted", "confidence", "notes")}

    @builtins.property
    def low(self) -> float | None:
        """Lower end of the stated value (the value itself when it is not a range)."""
        return self.value if self.value is not None else self.value_low

    @builtins.property
    def high(self) -> float | None:
        """Upper end of the stated value."""
        return self.value if self.value is not None else self.value_high
