"""The transit service façade: one object the API and the command line call; the work lives in the modules
(parties, declarations, events, webhooks, guarantee, idempotency, committer, eta) and :mod:`access` decides who may
do what. Errors users can cause are :class:`~corridor.transit.errors.TransitError`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from corridor.data.rules_file import read_rules
from corridor.model import Network
from corridor.rules import Rule
from corridor.transit import eta as _eta
from corridor.transit.committer import GroupCommitter
from corridor.transit.config import TransitSettings
from corridor.transit.db import Party, make_engine
from corridor.transit.declarations import Declarations
from corridor.transit.domain import TRANSITIONS
from corridor.transit.errors import TransitError
from corridor.transit.events import Events
from corridor.transit.idempotency import Claim, Idempotency
from corridor.transit.parties import Parties, hash_token
from corridor.transit.rules import RiskRule, load_risk_rules
from corridor.transit.schemas import DeclarationIn, EventIn, PartyIn, SubscriptionIn
from corridor.transit.store import Store
from corridor.transit.webhooks import Deliverer, Webhooks

__all__ = ["TRANSITIONS", "TransitError", "TransitService", "hash_token"]


class TransitService:
    """Transit domain over a database and the Corridor network.

    ``TransitService(net, engine_or_url, settings)``; ``start()`` starts the group committer and the webhook
    deliverer, ``close()`` stops them (idempotent). ``trade_rules`` (sanctions, transit conditions, tariffs; default:
    the dataset's ``rules.csv``) refuse declarations whose goods or itinerary they forbid.
    """

    def __init__(
        self,
        net: Network,
        engine: Engine | str | None = None,
        settings: TransitSettings | None = None,
        *,
        risk_rules: list[RiskRule] | None = None,
        trade_rules: Sequence[Rule] | None = None,
    ) -> None:
        if engine is None or isinstance(engine, str):
            engine = make_engine(engine)
        self.store = Store(engine, net, settings or TransitSettings.from_options())
        self.risk_rules = risk_rules if risk_rules is not None else load_risk_rules()
        self.idempotency = Idempotency(self.store)
        self.parties = Parties(self.store, self.idempotency)
        self.committer = GroupCommitter(self.store)
        if trade_rules is None:
            trade_rules = read_rules(None, net=net)
        self.declarations = Declarations(self.store, self.parties, self.idempotency, self.committer, trade_rules)
        self.webhooks = Webhooks(self.store, self.idempotency)
        self.events = Events(self.store, self.idempotency, self.webhooks, self.risk_rules)
        self.deliverer: Deliverer | None = None
        self.closed = False

    @property
    def net(self) -> Network:
        """The Corridor network the declarations refer to."""
        return self.store.net

    @property
    def sessions(self) -> sessionmaker:
        """Read sessions (for tests and tools; writes go through the modules)."""
        return self.store.sessions

    # ----------------------------------------------------------- lifecycle
    def start(self, *, deliver_webhooks: bool = True) -> None:
        """Start the background workers: group committer and (unless disabled) webhook deliverer."""
        self.committer.start()
        if deliver_webhooks and self.deliverer is None:
            self.deliverer = Deliverer(self.webhooks)
            self.deliverer.start()

    def close(self) -> None:
        """Stop the background workers (idempotent); later lodgements get 503."""
        if self.closed:
            return
        self.closed = True
        self.committer.stop()
        if self.deliverer is not None:
            self.deliverer.stop()

    # ------------------------------------------------------------- parties
    def create_party(self, data: PartyIn, *, by: Party | None, claim: Claim | None = None) -> tuple[Party, str]:
        """Create a party and return it with its API token (shown once, stored hashed)."""
        return self.parties.create(data, by, claim)

    def authenticate(self, token: str | None) -> Party:
        """The active party owning the bare *token*; TransitError(401) otherwise."""
        return self.parties.authenticate(token)

    def cached_party(self, token: str | None) -> Party | None:
        """The party of *token* if authenticated moments ago (no database access)."""
        return self.parties.cached(token)

    def deactivate_party(self, by: Party, party_id: int, claim: Claim | None = None) -> dict:
        """Deactivate a party (operator only)."""
        return self.parties.deactivate(by, party_id, claim)

    def rotate_token(self, party: Party, claim: Claim | None = None) -> tuple[Party, str]:
        """A new token for *party* (returned once); the old one stops working."""
        return self.parties.rotate(party, claim)

    # -------------------------------------------------------- declarations
    def business_rules(self, d: DeclarationIn) -> list[dict]:
        """Second validation stage: every failed business rule with its field path and value."""
        return self.declarations.business_rules(d)

    def create_declaration(self, party: Party, data: DeclarationIn, claim: Claim | None = None) -> dict:
        """Lodge a declaration (pre-lodged after the business rules unless ``submit`` is false)."""
        return self.declarations.create(party, data, claim)

    async def create_declaration_async(
        self, party: Party, data: DeclarationIn, claim: Claim | None = None, *, inline: Callable[[], bool] | None = None
    ) -> dict:
        """As :meth:`create_declaration`, awaiting the group commit (*inline*: whether the caller's request is the
        only one in flight, when it may be committed on the caller's thread; see :meth:`GroupCommitter.lodge_async`)."""
        return await self.declarations.create_async(party, data, claim, inline=inline)

    def submit(self, party: Party, decl_id: int, claim: Claim | None = None) -> dict:
        """Pre-lodge a draft."""
        return self.declarations.submit(party, decl_id, claim)

    def cancel(self, party: Party, decl_id: int, claim: Claim | None = None) -> dict:
        """Cancel a declaration not yet released."""
        return self.declarations.cancel(party, decl_id, claim)

    def customs_decision(self, party: Party, decl_id: int, decision: str, reason: str = "", claim: Claim | None = None) -> dict:
        """release / refuse_release / write_off by the competent customs office."""
        return self.declarations.decide(party, decl_id, decision, reason, claim)

    def get(self, party: Party, decl_id: int) -> dict:
        """One declaration *party* may read."""
        return self.declarations.get(party, decl_id)

    def list(self, party: Party, *, status: str | None = None, limit: int = 100, after_id: int = 0) -> list[dict]:
        """Declarations *party* may read."""
        return self.declarations.list(party, status=status, limit=limit, after_id=after_id)

    def audit(self, party: Party, decl_id: int) -> list[dict]:
        """Audit trail of a declaration *party* may read."""
        return self.declarations.audit(party, decl_id)

    def eta(self, party: Party, decl_id: int) -> dict:
        """Position and ETA of a declaration *party* may read."""
        return _eta.eta(self.store, self.declarations.get(party, decl_id))

    def stats(self, party: Party | None = None) -> dict:
        """Arrival-to-release statistics over what *party* may read (all for None: local command line)."""
        return _eta.stats(self.store, party)

    # -------------------------------------------------------------- events
    def upsert_event(self, party: Party, e: EventIn, claim: Claim | None = None) -> tuple[dict, bool]:
        """Store a DCSA 2.2 event of *party*; (event, created_or_updated)."""
        return self.events.upsert(party, e, claim)

    def retract_event(self, party: Party, event_id: str, claim: Claim | None = None) -> dict:
        """Retract an event *party* posted."""
        return self.events.retract(party, event_id, claim)

    def list_events(
        self,
        party: Party,
        *,
        equipment: str | None = None,
        train: str | None = None,
        facility: str | None = None,
        code: str | None = None,
        since: datetime | None = None,
        cursor: int = 0,
        limit: int = 100,
        include_retracted: bool = False,
    ) -> tuple[list[dict], int | None]:
        """Events *party* may see; (events, next cursor)."""
        return self.events.list(
            party, equipment=equipment, train=train, facility=facility, code=code, since=since, cursor=cursor,
            limit=limit, include_retracted=include_retracted,
        )  # fmt: skip

    # ------------------------------------------------------------ webhooks
    def subscribe(self, party: Party, data: SubscriptionIn, claim: Claim | None = None) -> dict:
        """A webhook subscription of *party*."""
        return self.webhooks.subscribe(party, data, claim)

    def subscriptions(self, party: Party) -> list[dict]:
        """*party*'s subscriptions."""
        return self.webhooks.subscriptions(party)

    def deliveries(self, party: Party) -> list[dict]:
        """Deliveries of *party*'s subscriptions."""
        return self.webhooks.deliveries(party)
