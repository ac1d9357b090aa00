"""`request_callback`: ask for a phone number and a topic, then schedule a call back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import phonenumbers

from actions import extract
from actions.mail_confirmation import confirm_by_mail
from actions.topics import spot_topic
from bot.forms import Form, Slot
from bot.opening import closed_reason
from bot.turn import Turn

DEDICATED_LINES = {"US": "callback_phone_us", "CA": "callback_phone_ca", "GB": "callback_phone_uk"}
COUNTRY_NAMES = {
    "US": {"en": "the United States", "nl": "de Verenigde Staten", "de": "den USA"},
    "CA": {"en": "Canada", "nl": "Canada", "de": "Kanada"},
    "GB": {"en": "the United Kingdom", "nl": "het Verenigd Koninkrijk",
           "de": "Großbritannien"},
}


class CallbackForm(Form):
    name = "callback"
    slots = (
        Slot("phone", "callback_ask_phone", extract.phone, spot=extract.spot_phone,
             invalid="form_invalid_phone", structured=True),
        Slot("topic", "callback_ask_topic", extract.free_text,
             spot=lambda turn: spot_topic(turn, extract.spot_phone(turn))),
    )

    def confirmation(self, turn: Turn, values: Mapping[str, Any]) -> str:
        return turn.t("callback_confirm", phone=extract.display_phone(values["phone"]),
                      topic=values["topic"])

    async def submit(self, turn: Turn, values: Mapping[str, Any]) -> None:
        number = phonenumbers.parse(values["phone"])
        country = phonenumbers.region_code_for_number(number)
        ticket = await turn.services.desk.open_ticket(
            turn.session, kind="callback", customer=turn.customer,
            conversation=turn.conversation, subject=f"Callback: {values['topic']}",
            details={"phone": values["phone"], "topic": values["topic"]}, now=turn.now,
        )
        callback = await turn.services.desk.schedule_callback(
            turn.session, ticket=ticket, phone_e164=values["phone"], country=country,
            topic=values["topic"], now=turn.now,
        )
        turn.customer.phone = values["phone"]
        turn.ticket = ticket.reference
        reason = closed_reason(turn)
        key = "callback_scheduled_open" if reason is None else "callback_scheduled_closed"
        turn.say(key, phone=extract.display_phone(values["phone"]), reason=reason,
                 due_time=turn.time_of_day(callback.due_at),
                 due_day=turn.day_name(callback.due_at), reference=ticket.reference)
        if country in DEDICATED_LINES:
            line = turn.services.company.placeholders()[DEDICATED_LINES[country]]
            turn.say("callback_dedicated_line", country=COUNTRY_NAMES[country][turn.lang],
                     line=line)
        await confirm_by_mail(turn, ticket.reference or "")
