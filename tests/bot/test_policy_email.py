"""The dialogue policy on e-mail: a mail is one turn, so a request that needs a form's
questions goes to a person at once (with the 2-hour e-mail target), while a question the
bot can answer in one mail is answered."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.storage.models import Ticket
from tests.conversation import Customer, text_of


@pytest.fixture
def mailer(customer: Customer) -> Customer:
    return Customer(customer.intake, customer.clock, user="mail:jan", channel="email")


async def test_a_callback_request_by_mail_goes_to_a_person_with_the_mail_target(
    mailer: Customer,
) -> None:
    result = await mailer.says("Could you call me back on +31 20 555 0142 about my invoice? "
                               "Thanks, Jan")
    assert result.ticket is not None
    assert "2 working hours" in text_of(result)
    async with mailer.engine.database.sessions() as session:
        ticket = (await session.execute(select(Ticket))).scalar_one()
    assert ticket.kind == "handoff"
    assert ticket.first_response_due is not None and ticket.created_at is not None
    assert (ticket.first_response_due - ticket.created_at).total_seconds() == 2 * 3600


async def test_a_question_by_mail_is_answered_without_a_ticket(mailer: Customer) -> None:
    result = await mailer.says("What are your opening hours on Saturday?")
    assert result.ticket is None
    assert "06:00" in text_of(result)


async def test_a_quote_asked_for_by_mail_gets_the_two_day_sales_target(
    mailer: Customer,
) -> None:
    result = await mailer.says("Goedemiddag, kunnen jullie mij een offerte sturen voor "
                               "een onderhoudscontract voor 12 werkplekken?")
    assert result.ticket is not None
    async with mailer.engine.database.sessions() as session:
        ticket = (await session.execute(select(Ticket))).scalar_one()
    assert ticket.details.get("sales") is True
    assert ticket.resolution_due is not None
    assert (ticket.resolution_due - ticket.created_at).days == 2
