"""`complaint`: what happened and how to reply; logged with the policy's deadlines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from actions import extract
from bot.conversation import Reply
from bot.forms import Form, Slot
from bot.mail_out import queue_mail
from bot.turn import Turn

# Typed answers to "how would you like us to get back to you?" (whole words).
_EMAIL_WORDS = ("mail", "e-mail", "email", "mailen", "mailtje", "per mail", "by mail")
_PHONE_WORDS = ("phone", "call", "ring", "bel", "bellen", "belt", "telefoon", "telefonisch",
                "telefon", "telefonie", "anruf", "anrufen", "rufen", "ruft", "by phone")
_CHAT_WORDS = ("chat", "here", "hier", "whatsapp", "telegram", "in this chat", "in de chat",
               "im chat", "hier im chat")


class ComplaintForm(Form):
    name = "complaint"
    slots = (
        Slot("description", "complaint_ask_description", extract.free_text),
        Slot("contact", "complaint_ask_contact",
             extract.choice(("email", _EMAIL_WORDS), ("phone", _PHONE_WORDS),
                            ("chat", _CHAT_WORDS)),
             structured=True,
             choices=(("=email", "complaint_choice_email"), ("=phone", "complaint_choice_phone"),
                      ("=chat", "complaint_choice_chat"))),
        Slot("email", "complaint_ask_email", extract.email, spot=extract.spot_email,
             invalid="complaint_invalid_email", structured=True,
             when=lambda values: values.get("contact") == "email"),
        Slot("phone", "complaint_ask_phone", extract.phone, spot=extract.spot_phone,
             invalid="form_invalid_phone", structured=True,
             when=lambda values: values.get("contact") == "phone"),
    )

    def prefill(self, turn: Turn, values: Mapping[str, Any]) -> dict[str, Any]:
        # A long first message usually is the complaint itself.
        return {"description": turn.text.strip()} if len(turn.text.split()) >= 8 else {}

    def complete(self, values: dict[str, Any], changed: set[str]) -> None:
        """An address or number given (also as a correction) is how to reply."""
        for kind in ("email", "phone"):
            if kind in changed and values.get(kind) and "contact" not in changed:
                values["contact"] = kind

    def confirmation(self, turn: Turn, values: Mapping[str, Any]) -> str:
        return turn.t("complaint_confirm", description=values["description"],
                      contact=self._contact(turn, values))

    @staticmethod
    def _contact(turn: Turn, values: Mapping[str, Any]) -> str:
        kind = values["contact"]
        return turn.t(f"complaint_contact_{kind}", email=values.get("email", ""),
                      phone=extract.display_phone(values["phone"]) if values.get("phone") else "")

    async def submit(self, turn: Turn, values: Mapping[str, Any]) -> None:
        ticket = await turn.services.desk.open_ticket(
            turn.session, kind="complaint", customer=turn.customer,
            conversation=turn.conversation, subject="Complaint",
            details={key: values.get(key) for key in ("description", "contact", "email", "phone")},
            now=turn.now, urgency=1,
        )
        if values.get("email"):
            turn.customer.email = values["email"]
        turn.ticket = ticket.reference
        assert ticket.acknowledge_due is not None
        turn.say("complaint_created", reference=ticket.reference,
                 ack_due=turn.when(ticket.acknowledge_due))
        if values.get("contact") == "email" and values.get("email"):
            thread = await self._acknowledge(turn, values, ticket.reference or "")
            # Agents' answers go by mail in the same thread (console/desk.py).
            ticket.details = {**ticket.details, "reply_by": "email", "mail_thread": thread}

    @staticmethod
    async def _acknowledge(turn: Turn, values: Mapping[str, Any], reference: str) -> int:
        """The written acknowledgement, sent at once to the address the customer gave;
        returns the e-mail conversation it starts."""
        _, thread = await queue_mail(
            turn.session, address=values["email"], language=turn.lang, now=turn.now,
            name=turn.customer.name,
            subject=turn.t("complaint_ack_subject", reference=reference),
            reply=Reply(turn.t("complaint_ack_mail", reference=reference,
                               description=values["description"],
                               company=turn.services.company.company_name)))
        return thread
