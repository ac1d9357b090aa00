"""Callbacks as agents work them: the list with due times, and the outcome of a call
(done, no answer and try again, rescheduled), each with a note and audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.storage.database import Database
from bot.storage.models import Callback, Customer, Ticket
from bot.tickets import audit, reference_for
from console.actors import Actor, DeskError

RETRY_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 3
OUTCOMES = ("done", "no_answer", "rescheduled")


@dataclass(frozen=True)
class CallbackRow:
    id: int
    reference: str
    customer: str
    phone: str
    topic: str
    due_at: datetime
    attempts: int
    note: str


async def scheduled(database: Database) -> list[CallbackRow]:
    """Callbacks still to make, the most urgent first."""
    async with database.sessions() as session:
        rows = (await session.execute(
            select(Callback, Ticket, Customer).join(Ticket, Callback.ticket_id == Ticket.id)
            .join(Customer, Ticket.customer_id == Customer.id)
            .where(Callback.status == "scheduled").order_by(Callback.due_at))).all()
    return [CallbackRow(c.id, reference_for(t.id), u.name or u.external_id, c.phone_e164,
                        c.topic, c.due_at, c.attempts, c.note) for c, t, u in rows]


async def record_outcome(database: Database, callback_id: int, actor: Actor, outcome: str,
                         note: str, now: datetime, due_at: datetime | None = None) -> str:
    """Apply an outcome; returns the callback's new status."""
    if outcome not in OUTCOMES:
        raise DeskError("unknown outcome '{outcome}'", status=400, outcome=outcome)
    if outcome == "rescheduled" and (due_at is None or due_at <= now):
        raise DeskError("a rescheduled callback needs a time in the future", status=400)
    async with database.transaction() as session:
        callback = await session.get(Callback, callback_id)
        if callback is None or callback.status != "scheduled":
            raise DeskError("this callback is not scheduled any more", status=409)
        before = {"status": callback.status, "due_at": callback.due_at.isoformat()}
        callback.attempts += 1
        callback.handled_by = actor.username
        callback.note = "\n".join(filter(None, [callback.note, note.strip()]))[-4000:]
        if outcome == "done":
            callback.status, callback.done_at = "done", now
        elif outcome == "no_answer":
            if callback.attempts >= MAX_ATTEMPTS:
                callback.status = "unreachable"
            else:
                callback.due_at = now + RETRY_AFTER
        else:
            assert due_at is not None
            callback.due_at = due_at
        await audit(session, now, actor.username, "callback", callback_id, outcome,
                    before=before, after={"status": callback.status,
                                          "due_at": callback.due_at.isoformat(),
                                          "note": note.strip()[:500]})
        return callback.status
