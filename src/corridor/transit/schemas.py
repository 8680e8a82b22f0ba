"""Request models of the transit service (pydantic): the structure stage of validation.

Modelled on the NCTS phase 5 transit declaration (IE015) and eTIR: LRN, declaration type, offices of departure,
transit and destination, itinerary, guarantee, transport means, containers with seals, goods items and transport
documents. Events are DCSA Track & Trace 2.2 events (TRANSPORT, EQUIPMENT, SHIPMENT) with two documented rail
extension fields, ``trainNumber`` and ``railCar``. No string anywhere may hold a control character (other than tab
and line breaks) or a lone surrogate: such text cannot be stored on every backend and is refused up front.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from corridor.transit.domain import Role

__all__ = [
    "DCSA_DOCUMENT_TYPES",
    "DCSA_EQUIPMENT_CODES",
    "DCSA_SHIPMENT_CODES",
    "ContainerIn",
    "DeclarationIn",
    "EventIn",
    "GoodsItem",
    "Guarantee",
    "PartyIn",
    "SubscriptionIn",
    "TransportCall",
    "TransportDocument",
    "TransportMeans",
    "bad_text",
]

#: DCSA 2.2 equipment event codes
DCSA_EQUIPMENT_CODES = ("LOAD", "DISC", "GTIN", "GTOT", "STUF", "STRP", "PICK", "DROP", "INSP", "RSEA", "RMVD")
#: DCSA 2.2 shipment event codes and document types
DCSA_SHIPMENT_CODES = ("RECE", "DRFT", "PENA", "PENU", "REJE", "APPR", "ISSU", "SURR", "SUBM", "VOID", "CONF", "REQS",
                       "CMPL", "HOLD", "RELS")  # fmt: skip
DCSA_DOCUMENT_TYPES = ("CBR", "BKG", "SHI", "SRM", "TRD", "ARN", "VGM", "CAS", "CUS", "DGD", "OOG")
_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def bad_text(value: Any, path: str = "") -> tuple[str, str] | None:
    """(path, character) of the first control character or lone surrogate in *value*'s strings, else None."""
    if isinstance(value, str):
        m = _BAD.search(value)
        return (path, f"U+{ord(m.group()):04X}") if m else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list | tuple):
        items = ((f"[{i}]", v) for i, v in enumerate(value))
    else:
        return None
    for k, v in items:
        k = str(k)
        if _BAD.search(k):
            return (f"{path}.{k!r}", f"U+{ord(_BAD.search(k).group()):04X}")
        found = bad_text(v, f"{path}{k}" if k.startswith("[") else f"{path}.{k}" if path else k)
        if found:
            return found
    return None


_SKIP, _TEXT, _LIST, _WALK = range(4)
#: how a field value of each class is checked; nested models check themselves, numbers and dates hold no text
_KINDS: dict[type, int] = {int: _SKIP, float: _SKIP, bool: _SKIP, type(None): _SKIP, datetime: _SKIP, str: _TEXT, list: _LIST}


def _kind(cls: type) -> int:
    kind = _KINDS.get(cls)
    if kind is None:
        kind = _KINDS[cls] = _SKIP if issubclass(cls, BaseModel) else _WALK
    return kind


def _strings(values: Any) -> list[str] | None:
    """The strings among a model's field values (lists of strings flattened), or None when some value needs a walk."""
    texts: list[str] = []
    for value in values:
        kind = _KINDS.get(value.__class__)
        if kind is None:
            kind = _kind(value.__class__)
        if kind == _TEXT:
            texts.append(value)
        elif kind == _LIST:
            try:
                texts.append("".join(value))  # a list of strings
            except TypeError:  # a list of nested models (they check themselves) or of other values (walked)
                if {_kind(v.__class__) for v in value} - {_SKIP}:
                    return None
        elif kind == _WALK:
            return None
    return texts


def _field_error(model: BaseModel, name: str, value: Any, char: str) -> ValidationError:
    error = ValueError(f"control character or lone surrogate {char} not allowed")
    return ValidationError.from_exception_data(
        type(model).__name__, [{"type": "value_error", "loc": (name,), "input": value, "ctx": {"error": error}}]
    )


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="after")
    def _printable(self) -> Any:
        # runs for every model of every request body: one regex search over the fields' strings (and lists of
        # strings) joined decides the common case; nested models check themselves. Only a hit (or a value of
        # another kind) walks field by field, and the refusal names the field: pydantic prefixes the location of
        # a ValidationError raised here with the model's own.
        texts = _strings(self.__dict__.values())
        walk = [] if texts is not None and _BAD.search("".join(texts)) is None else self.__dict__.items()
        for name, value in walk:
            found = bad_text(value)
            if found:
                raise _field_error(self, name, value, found[1])
        extra = self.__pydantic_extra__
        found = bad_text(extra) if extra else None
        if found:
            raise ValueError(f"control character or lone surrogate {found[1]} at {found[0]} not allowed")
        return self


class PartyIn(_Strict):
    name: str = Field(min_length=1, max_length=200)
    role: Role
    office_node: str | None = Field(default=None, max_length=64, description="Node id of a customs office.")


