"""`ticket_status`: the status of one of the customer's own tickets, by reference."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.forms import Form, Found, Slot
from bot.tickets import normalize_reference
from bot.turn import Turn


def reference(turn: Turn) -> str | None:
    """A ticket reference from the NLU entity or anywhere in the text."""
    entity = turn.parse.first("ticket_id") if turn.parse else None
    candidates = [entity] if entity else []
    candidates += [word for word in turn.text.replace(",", " ").split()
                   if word[:1] in "tT"]
    for candidate in candidates:
        if candidate and (found := normalize_reference(candidate.strip(".?!:"))):
            return found
    return None


def spot_reference(turn: Turn) -> Found | None:
    found = reference(turn)
    return Found(found) if found else None


class TicketStatus(Form):
    name = "ticket_status"
    confirm = False
    slots = (Slot("reference", "ticket_ask_reference", reference, spot=spot_reference,
                  structured=True),)

    async def submit(self, turn: Turn, values: Mapping[str, Any]) -> None:
        """Tell the status, only if the ticket is the customer's own; never reveal others."""
        ref = values["reference"]
        ticket = await turn.services.desk.find_own(turn.session, ref, turn.customer)
        if ticket is None:
            turn.say("ticket_not_found", reference=ref)
            return
        turn.say("ticket_found", reference=ref, kind=turn.t(f"kind_{ticket.kind}"),
                 created=turn.when(ticket.created_at), status=turn.t(f"status_{ticket.status}"))
