"""Group commit for pre-lodged declarations: concurrent lodgements share a few statements and one durable commit.

A batch inserts its holders' new guarantees (``ON CONFLICT DO NOTHING``), its declarations (``ON CONFLICT DO
NOTHING RETURNING``: a duplicate LRN comes back without an id and is refused alone), their indexed references and
audit entries (:mod:`corridor.transit.bulk`: one statement on PostgreSQL) and its idempotency answers (one
executemany). Every caller is answered only after the shared commit returned. When a batch fails, each lodgement is
retried alone, so one bad row never fails another request. The worker thread starts on first use or :meth:`start`
and ends on :meth:`stop`. A lodgement arriving alone (the only request in flight, the writer idle) is committed as a
batch of one on the caller's thread instead: the same statements and durable commit, without the two thread hops.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.exc import DBAPIError, OperationalError

from corridor.transit.bulk import insert_batch
from corridor.transit.db import IdempotencyKey, utcnow
from corridor.transit.errors import TransitError
from corridor.transit.idempotency import Claim, redact
from corridor.transit.store import Store

__all__ = ["GroupCommitter", "Lodgement"]


@dataclass
class Lodgement:
    """One declaration to insert: its row, audit trail, references, guarantee, and how to answer."""

    row: dict
    trail: list[tuple]
    refs: list[tuple[str, str]]
    guarantee: dict
    party_id: int
    claim: Claim | None = None
    respond: Callable[[int], dict] | None = None  # body of the 201 answer for the declaration id
    done: threading.Event | None = None  # set by a blocking caller (lodge); an awaiting one has a future instead
    future: Any = None  # asyncio.Future when the caller awaits instead of blocking
    decl_id: int | None = None
    error: BaseException | None = None

    def finish(self) -> None:
        if self.future is None:
            if self.done is not None:
                self.done.set()
            return
        self.future.get_loop().call_soon_threadsafe(_settle, self.future, self.decl_id, self.error)


def _settle(future: Any, result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


_STOP = object()


class GroupCommitter:
    """A single writer thread that commits lodgements in batches."""

    def __init__(self, store: Store, max_batch: int = 256) -> None:
        self.store, self.max_batch = store, max_batch
        self.jobs: queue.Queue[Any] = queue.Queue()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        self.running = threading.Lock()  # held while a batch commits (writer thread, or a caller inline)
        self.last_size = 1  # lodgements in the last batch committed
        self.stopped = False
        self.known: set[tuple[int, str]] = set()  # (holder, reference) of guarantees committed by this process

    def start(self) -> None:
        """Start the writer thread (no-op when running)."""
        with self.lock:
            if self.stopped:
                raise TransitError(503, "service unavailable", "the service is shutting down")
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._loop, daemon=True, name="corridor-group-commit")
                self.thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Finish the queued lodgements, then end the thread (idempotent)."""
        with self.lock:
            self.stopped = True
            thread = self.thread
        if thread is not None and thread.is_alive():
            self.jobs.put(_STOP)
            thread.join(timeout_s)

    def lodge(self, job: Lodgement) -> int | None:
        """Insert one declaration; its id, or None when the LRN is taken."""
        self.start()
        job.done = threading.Event()
        self.jobs.put(job)
        job.done.wait()
        if job.error is not None:
            raise job.error
        return job.decl_id

    async def lodge_async(self, job: Lodgement, *, inline: Callable[[], bool] | None = None) -> int | None:
        """:meth:`lodge` for coroutines: the event loop keeps serving while the batch commits.

        With *inline* (a test: is the caller's request the only one in flight?) true, nothing queued or committing,
        and the last commit a single lodgement too (lodgements arriving one at a time, not the first of a crowd a
        batch just answered), the lodgement is committed right here, the same way and as durably as a batch of
        one: no hop to the writer thread and back. Otherwise it joins the next batch."""
        self.start()
        if inline and self.last_size == 1 and self.jobs.empty():
            # let requests already received take their first steps (a caller counts requests in flight when its
            # own began): a crowd arriving together then shows and commits as one batch, not one by one inline
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            self.start()  # 503 if the service began shutting down meanwhile
            if inline() and self._commit_inline(job):
                if job.error is not None:
                    raise job.error
                return job.decl_id
        job.future = asyncio.get_running_loop().create_future()
        self.jobs.put(job)
        return await job.future

    def _commit_inline(self, job: Lodgement) -> bool:
        """Run *job* as a batch of one on this thread when the writer is idle; False (nothing done) when busy."""
        if self.last_size != 1 or not self.jobs.empty() or not self.running.acquire(blocking=False):
            return False
        try:
            if not self.jobs.empty():  # queued meanwhile: those go first, in their batch
                return False
            self._run([job])
            return True
        finally:
            self.running.release()

    def _loop(self) -> None:
        while True:
            first = self.jobs.get()
            if first is _STOP:
                self._drain()
                return
            batch, stop = [first], False
            while len(batch) < self.max_batch:
                try:
                    nxt = self.jobs.get_nowait()
                except queue.Empty:
                    break
                if nxt is _STOP:
                    stop = True
                    break
                batch.append(nxt)
            with self.running:
                self._run(batch)
            if stop:
                self._drain()
                return

    def _drain(self) -> None:
        while True:
            try:
                job = self.jobs.get_nowait()
            except queue.Empty:
                return
            if job is not _STOP:
                job.error = TransitError(503, "service unavailable", "the service is shutting down")
                job.finish()

    def _run(self, batch: list[Lodgement]) -> None:
        # one batch never holds the same (holder, LRN) twice: later duplicates go into the next batch
        seen: set[tuple] = set()
        now_batch = []
        for job in batch:
            key = (job.row["holder_id"], job.row["lrn"])
            (self.jobs.put(job) if key in seen else now_batch.append(job))
            seen.add(key)
        self.last_size = len(now_batch)
        try:
            self._commit(now_batch)
        except OperationalError as exc:  # the database is unavailable: nobody's write is acknowledged
            for job in now_batch:
                job.decl_id, job.error = None, exc
        except DBAPIError:  # a row the database refused: retry each lodgement alone
            for job in now_batch:
                try:
                    self._commit([job])
                except DBAPIError as exc:
                    job.decl_id = None
                    job.error = exc if isinstance(exc, OperationalError) else _refused()
        except Exception as exc:
            for job in now_batch:
                job.decl_id, job.error = None, exc
        for job in now_batch:
            job.finish()

    def _commit(self, jobs: list[Lodgement]) -> None:
        # a rejected declaration registers no guarantee: only one that passed the rules fixes its amount and currency;
        # a guarantee this process already committed is not inserted again (guarantee rows are never deleted)
        guarantees = {
            (j.guarantee["holder_id"], j.guarantee["reference"]): j.guarantee
            for j in jobs
            if j.row["status"] != "rejected" and (j.guarantee["holder_id"], j.guarantee["reference"]) not in self.known
        }
        lodgements = [
            (j.row, [{"at": j.row["created_at"], "party_id": j.party_id, "action": a, "from_state": f, "to_state": to,
                      "detail": d} for a, f, to, d in j.trail], j.refs)
            for j in jobs
        ]  # fmt: skip
        with self.store.tx_core() as conn:  # Core statements: the ORM's bulk machinery costs more than the inserts
            ids = {(h, lrn): i for i, h, lrn in insert_batch(conn, lodgements, list(guarantees.values()))}
            for job in jobs:
                job.decl_id = ids.get((job.row["holder_id"], job.row["lrn"]))
            self._answer(conn, jobs)
        if len(self.known) > 100_000:
            self.known.clear()
        self.known.update(guarantees)

    @staticmethod
    def _answer(conn: Any, jobs: list[Lodgement]) -> None:
        """Idempotency answers of the lodgements that carry a claim, in the same transaction as the work."""
        answers = [
            {"claim_id": job.claim.id, "answer": redact(job.respond(job.decl_id)), "now": utcnow()}
            for job in jobs
            if job.claim is not None and job.decl_id is not None and job.respond is not None
        ]
        if not answers:
            return
        table = IdempotencyKey.__table__
        conn.execute(
            table.update()
            .where(table.c.id == bindparam("claim_id"), table.c.state == "in_flight")
            .values(state="done", status_code=201, response=bindparam("answer"), completed_at=bindparam("now")),
            answers,
        )


def _refused() -> TransitError:
    return TransitError(422, "declaration refused", "the declaration could not be stored; check its text fields")
