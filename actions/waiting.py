"""The customer's side of a handoff while no person has answered yet: cancel it ("laat
maar", "doch nicht", "never mind"), see the queue position, and take one of the offered
alternatives (keep waiting, a callback, an answer by e-mail)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from actions.extract import email as extract_email
from bot.conversation import Reply
from bot.domain import OPEN_TICKET_STATUSES, ConversationMode, TicketStatus
from bot.forms import is_cancel
from bot.handoff_timeouts import EMAIL, WAIT, alternatives
from bot.storage.models import Ticket
from bot.tickets import audit, reference_for
from bot.turn import Turn

POSITION_EVERY = timedelta(minutes=2)


async def waiting_ticket(turn: Turn) -> Ticket | None:
    """The conversation's handoff ticket that is still open or being worked."""
    return (await turn.session.execute(
        select(Ticket).where(Ticket.conversation_id == turn.conversation.id,
                             Ticket.kind == "handoff", Ticket.status.in_(OPEN_TICKET_STATUSES))
        .order_by(Ticket.id.desc()).limit(1))).scalar_one_or_none()


async def queue_position(turn: Turn, ticket: Ticket) -> int:
    """1 + other customers' unclaimed tickets of the same team ahead of this one in queue
    order (the customer's own earlier tickets are not people ahead of them)."""
    ahead = (
        (Ticket.priority > ticket.priority)
        | ((Ticket.priority == ticket.priority) & (Ticket.urgency > ticket.urgency))
        | ((Ticket.priority == ticket.priority) & (Ticket.urgency == ticket.urgency)
           & ((Ticket.created_at < ticket.created_at)
              | ((Ticket.created_at == ticket.created_at) & (Ticket.id < ticket.id)))))
    query = select(func.count()).select_from(Ticket).where(
        Ticket.status == "open", Ticket.assigned_to.is_(None), Ticket.id != ticket.id,
        Ticket.customer_id != ticket.customer_id, ahead)
    if ticket.team:
        query = query.where(or_(Ticket.team == ticket.team, Ticket.team.is_(None)))
    return 1 + int((await turn.session.execute(query)).scalar_one())


class WaitingRoom:
    """Answers a customer whose conversation is with people (human mode), when it should."""

    async def respond(self, turn: Turn) -> bool:
        """True when this turn was answered here; False leaves it to a person, or (after
        a cancel that hands back to the bot) to the dialogue policy."""
        ticket = await waiting_ticket(turn)
        if ticket is None:
            return False
        if is_cancel(turn.text):
            await self._end(turn, ticket, "cancelled by the customer")
            turn.say("handoff_cancelled")
            return True
        if ticket.status != "open" or ticket.assigned_to is not None:
            return False  # a person has it: the bot stays silent
        if turn.state.get("awaiting") == "handoff_email":
            return await self._email(turn, ticket)
        if turn.intent == "request_callback":
            await self._end(turn, ticket, "customer chose a callback")
            return False  # the policy starts the callback form
        if turn.choice == EMAIL:
            turn.state["awaiting"] = "handoff_email"
            if turn.customer.email:
                return await self._email(turn, ticket, turn.customer.email)
            turn.say("handoff_email_ask")
            return True
        await self._tell_position(turn, ticket, force=turn.choice == WAIT)
        return True

    async def after_handoff(self, turn: Turn) -> None:
        """Out of hours nobody can take the handoff now: offer the alternatives at once,
        as buttons on the handoff message itself (one message per situation)."""
        if turn.services.calendar.is_open(turn.now) or not turn.replies:
            return
        ticket = await waiting_ticket(turn)
        if ticket is None or ticket.status != "open" or ticket.timeout_offered_at:
            return
        ticket.timeout_offered_at = turn.now
        last = turn.replies[-1]
        turn.replies[-1] = Reply(last.text, alternatives(turn.services.catalogue, turn.lang))

    async def _tell_position(self, turn: Turn, ticket: Ticket, force: bool) -> None:
        told = turn.state.get("position_told_at")
        if force or told is None or turn.now - datetime.fromisoformat(told) >= POSITION_EVERY:
            turn.state["position_told_at"] = turn.now.isoformat()
            turn.say("handoff_position", position=await queue_position(turn, ticket))

    async def _email(self, turn: Turn, ticket: Ticket, known: str | None = None) -> bool:
        address = known or extract_email(turn)
        if address is None:
            turn.say("handoff_email_ask")
            return True
        turn.state.pop("awaiting", None)
        turn.customer.email = address
        ticket.details = {**ticket.details, "reply_by": "email", "email": address}
        turn.conversation.mode = ConversationMode.BOT
        await audit(turn.session, turn.now, "customer", "ticket", ticket.id, "reply_by_email",
                    after={"reply_by": "email"})
        turn.say("handoff_email_confirm", reference=reference_for(ticket.id), email=address)
        return True

    async def _end(self, turn: Turn, ticket: Ticket, reason: str) -> None:
        before = {"status": ticket.status, "assigned_to": ticket.assigned_to}
        ticket.status, ticket.closed_at, ticket.resolution = \
            TicketStatus.CANCELLED, turn.now, reason
        turn.conversation.mode = ConversationMode.BOT
        turn.state.pop("awaiting", None)
        await audit(turn.session, turn.now, "customer", "ticket", ticket.id, "cancel",
                    before=before, after={"status": "cancelled", "reason": reason})

