"""Request and response models of the transit service (pydantic): the structure stage of validation.

Modelled on the NCTS phase 5 transit declaration (IE015) and eTIR: LRN, declaration type, offices of departure,
transit and destination, itinerary, guarantee, transport means, containers with seals, goods items and
transport documents.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
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
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PartyIn(_Strict):
    name: str = Field(min_length=1, max_length=200)
    role: Literal["holder", "carrier", "customs", "operator"]
    office_node: str | None = Field(default=None, max_length=64, description="Node id of a customs office.")


class Guarantee(_Strict):
    reference: str = Field(min_length=1, max_length=24, pattern=r"^[A-Z0-9]+$")
    amount: float = Field(ge=0, le=1e12)
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class TransportMeans(_Strict):
    train_number: str | None = Field(default=None, max_length=35)
    wagons: list[str] = Field(default_factory=list, max_length=200)
    vessel: str | None = Field(default=None, max_length=35)


class ContainerIn(_Strict):
    number: str = Field(pattern=r"^[A-Z]{4}[0-9]{7}$", description="ISO 6346 container number")
    seals: list[str] = Field(default_factory=list, max_length=20)


class GoodsItem(_Strict):
    hs_code: str = Field(pattern=r"^[0-9]{6}$")
    description: str = Field(min_length=1, max_length=512)
    gross_mass_kg: float = Field(gt=0, le=1e8)
    net_mass_kg: float = Field(ge=0, le=1e8)
    packages: int = Field(ge=1, le=10**7)
    un_number: str | None = Field(default=None, pattern=r"^[0-9]{4}$")
    value: float = Field(ge=0, le=1e12)
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
    submit: bool = Field(default=True, description="Pre-lodge at once (submitted) instead of keeping a draft.")


class TransportCall(_Strict):
    UNLocationCode: str | None = Field(default=None, pattern=r"^[A-Z]{2}[A-Z2-9]{3}$")
    facilityCode: str | None = Field(default=None, max_length=64, description="Corridor node id")


class EventIn(_Strict):
    eventID: str = Field(min_length=1, max_length=100)
    eventType: Literal["EQUIPMENT", "TRANSPORT"]
    eventClassifierCode: Literal["PLN", "EST", "ACT"]
    equipmentEventTypeCode: Literal["LOAD", "DISC", "GTIN", "GTOT", "CROS", "CUSR", "CUSS"] | None = None
    transportEventTypeCode: Literal["ARRI", "DEPA"] | None = None
    eventDateTime: datetime
    eventCreatedDateTime: datetime
    equipmentReference: str | None = Field(default=None, pattern=r"^[A-Z]{4}[0-9]{7}$")
    transportCall: TransportCall
    trainNumber: str | None = Field(default=None, max_length=35)
    railCar: str | None = Field(default=None, max_length=35)


class SubscriptionIn(_Strict):
    callbackUrl: str = Field(pattern=r"^https?://", max_length=500)
    secret: str = Field(min_length=16, max_length=200)
    equipmentReference: str | None = Field(default=None, pattern=r"^[A-Z]{4}[0-9]{7}$")
    eventCodes: list[str] = Field(default_factory=list, max_length=20)
