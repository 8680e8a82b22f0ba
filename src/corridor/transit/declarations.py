"""Declarations: lodging (through the group committer), submit, cancel, customs decisions, reading and audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from types import SimpleNamespace

from pydantic import ValidationError
from sqlalchemy import select

from corridor.rules import Rule
from corridor.transit.access import can_read, competent_office, declaration_scope, require_holder, require_role
from corridor.transit.committer import GroupCommitter, Lodgement
from corridor.transit.db import AuditEntry, Declaration, Party, utcnow
from corridor.transit.domain import TRANSITIONS, Action, Role, Status
from corridor.transit.errors import TransitError, failure
from corridor.transit.guarantee import guarantee_row
from corridor.transit.guards import MAX_ID, check_id, check_text
from corridor.transit.idempotency import Claim, Idempotency
from corridor.transit.lifecycle import amount_at_risk_usd, move, stamp_release
from corridor.transit.parties import Parties
from corridor.transit.rules import RuleContext, check_declaration
from corridor.transit.schemas import DeclarationIn
from corridor.transit.store import Store
from corridor.transit.trade_rules import ItemAssessment, assess_declaration, trade_failures, trade_report

__all__ = ["DECISIONS", "Declarations", "declaration_view"]

#: Customs decisions and the lifecycle action each takes
DECISIONS = {"release": Action.RELEASE, "refuse_release": Action.REFUSE_RELEASE, "write_off": Action.WRITE_OFF}


def _iso(dt) -> str | None:
    return dt.isoformat() if dt else None


def declaration_view(d: Declaration | SimpleNamespace) -> dict:
    """A declaration as the API shows it (*d*: a row, or a namespace of a row's columns for one just lodged)."""
    g = (d.body or {}).get("guarantee", {})
    return {
        "id": d.id,
        "lrn": d.lrn,
        "mrn": d.mrn,
        "status": d.status,
        "declaration_type": d.declaration_type,
        "holder_id": d.holder_id,
        "carrier_id": d.carrier_id,
        "office_departure": d.office_departure,
        "offices_transit": d.offices_transit,
        "office_destination": d.office_destination,
        "itinerary": d.itinerary,
        "train_number": d.train_number,
        "wagons": d.wagons or [],
        "containers": d.containers,
        "guarantee": {
            "reference": d.guarantee_reference,
            "amount": d.guarantee_amount,
            "currency": d.guarantee_currency,
            "guarantor": g.get("guarantor"),
        },
        "amount_at_risk_usd": round(d.amount_at_risk, 2),
        "current_office": d.current_office,
        "control_reason": d.control_reason,
        "errors": d.errors,
        "created_at": _iso(d.created_at),
        "released_at": _iso(d.released_at),
        "arrival_to_release_s": d.release_latency_s,
    }


class Declarations:
    """Declaration use cases over a :class:`Store`."""

    def __init__(
        self,
        store: Store,
        parties: Parties,
        idem: Idempotency,
        committer: GroupCommitter,
        trade_rules: Sequence[Rule] = (),
    ) -> None:
        self.store, self.parties, self.idem, self.committer = store, parties, idem, committer
        self.trade_rules = tuple(trade_rules)
        # the rules a lodgement can meet: a routing policy is in force only where a query chooses it, which a
        # lodgement never does, so its verdict is always "not applicable"; one that overrides nothing cannot lift
        # another rule or be named as its unmet exemption either, so leaving it out changes no refusal or report
        self.lodge_rules = tuple(r for r in self.trade_rules if r.kind != "policy" or r.overrides)

    def rule_context(self) -> RuleContext:
        """What the business rules look up."""
        return RuleContext(self.store.node_kind, self.store.pairs, self.store.currencies(), self.parties.is_active_carrier)

    def business_rules(self, d: DeclarationIn) -> list[dict]:
        """Second validation stage: every failed rule with its field path and value."""
        return check_declaration(d, self.rule_context())

    def assess(
        self, data: DeclarationIn, date: dt.date | None = None, rules: Sequence[Rule] | None = None
    ) -> list[ItemAssessment]:
        """Every trade rule's (or *rules*') verdict on each goods item of *data* on *date* (default: today, UTC)."""
        when = date or utcnow().date()
        rules = self.trade_rules if rules is None else rules
        return assess_declaration(data, rules, self.store.node_country, self.store.usd_rate, when)

    def trade_rules_check(self, data: DeclarationIn) -> dict:
        """Third validation stage: 422 naming rule, path and citation when a sanctions or policy rule forbids the
        goods or the route; else the audit detail of the rules that apply (permits, duties reported only)."""
        items = self.assess(data, rules=self.lodge_rules)
        refused = trade_failures(data, items, self.trade_rules, self.store.node_country)
        if refused:
            rules = ", ".join(dict.fromkeys(f["rule"] for f in refused))
            raise TransitError(422, "refused by trade rules", f"the declaration is refused by rule(s) {rules}", refused)
        report = trade_report(items)
        return {"trade_rules": report} if report else {}

    def check_stored(self, decl_id: int, date: dt.date | None = None) -> tuple[dict, list[ItemAssessment], list[dict]]:
        """(view, verdicts per goods item, refusals) of a stored declaration under the trade rules on *date*.

        For operators' tools (``corridor check --declaration``): no party, nothing written.
        """
        check_id(decl_id, "declaration")
        with self.store.sessions() as s:
            decl = s.get(Declaration, decl_id)
            if decl is None:
                raise TransitError(404, "not found", f"no declaration {decl_id} in this database")
            view = declaration_view(decl)
            try:
                data = DeclarationIn.model_validate({**decl.body, "submit": True})
            except ValidationError:
                raise TransitError(422, "invalid declaration", f"declaration {decl_id} no longer passes validation") from None
        items = self.assess(data, date)
        return view, items, trade_failures(data, items, self.trade_rules, self.store.node_country)

    def prepare(self, party: Party, data: DeclarationIn, claim: Claim | None = None) -> Lodgement:
        """The lodgement of *data* by *party*: row, audit trail, references, guarantee (no database write yet)."""
        require_role(party, Role.HOLDER, Role.OPERATOR, action="lodge declarations")
        failures = self.business_rules(data) if data.submit else []
        detail = self.trade_rules_check(data) if data.submit and not failures else {}
        status, trail = Status.DRAFT, [(Action.CREATE.value, None, Status.DRAFT.value, {})]
        if data.submit:
            action = Action.REJECT if failures else Action.SUBMIT
            to_state = TRANSITIONS[action][1]
            trail.append((action.value, status.value, to_state.value, {"failures": failures} if failures else detail))
            status = to_state
        now = utcnow()
        row = {
            "holder_id": party.id,
            "lrn": data.lrn,
            "status": status.value,
            "declaration_type": data.declaration_type,
            "office_departure": data.office_departure,
            "office_destination": data.office_destination,
            "offices_transit": list(data.offices_transit),
            "itinerary": list(data.itinerary),
            "train_number": data.transport.train_number,
            "carrier_id": self._checked_carrier(data),
            "wagons": list(data.transport.wagons),
            "containers": [c.number for c in data.containers],
            "guarantee_reference": data.guarantee.reference,
            "guarantee_amount": data.guarantee.amount,
            "guarantee_currency": data.guarantee.currency,
            "amount_at_risk": amount_at_risk_usd(self.store, data),
            "body": data.model_dump(mode="json"),
            "errors": failures,
            "created_at": now,
            "updated_at": now,
        }
        refs = [("container", n) for n in dict.fromkeys(row["containers"])]
        refs += [("wagon", w) for w in dict.fromkeys(row["wagons"])]
        refs += [("office", o) for o in dict.fromkeys([data.office_departure, *data.offices_transit, data.office_destination])]
        # plain namespaces, not ORM instances: constructing a mapped object costs more than the rest of the view
        job = Lodgement(row, trail, refs, guarantee_row(SimpleNamespace(**row)), party.id, claim=claim)
        job.respond = lambda decl_id: self.finish(row, decl_id)
        return job

    def _checked_carrier(self, data: DeclarationIn) -> int | None:
        """The declared carrier when it is an active carrier party (rule R018 reports it otherwise)."""
        cid = data.transport.carrier_id
        return cid if cid is not None and self.parties.is_active_carrier(cid) else None

    @staticmethod
    def finish(row: dict, decl_id: int | None) -> dict:
        """The answer for a lodged row; 409 when the holder already used the LRN."""
        if decl_id is None:
            raise TransitError(
                409,
                "conflict",
                f"LRN {row['lrn']} is already used by this holder",
                [failure("R000", "lrn", row["lrn"], "an LRN unique per holder")],
            )
        fields = {"mrn": None, "current_office": None, "control_reason": None, "released_at": None, "release_latency_s": None}
        return declaration_view(SimpleNamespace(id=decl_id, **fields, **row))

    def create(self, party: Party, data: DeclarationIn, claim: Claim | None = None) -> dict:
        """Store a declaration (draft) and, unless ``submit`` is false, pre-lodge it after the business rules."""
        job = self.prepare(party, data, claim)
        return self.finish(job.row, self.committer.lodge(job))

    async def create_async(
        self, party: Party, data: DeclarationIn, claim: Claim | None = None, *, inline: Callable[[], bool] | None = None
    ) -> dict:
        """As :meth:`create`, awaiting the group commit instead of blocking a thread (see
        :meth:`GroupCommitter.lodge_async` for *inline*)."""
        job = self.prepare(party, data, claim)
        return self.finish(job.row, await self.committer.lodge_async(job, inline=inline))

    def submit(self, party: Party, decl_id: int, claim: Claim | None = None) -> dict:
        """Pre-lodge a draft after the business rules (rejected with its failures otherwise)."""
        check_id(decl_id, "declaration")
        with self.store.tx() as s:
            decl = require_holder(party, s.get(Declaration, decl_id, with_for_update=True), decl_id)
            try:
                data = DeclarationIn.model_validate({**decl.body, "submit": True})
            except ValidationError:
                raise TransitError(422, "invalid declaration", "the stored draft no longer passes validation") from None
            failures = self.business_rules(data)
            if failures:
                decl.errors = failures
                move(s, party, decl, Action.REJECT, {"failures": failures})
            else:
                move(s, party, decl, Action.SUBMIT, self.trade_rules_check(data))
            view = declaration_view(decl)
            self.idem.complete_in(s, claim, 200, view)
            return view

    def cancel(self, party: Party, decl_id: int, claim: Claim | None = None) -> dict:
        """Cancel a declaration not yet released."""
        check_id(decl_id, "declaration")
        with self.store.tx() as s:
            decl = require_holder(party, s.get(Declaration, decl_id, with_for_update=True), decl_id)
            move(s, party, decl, Action.CANCEL)
            view = declaration_view(decl)
            self.idem.complete_in(s, claim, 200, view)
            return view

    def decide(self, party: Party, decl_id: int, decision: str, reason: str = "", claim: Claim | None = None) -> dict:
        """release / refuse_release (after control) or write_off (at destination), by the competent office."""
        if decision not in DECISIONS:
            raise TransitError(
                422, "invalid decision", "unknown decision", [failure("C000", "decision", decision, ", ".join(DECISIONS))]
            )
        require_role(party, Role.CUSTOMS, Role.OPERATOR, action="take customs decisions")
        check_text("reason", reason)
        check_id(decl_id, "declaration")
        action = DECISIONS[decision]
        with self.store.tx() as s:
            decl = s.get(Declaration, decl_id, with_for_update=True)
            if decl is None or not can_read(party, decl):
                raise TransitError(404, "not found", f"no declaration {decl_id} for this party")
            competent_office(party, decl, action)
            move(s, party, decl, action, {"reason": reason})
            if action == Action.RELEASE:
                stamp_release(decl)
            view = declaration_view(decl)
            self.idem.complete_in(s, claim, 200, view)
            return view

    def get(self, party: Party, decl_id: int) -> dict:
        """One declaration *party* may read; 404 otherwise."""
        check_id(decl_id, "declaration")
        with self.store.sessions() as s:
            decl = s.get(Declaration, decl_id)
            if decl is None or not can_read(party, decl):
                raise TransitError(404, "not found", f"no declaration {decl_id} for this party")
            return declaration_view(decl)

    def list(self, party: Party, *, status: str | None = None, limit: int = 100, after_id: int = 0) -> list[dict]:
        """Declarations *party* may read, by id after *after_id* (the access filter applies before the limit)."""
        if status is not None and status not in {s.value for s in Status}:
            raise TransitError(
                422, "invalid filter", "unknown status", [failure("Q001", "status", status, ", ".join(s.value for s in Status))]
            )
        with self.store.sessions() as s:
            q = select(Declaration).where(Declaration.id > min(max(after_id, 0), MAX_ID), declaration_scope(party))
            if status:
                q = q.where(Declaration.status == status)
            rows = s.scalars(q.order_by(Declaration.id).limit(max(1, min(limit, 500))))
            return [declaration_view(d) for d in rows]

    def audit(self, party: Party, decl_id: int) -> list[dict]:
        """The audit trail of a declaration *party* may read."""
        check_id(decl_id, "declaration")
        with self.store.sessions() as s:
            decl = s.get(Declaration, decl_id)
            if decl is None or not can_read(party, decl):
                raise TransitError(404, "not found", f"no declaration {decl_id} for this party")
            rows = s.scalars(select(AuditEntry).where(AuditEntry.declaration_id == decl_id).order_by(AuditEntry.id))
            return [
                {"id": a.id, "at": _iso(a.at), "party_id": a.party_id, "action": a.action, "from_state": a.from_state,
                 "to_state": a.to_state, "detail": a.detail}
                for a in rows
            ]  # fmt: skip
