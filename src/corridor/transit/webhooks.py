"""Webhooks: subscriptions, the delivery queue, signatures with a timestamp, and isolated delivery.

- A subscription receives only events its party may see (:func:`corridor.transit.access.event_scope`).
- Callback URLs must resolve to public addresses (checked when subscribing and again before each delivery, against
  DNS rebinding) unless the ``transit_allow_private_callbacks`` setting allows private ones; redirects are not
  followed; a failed delivery records one generic error text, so delivery status cannot be used to scan ports.
- Signature header ``Corridor-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>`` (as Stripe does);
  receivers check it with :func:`verify`, which refuses signatures older than the replay window.
- Each subscription has at most one delivery in flight and its own backoff; a bounded pool of workers with a
  per-request timeout delivers, so a slow or dead receiver delays only its own deliveries.
- The deliverer sleeps while nothing is due: a commit that queued deliveries wakes it, a retry wakes it when its
  backoff ends, and a slow fallback poll picks up deliveries queued by another process (no query every few ms).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
from sqlalchemy import event, func, or_, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from corridor.transit.access import event_scope
from corridor.transit.db import Delivery, Party, Subscription, TrackingEvent, utcnow
from corridor.transit.dcsa import event_view
from corridor.transit.errors import TransitError, failure
from corridor.transit.idempotency import Claim, Idempotency
from corridor.transit.schemas import SubscriptionIn
from corridor.transit.store import Store

__all__ = ["DELIVERY_FAILED", "SIGNATURE_HEADER", "Deliverer", "Webhooks", "callback_allowed", "sign", "verify"]

SIGNATURE_HEADER = "Corridor-Signature"
#: seconds between the deliverer's fallback polls while nothing is known to be due
IDLE_POLL_S = 2.0
DELIVERY_FAILED = "receiver did not acknowledge (no 2xx response)"


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The signature header value ``t=<unix>,v1=<hex HMAC-SHA256 over "<t>." + body>``."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(secret: str, header: str, body: bytes, tolerance_s: int = 300, now: float | None = None) -> bool:
    """True when *header* signs *body* with *secret* and its timestamp is within *tolerance_s* of *now*."""
    parts: dict[str, list[str]] = {}
    for item in (header or "").split(","):
        k, _, v = item.strip().partition("=")
        parts.setdefault(k, []).append(v)
    try:
        t = int(parts["t"][0])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - t) > tolerance_s:
        return False
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, v) for v in parts.get("v1", []))


def callback_allowed(url: str, allow_private: bool) -> bool:
    """True when *url* is http(s) and every address its host resolves to is public (or private ones are allowed)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        return False
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError, UnicodeError):
        return False
    addresses = {ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}
    return bool(addresses) and (allow_private or all(a.is_global for a in addresses))


def _sub_view(sub: Subscription) -> dict:
    return {
        "id": sub.id,
        "callbackUrl": sub.callback_url,
        "equipmentReference": sub.equipment_reference,
        "eventCodes": sub.event_codes,
    }


class Webhooks:
    """Subscriptions and the delivery queue of a :class:`Store`."""

    def __init__(self, store: Store, idem: Idempotency) -> None:
        self.store, self.idem = store, idem
        self._party_cache: dict[int, Party] = {}
        self.on_queued: Callable[[], None] | None = None  # called after a commit that queued deliveries

    def subscribe(self, party: Party, data: SubscriptionIn, claim: Claim | None = None) -> dict:
        """A new subscription of *party*; 422 when the callback does not resolve to an allowed address."""
        if not callback_allowed(data.callbackUrl, self.store.settings.allow_private_callbacks):
            raise TransitError(
                422,
                "invalid callback",
                "the callback URL must be http(s) and resolve to public addresses",
                [failure("W001", "callbackUrl", data.callbackUrl, "an http(s) URL of a public host")],
            )
        with self.store.tx() as s:
            sub = Subscription(
                party_id=party.id,
                callback_url=data.callbackUrl,
                secret=data.secret,
                equipment_reference=data.equipmentReference,
                event_codes=list(data.eventCodes),
            )
            s.add(sub)
            s.flush()
            view = _sub_view(sub)
            self.idem.complete_in(s, claim, 201, view)
            return view

    def subscriptions(self, party: Party) -> list[dict]:
        """*party*'s subscriptions (secrets not shown)."""
        with self.store.sessions() as s:
            q = select(Subscription).where(Subscription.party_id == party.id).order_by(Subscription.id)
            return [_sub_view(sub) for sub in s.scalars(q)]

    def queue(self, s: Session, ev: TrackingEvent) -> None:
        """Queue a delivery of *ev* to every matching subscription whose party may see it."""
        payload = None
        equipment = or_(Subscription.equipment_reference.is_(None), Subscription.equipment_reference == ev.equipment_reference)
        for sub in s.scalars(select(Subscription).where(equipment).order_by(Subscription.id)):
            if sub.event_codes and ev.event_code not in sub.event_codes:
                continue
            party = s.get(Party, sub.party_id)
            if party is None or party.active is False:
                continue
            if s.scalar(select(TrackingEvent.seq).where(TrackingEvent.seq == ev.seq, event_scope(party))) is None:
                continue
            payload = payload or event_view(ev)
            s.add(Delivery(subscription_id=sub.id, event_id=ev.event_id, payload=payload))
        if payload is not None and self.on_queued is not None and not s.info.get("corridor_wakes_deliverer"):
            s.info["corridor_wakes_deliverer"] = True
            wake = self.on_queued
            event.listen(s, "after_commit", lambda _s: wake(), once=True)

    def due(self, busy: set[int], limit: int = 200) -> list[tuple[int, int, str, str, dict]]:
        """(delivery id, subscription id, url, secret, payload): the oldest due delivery of each idle subscription.

        One row per subscription, so a backlog at one receiver never hides another subscription's deliveries.
        """
        with self.store.sessions() as s:
            oldest = (
                select(func.min(Delivery.id))
                .where(Delivery.status == "pending", Delivery.next_attempt_at <= utcnow())
                .group_by(Delivery.subscription_id)
            )
            if busy:
                oldest = oldest.where(Delivery.subscription_id.not_in(busy))
            q = (
                select(Delivery, Subscription)
                .join(Subscription, Delivery.subscription_id == Subscription.id)
                .where(Delivery.id.in_(oldest))
                .order_by(Delivery.id)
                .limit(limit)
            )
            return [(d.id, sub.id, sub.callback_url, sub.secret, d.payload) for d, sub in s.execute(q)]

    def record(self, delivery_id: int, ok: bool, error: str | None = None) -> float | None:
        """Record an attempt: delivered, retried later (exponential backoff) or failed after the last attempt.

        Returns the seconds until the retry when there is one."""
        with self.store.tx() as s:
            d = s.get(Delivery, delivery_id)
            if d is None:
                return None
            d.attempts += 1
            if ok:
                d.status, d.last_error = "delivered", None
            elif d.attempts >= self.store.settings.webhook_max_attempts:
                d.status, d.last_error = "failed", error
            else:
                backoff_s = min(60.0, 0.25 * 2 ** (d.attempts - 1))
                d.last_error = error
                d.next_attempt_at = utcnow() + timedelta(seconds=backoff_s)
                return backoff_s
        return None

    def deliveries(self, party: Party, limit: int = 500) -> list[dict]:
        """Deliveries of *party*'s subscriptions."""
        with self.store.sessions() as s:
            q = (
                select(Delivery)
                .join(Subscription, Delivery.subscription_id == Subscription.id)
                .where(Subscription.party_id == party.id)
                .order_by(Delivery.id)
                .limit(limit)
            )
            return [
                {"id": d.id, "subscription_id": d.subscription_id, "event_id": d.event_id, "status": d.status,
                 "attempts": d.attempts, "last_error": d.last_error}
                for d in s.scalars(q)
            ]  # fmt: skip


