"""Answers that know the clock, with the real NLU model and a frozen clock: at night, at
the weekend and on a public holiday the bot says support is closed (naming the holiday),
gives the emergency line and when support opens again, in local time with GMT beside it."""

from __future__ import annotations

import pytest

from bot.clock import parse_instant
from tests.conversation import Customer, text_of

EMERGENCY = "+31 20 555 0199"
CHRISTMAS_MORNING = "2026-12-25T09:00:00Z"  # a Friday; Saturday is Boxing Day
SUNDAY_NIGHT = "2026-11-29T21:30:00Z"
FRIDAY_LATE = "2026-11-27T21:55:00Z"
WEEKDAY_MORNING = "2026-11-25T10:00:00Z"


def _at(customer: Customer, moment: str) -> None:
    customer.clock._at = parse_instant(moment)


@pytest.mark.parametrize(("message", "holiday", "opening"), [
    ("our server is down, who can I reach today?", "Christmas Day",
     "Monday, December 28, 2026, 07:00 (06:00 GMT)"),
    ("onze server ligt eruit, wie is er vandaag bereikbaar?", "Eerste kerstdag",
     "maandag 28 december 2026, 07:00 (06:00 GMT)"),
    ("Unser Server ist ausgefallen, wen kann ich heute erreichen?", "Erster Weihnachtstag",
     "Montag, 28. Dezember 2026, 07:00 (06:00 GMT)"),
])
async def test_on_a_public_holiday_the_bot_names_it_and_gives_the_emergency_line(
    customer: Customer, message: str, holiday: str, opening: str,
) -> None:
    _at(customer, CHRISTMAS_MORNING)
    text = text_of(await customer.says(message))
    assert holiday in text and EMERGENCY in text and opening in text


@pytest.mark.parametrize(("message", "weekend", "opening"), [
    ("our mail server is down, who can I call?", "weekend",
     "Monday, November 30, 2026, 07:00 (06:00 GMT)"),
    ("onze mailserver doet het niet meer, wie kan ik nu bellen?", "weekend",
     "maandag 30 november 2026, 07:00 (06:00 GMT)"),
    ("Unser Mailserver ist down, wen kann ich anrufen?", "Wochenende",
     "Montag, 30. November 2026, 07:00 (06:00 GMT)"),
])
async def test_on_sunday_night_the_bot_says_support_is_closed(
    customer: Customer, message: str, weekend: str, opening: str,
) -> None:
    _at(customer, SUNDAY_NIGHT)
    text = text_of(await customer.says(message))
    assert weekend in text and EMERGENCY in text and opening in text


@pytest.mark.parametrize(("message", "closing"), [
    ("I want to talk to a person please", "23:00 (22:00 GMT)"),
    ("ik wil graag een medewerker spreken", "23:00 (22:00 GMT)"),
    ("Ich möchte bitte mit einem Mitarbeiter sprechen", "23:00 (22:00 GMT)"),
])
async def test_five_minutes_before_closing_on_friday_a_handoff_says_when_we_close(
    customer: Customer, message: str, closing: str,
) -> None:
    _at(customer, FRIDAY_LATE)
    result = await customer.says(message)
    assert result.intent == "human_handoff"
    text = text_of(result)
    assert closing in text and "(06:00 GMT)" in text and EMERGENCY in text


@pytest.mark.parametrize("message", [
    "who can I call about a problem?",
    "wie kan ik bellen over een probleem?",
    "Wen kann ich wegen eines Problems anrufen?",
])
async def test_on_a_weekday_morning_no_closed_notice_is_given(
    customer: Customer, message: str,
) -> None:
    _at(customer, WEEKDAY_MORNING)
    text = text_of(await customer.says(message))
    assert "closed" not in text and "gesloten" not in text and "nicht besetzt" not in text


async def test_a_callback_asked_on_sunday_night_is_due_monday_in_local_time(
    customer: Customer,
) -> None:
    _at(customer, SUNDAY_NIGHT)
    await customer.says("kunnen jullie me terugbellen?")
    await customer.says("+49 30 5550 1234")
    await customer.says("mijn factuur")
    done = text_of(await customer.presses("Ja"))
    assert "het is weekend" in done
    assert "maandag 30 november 2026" in done and "07:00 (06:00 GMT)" in done


@pytest.mark.parametrize("question", [
    "Unser Mailserver ist ausgefallen, keiner kann Mails senden. Wen kann ich anrufen?",
    "onze mailserver ligt plat, niemand kan mailen. Wie kan ik bellen?",
    "our mail server is down, nobody can send mail. Who can I call?",
])
async def test_something_down_while_closed_gets_the_emergency_line_first(
    customer: Customer, question: str,
) -> None:
    _at(customer, SUNDAY_NIGHT)
    result = await customer.says(question)
    assert EMERGENCY in result.replies[0].text
