"""Guarantees: a holder's reference (unique per holder) with its guarantor, amount and the USD reserved on it.

A movement reserves its amount at risk when it is released or selected for control, and gives it back when it is
written off or refused release. The reservation is atomic: one conditional ``UPDATE`` (row-locked; SQLite write
transactions are serialized by ``BEGIN IMMEDIATE``) only succeeds while the balance covers the amount, so concurrent
arrivals can never reserve more than the guarantee covers. When it does not succeed (or the row's amount or currency
differ from the declaration's) the row is locked (``SELECT ... FOR UPDATE``) to decide and report the balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from corridor.errors import CorridorError
from corridor.transit.db import Declaration, Guarantee
from corridor.transit.store import Store

__all__ = ["Reservation", "discharge", "guarantee_row", "reserve"]

_EPS_USD = 1e-6


@dataclass(frozen=True)
class Reservation:
    """Outcome of a reservation: whether it held, and the balance (USD) before it."""

    ok: bool
    balance_usd: float


def guarantee_row(decl: Declaration | SimpleNamespace) -> dict:
    """The guarantee a lodged declaration registers for its holder (first registration of a reference wins); *decl*
    is a row or a namespace of a row's columns."""
    g = (decl.body or {}).get("guarantee", {})
    return {
        "holder_id": decl.holder_id,
        "reference": decl.guarantee_reference,
        "guarantor": g.get("guarantor"),
        "amount": decl.guarantee_amount,
        "currency": decl.guarantee_currency,
        "reserved_usd": 0.0,
        "created_at": decl.created_at,
    }


def _locked(s: Session, decl: Declaration) -> Guarantee:
    q = select(Guarantee).where(Guarantee.holder_id == decl.holder_id, Guarantee.reference == decl.guarantee_reference)
    g = s.scalar(q.with_for_update().execution_options(populate_existing=True))
    if g is None:  # lodged before guarantees had rows of their own
        g = Guarantee(**guarantee_row(decl))
        s.add(g)
        s.flush()
    return g


def _reserve_as_declared(store: Store, s: Session, decl: Declaration, need: float) -> Reservation | None:
    """One conditional ``UPDATE ... RETURNING`` when the guarantee row has the amount and currency *decl* declares
    (the usual case); None when it does not, or does not cover *need*, so the locking path decides."""
    try:
        capacity_usd = decl.guarantee_amount / store.usd_rate(decl.guarantee_currency)
    except (CorridorError, KeyError, ZeroDivisionError, TypeError):
        return None
    with s.no_autoflush:  # the declaration's pending changes go out with the rest of the transaction, in one flush
        got = s.execute(
            update(Guarantee)
            .where(
                Guarantee.holder_id == decl.holder_id,
                Guarantee.reference == decl.guarantee_reference,
                Guarantee.currency == decl.guarantee_currency,
                Guarantee.amount == decl.guarantee_amount,
                Guarantee.reserved_usd + need <= capacity_usd + _EPS_USD,
            )
            .values(reserved_usd=Guarantee.reserved_usd + need)
            .returning(Guarantee.reserved_usd)
            .execution_options(synchronize_session=False)
        ).first()
    return None if got is None else Reservation(True, capacity_usd - (got[0] - need))


def reserve(store: Store, s: Session, decl: Declaration) -> Reservation:
    """Reserve *decl*'s amount at risk on its holder's guarantee, if the balance covers it."""
    fast = _reserve_as_declared(store, s, decl, float(decl.amount_at_risk or 0.0))
    if fast is not None:
        return fast
    g = _locked(s, decl)
    try:
        capacity_usd = g.amount / store.usd_rate(g.currency)
    except (CorridorError, KeyError, ZeroDivisionError):  # a currency without an FX rate covers nothing
        return Reservation(False, 0.0)
    need = float(decl.amount_at_risk or 0.0)
    balance = capacity_usd - g.reserved_usd
    if balance + _EPS_USD < need:
        return Reservation(False, balance)
    res = s.execute(
        update(Guarantee)
        .where(Guarantee.id == g.id, Guarantee.reserved_usd + need <= capacity_usd + _EPS_USD)
        .values(reserved_usd=Guarantee.reserved_usd + need)
        .execution_options(synchronize_session=False)
    )
    return Reservation(res.rowcount == 1, balance)


def discharge(s: Session, decl: Declaration) -> None:
    """Give *decl*'s reserved amount back to its guarantee (movement ended)."""
    g = _locked(s, decl)
    g.reserved_usd = max(0.0, g.reserved_usd - float(decl.amount_at_risk or 0.0))