class Deliverer:
    """Background delivery: a dispatcher thread and a bounded pool, at most one delivery per subscription in flight."""

    def __init__(self, hooks: Webhooks) -> None:
        self.hooks, self.settings = hooks, hooks.store.settings
        self.stop_event = threading.Event()
        self.wake = threading.Event()
        self.retry_at: float | None = None  # monotonic time of the earliest retry this process scheduled
        hooks.on_queued = self.wake.set
        self.busy: set[int] = set()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.pool: ThreadPoolExecutor | None = None
        timeout = httpx.Timeout(self.settings.webhook_timeout_s, connect=min(2.0, self.settings.webhook_timeout_s))
        self.client = httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False)

    def start(self) -> None:
        """Start delivering (no-op when running)."""
        if self.thread is not None and self.thread.is_alive():
            return
        self.stop_event.clear()
        self.pool = ThreadPoolExecutor(self.settings.webhook_workers, thread_name_prefix="corridor-webhook")
        self.thread = threading.Thread(target=self._run, daemon=True, name="corridor-webhooks")
        self.thread.start()

    def stop(self) -> None:
        """Stop dispatching and wait for deliveries in flight (each bounded by the timeout)."""
        self.stop_event.set()
        self.wake.set()
        if self.thread is not None:
            self.thread.join(self.settings.webhook_timeout_s + 5)
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        self.client.close()

    def _run(self) -> None:
        while not self.stop_event.is_set():
            self.wake.clear()
            polled_at = time.monotonic()
            with self.lock:
                busy = set(self.busy)
            try:
                due = self.hooks.due(busy)
            except OperationalError:
                due = []
            for item in due:
                with self.lock:
                    self.busy.add(item[1])
                self.pool.submit(self._deliver, *item)
            self.wake.wait(self._pause_s(bool(due), polled_at))

    def _pause_s(self, found: bool, polled_at: float) -> float:
        """How long to sleep unless woken: a short poll while work was found, else until the next known retry, else
        the fallback poll."""
        poll_s = self.settings.webhook_poll_s
        if found:
            return poll_s
        with self.lock:
            retry_at = self.retry_at
            if retry_at is not None and retry_at <= polled_at:  # that poll saw it due
                self.retry_at = retry_at = None
        pause_s = max(poll_s, IDLE_POLL_S)
        return pause_s if retry_at is None else min(pause_s, max(poll_s, retry_at - time.monotonic()))

    def _deliver(self, delivery_id: int, sub_id: int, url: str, secret: str, payload: dict) -> None:
        try:
            ok = self._post(delivery_id, url, secret, payload)
            retry_in_s = self.hooks.record(delivery_id, ok, None if ok else DELIVERY_FAILED)
            if retry_in_s is not None:
                with self.lock:
                    at = time.monotonic() + retry_in_s
                    self.retry_at = at if self.retry_at is None else min(self.retry_at, at)
        except Exception:
            pass
        finally:
            with self.lock:
                self.busy.discard(sub_id)
            self.wake.set()  # the subscription's next delivery may be due now

    def _post(self, delivery_id: int, url: str, secret: str, payload: dict) -> bool:
        if not callback_allowed(url, self.settings.allow_private_callbacks):
            return False
        body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(secret, body),
            "Corridor-Delivery": str(delivery_id),
        }
        try:  # the status is all that counts: the receiver's body is never read
            with self.client.stream("POST", url, content=body, headers=headers) as r:
                return 200 <= r.status_code < 300
        except httpx.HTTPError:
            return False
