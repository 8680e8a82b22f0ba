"""The rules as the transit service sees them: one call per declaration, refusals with rule id, path and citation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from corridor.rules.evaluate import Assessment, evaluate
from corridor.rules.model import Rule, RulePath, Shipment
from corridor.schema.enums import Purpose

__all__ = ["evaluate_declaration"]


def evaluate_declaration(
    rules: Sequence[Rule],
    *,
    cargo: str,
    cargo_class: str,
    origin_country: str,
    destination_country: str,
    route_nodes: Iterable[str],
    route_countries: Iterable[str],
    date: dt.date,
    owner_country: str | None = None,
    hs_code: str | None = None,
    value_usd: float | None = None,
    purpose: Purpose | str = Purpose.TRANSIT,
) -> Assessment:
    """Every rule's verdict on one transit declaration; ``.allowed`` and ``.refusal_message()`` for the service.

    Plain arguments (no ORM objects), so the transit service can call it with a declaration's fields.
    """
    shipment = Shipment(
        cargo=str(cargo),
        cargo_class=str(cargo_class),
        origin_country=origin_country.upper(),
        destination_country=destination_country.upper(),
        date=date,
        owner_country=owner_country.upper() if owner_country else None,
        hs_code=hs_code,
        value_usd=value_usd,
        purpose=Purpose(purpose),
    )
    return evaluate(rules, shipment, RulePath(tuple(route_nodes), tuple(c.upper() for c in route_countries)))
