"""What agents do with tickets: the queue in policy order, an atomic claim, replies on the
customer's channel, notes, hand back to the bot, close with a CSAT question. Every change
is audited; replies go through the outbox like the bot's own."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import routing
from bot.catalogue import Catalogue
from bot.config import Settings
from bot.conversation import SURVEY_PREFIX, Attachment, Button, Reply
from bot.domain import ConversationMode, TicketStatus
from bot.mail_out import by_mail, queue_mail
from bot.outbound import queue_reply
from bot.storage.database import Database
from bot.storage.models import Conversation, Ticket, TicketNote
from bot.tickets import audit, reference_for
from console import transfers
from console.actors import Actor, DeskError
from console.queue import QueueItem, open_queue


class Desk:
    """Agent actions over the database; `catalogue` gives the customer-facing texts and
    `settings` the teams and capacity (without it, claims have no capacity limit)."""

    def __init__(self, database: Database, catalogue: Catalogue,
                 settings: Settings | None = None) -> None:
        self.database = database
        self.catalogue = catalogue
        self.settings = settings

    async def queue(self) -> list[QueueItem]:
        """Open and claimed tickets: contract priority, then urgency, then arrival."""
        return await open_queue(self.database)

    async def claim(self, ticket_id: int, actor: Actor, now: datetime) -> str:
        """Take a ticket; exactly one of several agents claiming at once wins. Returns the
        holder: the actor on success; raises DeskError naming the holder otherwise, or
        saying that the actor is at capacity (one conditional UPDATE decides both)."""
        async with self.database.transaction() as session:
            await routing.lock_agent(session, actor.username)
            result = await session.execute(
                update(Ticket).where(Ticket.id == ticket_id, Ticket.status == "open",
                                     Ticket.assigned_to.is_(None),
                                     routing.has_room(actor.username, self._capacity))
                .values(status="claimed", assigned_to=actor.username, claimed_at=now))
            if not result.rowcount:  # type: ignore[attr-defined]
                row = (await session.execute(select(Ticket.assigned_to, Ticket.status).where(
                    Ticket.id == ticket_id))).one_or_none()
                if row is not None and row[0]:
                    raise DeskError("{holder} already has this ticket", holder=row[0])
                if row is not None and row[1] == "open":
                    raise DeskError("you are at your capacity of concurrent conversations; "
                                    "close or transfer one first")
                raise DeskError("this ticket cannot be claimed")
            ticket = await self._ticket(session, ticket_id)
            await audit(session, now, actor.username, "ticket", ticket_id, "claim",
                        before={"status": "open", "assigned_to": None},
                        after={"status": "claimed", "assigned_to": actor.username})
            conversation = await self._conversation(session, ticket)
            if conversation is not None:
                conversation.mode = ConversationMode.HUMAN
                await self._say(session, conversation, "system", now, self._text(
                    conversation, "agent_joined", name=actor.display_name))
        return actor.username

    async def reply(self, ticket_id: int, actor: Actor, text: str, now: datetime,
                    files: tuple[Attachment, ...] = ()) -> int:
        """Send the agent's text (and stored files) to the customer on their channel;
        returns the message id."""
        text = text.strip()
        if not text and not files:
            raise DeskError("an empty reply cannot be sent", status=400)
        async with self.database.transaction() as session:
            ticket = await self._own(session, ticket_id, actor)
            conversation = await self._conversation(session, ticket)
            if conversation is None:
                raise DeskError("this ticket has no conversation to reply in", status=400)
            reply = Reply(text, files=files)
            if by_mail(ticket, conversation):
                message_id = await self._mail(session, ticket, conversation, reply, actor, now)
            else:
                message_id = await self._say(session, conversation, "agent", now, reply,
                                             agent=actor.display_name)
            if ticket.first_response_at is None:
                ticket.first_response_at = now
            await audit(session, now, actor.username, "ticket", ticket_id, "reply",
                        after={"message_id": message_id})
        return message_id

    async def _mail(self, session: AsyncSession, ticket: Ticket, conversation: Conversation,
                    reply: Reply, actor: Actor, now: datetime) -> int:
        """The customer asked to be answered by e-mail: the reply goes to their address, in
        the ticket's mail thread (started by the first such reply or the complaint's
        acknowledgement)."""
        details = dict(ticket.details or {})
        subject = self.catalogue.text(conversation.language or "en", "mail_reply_subject",
                                      reference=ticket.reference or "")
        message_id, thread = await queue_mail(
            session, address=str(details["email"]), subject=subject, reply=reply,
            language=conversation.language or "en", now=now, agent=actor.display_name,
            thread=details.get("mail_thread"))
        ticket.details = {**details, "mail_thread": thread}
        return message_id

    async def note(self, ticket_id: int, actor: Actor, text: str, now: datetime) -> None:
        """An internal note: on the ticket, never sent to the customer."""
        if not text.strip():
            raise DeskError("an empty note cannot be saved", status=400)
        async with self.database.transaction() as session:
            if (await self._ticket(session, ticket_id)).status == "closed":
                raise DeskError("this ticket is closed; its notes can no longer change")
            session.add(TicketNote(ticket_id=ticket_id, author=actor.username,
                                   text=text.strip(), created_at=now))
            await audit(session, now, actor.username, "ticket", ticket_id, "note")

    async def hand_back(self, ticket_id: int, actor: Actor, now: datetime) -> None:
        """The bot answers the conversation again; the ticket stays with the agent."""
        async with self.database.transaction() as session:
            ticket = await self._own(session, ticket_id, actor)
            conversation = await self._conversation(session, ticket)
            if conversation is not None and conversation.mode == ConversationMode.HUMAN:
                conversation.mode = ConversationMode.BOT
                await self._say(session, conversation, "system", now,
                                self._text(conversation, "agent_left"))
            await audit(session, now, actor.username, "conversation",
                        ticket.conversation_id, "hand_back", before={"mode": "human"},
                        after={"mode": "bot"})

    async def close(self, ticket_id: int, actor: Actor, resolution: str, now: datetime,
                    closing_message: str = "") -> None:
        """Close with an internal resolution (never sent), give the conversation back to
        the bot and ask the customer for a satisfaction score (1-5) in their language, once
        per ticket. A `closing_message` is sent to the customer first, as the agent."""
        if not resolution.strip():
            raise DeskError("a resolution is needed to close a ticket", status=400)
        async with self.database.transaction() as session:
            ticket = await self._own(session, ticket_id, actor)
            before = {"status": ticket.status}
            ticket.status, ticket.closed_at, ticket.closed_by = \
                TicketStatus.CLOSED, now, actor.username
            ticket.resolution = resolution.strip()
            await audit(session, now, actor.username, "ticket", ticket_id, "close",
                        before=before, after={"status": "closed",
                                              "resolution": ticket.resolution})
            conversation = await self._conversation(session, ticket)
            if conversation is None:
                return
            if closing_message.strip():
                closing = Reply(closing_message.strip())
                if by_mail(ticket, conversation):
                    await self._mail(session, ticket, conversation, closing, actor, now)
                else:
                    await self._say(session, conversation, "agent", now, closing,
                                    agent=actor.display_name)
            conversation.mode = ConversationMode.BOT
            await self._say(session, conversation, "system", now, self._text(
                conversation, "conversation_closed", name=actor.display_name,
                reference=reference_for(ticket_id)))
            if ticket.csat_asked_at is None:
                ticket.csat_asked_at = now
                await self._ask_csat(session, conversation, ticket, now)

    async def transfer(self, ticket_id: int, actor: Actor, note: str, now: datetime, *,
                       agent: str | None = None, team: str | None = None) -> str:
        """Pass a ticket to another agent (available, with room) or back to a team's queue,
        with an internal note; the customer is told in their language. Returns who or which
        team has it now."""
        if (agent is None) == (team is None):
            raise DeskError("transfer to either an agent or a team", status=400)
        if not note.strip():
            raise DeskError("a transfer needs a note for the colleague", status=400)
        async with self.database.transaction() as session:
            ticket = await self._ticket(session, ticket_id)
            if ticket.status == "closed" or (ticket.status == "claimed"
                                             and ticket.assigned_to != actor.username):
                raise DeskError("claim the ticket first (it is {state}, with {holder})",
                                state=ticket.status, holder=ticket.assigned_to or "nobody")
            before = {"status": ticket.status, "assigned_to": ticket.assigned_to,
                      "team": ticket.team}
            if agent is not None:
                target = await transfers.to_agent(session, ticket, agent, now,
                                                  self._capacity)
                target_name, key = target.display_name, "transfer_agent"
            else:
                target_name, key = await transfers.to_team(
                    session, ticket, str(team), actor, now, self.settings), "transfer_team"
            session.add(TicketNote(ticket_id=ticket_id, author=actor.username,
                                   text=f"Transfer to {agent or team}: {note.strip()}",
                                   created_at=now))
            await audit(session, now, actor.username, "ticket", ticket_id, "transfer",
                        before=before, after={"status": ticket.status,
                                              "assigned_to": ticket.assigned_to,
                                              "team": ticket.team})
            conversation = await self._conversation(session, ticket)
            if conversation is not None:
                conversation.mode = ConversationMode.HUMAN
                values = {"name": target_name} if agent else {"team": target_name}
                await self._say(session, conversation, "system", now,
                                self._text(conversation, key, **values))
            return ticket.assigned_to or str(ticket.team)

    @property
    def _capacity(self) -> int | None:
        return self.settings.agent_max_concurrent if self.settings is not None else None

    async def _ask_csat(self, session: AsyncSession, conversation: Conversation,
                        ticket: Ticket, now: datetime) -> None:
        buttons = tuple(Button(str(score), f"{SURVEY_PREFIX}{score}") for score in range(1, 6))
        question = self._text(conversation, "csat_question")
        await self._say(session, conversation, "bot", now, Reply(question.text, buttons))
        state = dict(conversation.state or {})
        state["csat_ticket"] = ticket.id
        state["buttons"] = [button.payload for button in buttons]
        conversation.state = state

    def _text(self, conversation: Conversation, key: str, **values: object) -> Reply:
        return Reply(self.catalogue.text(conversation.language or "en", key, **values))

    async def _say(self, session: AsyncSession, conversation: Conversation, sender: str,
                   now: datetime, reply: Reply, agent: str | None = None) -> int:
        return await queue_reply(session, conversation, reply, now, sender=sender, agent=agent)

    async def _ticket(self, session: AsyncSession, ticket_id: int) -> Ticket:
        ticket = await session.get(Ticket, ticket_id)
        if ticket is None:
            raise DeskError("no ticket {id}", status=404, id=ticket_id)
        return ticket

    async def _own(self, session: AsyncSession, ticket_id: int, actor: Actor) -> Ticket:
        ticket = await self._ticket(session, ticket_id)
        if ticket.status != "claimed" or ticket.assigned_to != actor.username:
            holder = ticket.assigned_to or "nobody"
            raise DeskError("claim the ticket first (it is {state}, with {holder})",
                            state=ticket.status, holder=holder)
        return ticket

    async def _conversation(self, session: AsyncSession,
                            ticket: Ticket) -> Conversation | None:
        if ticket.conversation_id is None:
            return None
        return await session.get(Conversation, ticket.conversation_id)