class Guarantee(_Strict):
    reference: str = Field(min_length=1, max_length=24, pattern=r"^[A-Z0-9]+$", description="Unique per holder.")
    amount: float = Field(ge=0, le=1e12, allow_inf_nan=False)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    guarantor: str | None = Field(default=None, max_length=200, description="Who stands surety (bank, insurer).")


class TransportMeans(_Strict):
    train_number: str | None = Field(default=None, min_length=1, max_length=35)
    wagons: list[str] = Field(default_factory=list, max_length=200)
    vessel: str | None = Field(default=None, max_length=35)
    carrier_id: int | None = Field(
        default=None, ge=1, le=2**62, description="Party id of the carrier moving the goods: only its events count."
    )


class ContainerIn(_Strict):
    number: str = Field(pattern=r"^[A-Z]{4}[0-9]{7}$", description="ISO 6346 container number")
    seals: list[str] = Field(default_factory=list, max_length=20)


class GoodsItem(_Strict):
    hs_code: str = Field(pattern=r"^[0-9]{6}$")
    description: str = Field(min_length=1, max_length=512)
    gross_mass_kg: float = Field(gt=0, le=1e8, allow_inf_nan=False)
    net_mass_kg: float = Field(ge=0, le=1e8, allow_inf_nan=False)
    packages: int = Field(ge=1, le=10**7)
    un_number: str | None = Field(default=None, pattern=r"^[0-9]{4}$")
    value: float = Field(ge=0, le=1e12, allow_inf_nan=False)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    origin_country: str = Field(pattern=r"^[A-Z]{2}$")


class TransportDocument(_Strict):
    type: Literal["CIM", "SMGS", "CIM/SMGS", "BL"]
    reference: str = Field(min_length=1, max_length=70)


class DeclarationIn(_Strict):
    lrn: str = Field(min_length=1, max_length=22, pattern=r"^[A-Za-z0-9-]+$")
    declaration_type: Literal["T1", "T2", "T", "TIR"]
    office_departure: str = Field(max_length=64)
    offices_transit: list[str] = Field(default_factory=list, max_length=20)
    office_destination: str = Field(max_length=64)
    itinerary: list[str] = Field(min_length=2, max_length=60)
    binding_itinerary: bool = False
    guarantee: Guarantee
    transport: TransportMeans = Field(default_factory=TransportMeans)
    containers: list[ContainerIn] = Field(default_factory=list, max_length=200)
    seals_count: int = Field(ge=0, le=4000)
    goods: list[GoodsItem] = Field(min_length=1, max_length=999)
    documents: list[TransportDocument] = Field(default_factory=list, max_length=99)
    owner_country: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{2}$",
        description="Country (ISO 3166-1 alpha-2) of the goods' owner; sanctions rules that ask who owns the goods "
        "refuse a declaration that does not state it.",
    )
    submit: bool = Field(default=True, description="Pre-lodge at once (submitted) instead of keeping a draft.")


class TransportCall(_Strict):
    """DCSA 2.2 transport call; ``facilityCode`` or ``otherFacility`` may carry a Corridor node id."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)
    transportCallID: str | None = Field(default=None, min_length=1, max_length=100)
    modeOfTransport: Literal["VESSEL", "RAIL", "TRUCK", "BARGE"] | None = None
    UNLocationCode: str | None = Field(default=None, pattern=r"^[A-Z]{2}[A-Z2-9]{3}$")
    facilityCode: str | None = Field(default=None, max_length=64, description="SMDG/BIC code or a Corridor node id")
    otherFacility: str | None = Field(default=None, max_length=50, description="Free text or a Corridor node id")


class EventIn(_Strict):
    """A DCSA Track & Trace 2.2 event; fields beyond those the service reads are kept as posted."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)
    eventID: str = Field(min_length=1, max_length=100)
    eventType: Literal["EQUIPMENT", "TRANSPORT", "SHIPMENT"]
    eventClassifierCode: Literal["PLN", "EST", "ACT"]
    equipmentEventTypeCode: Literal[DCSA_EQUIPMENT_CODES] | None = None  # type: ignore[valid-type]
    transportEventTypeCode: Literal["ARRI", "DEPA"] | None = None
    shipmentEventTypeCode: Literal[DCSA_SHIPMENT_CODES] | None = None  # type: ignore[valid-type]
    documentID: str | None = Field(default=None, min_length=1, max_length=100)
    documentTypeCode: Literal[DCSA_DOCUMENT_TYPES] | None = None  # type: ignore[valid-type]
    emptyIndicatorCode: Literal["EMPTY", "LADEN"] | None = None
    eventDateTime: datetime
    eventCreatedDateTime: datetime
    equipmentReference: str | None = Field(default=None, max_length=15)
    transportCall: TransportCall | None = None
    trainNumber: str | None = Field(default=None, min_length=1, max_length=35, description="Extension: train number")
    railCar: str | None = Field(default=None, min_length=1, max_length=35, description="Extension: wagon number")


class SubscriptionIn(_Strict):
    callbackUrl: str = Field(pattern=r"^https?://", max_length=500)
    secret: str = Field(min_length=16, max_length=200)
    equipmentReference: str | None = Field(default=None, pattern=r"^[A-Z]{4}[0-9]{7}$")
    eventCodes: list[str] = Field(default_factory=list, max_length=20)
