"""An edited message: while a form runs, the edit corrects the value that message gave;
otherwise it is a new message."""

from __future__ import annotations

from sqlalchemy import select

from bot.storage.models import Callback
from tests.conversation import Customer, text_of


async def test_edited_phone_number_replaces_the_one_given_while_the_form_runs(
    customer: Customer,
) -> None:
    await customer.says("kunnen jullie mij terugbellen?")
    await customer.says("+31 20 555 0142", message_id="tg:41")
    corrected = await customer.sends("text", text="+31 20 555 0199", message_id="tg:41:edit:1",
                                     edit_of="tg:41")
    assert "aangepast naar: +31205550199" in text_of(corrected)
    confirm = await customer.says("vraag over mijn factuur")
    assert "+31 20 555 0199" in text_of(confirm) and "0142" not in text_of(confirm)
    done = await customer.presses("Ja")
    assert done.ticket is not None
    async with customer.engine.database.sessions() as session:
        callback = (await session.execute(select(Callback))).scalar_one()
    assert callback.phone_e164 == "+31205550199"


async def test_edit_that_is_no_valid_value_says_so_and_keeps_the_old_one(
    customer: Customer,
) -> None:
    await customer.says("kunnen jullie mij terugbellen?")
    await customer.says("+31 20 555 0142", message_id="tg:51")
    wrong = await customer.sends("text", text="morgen graag", message_id="tg:51:edit:1",
                                 edit_of="tg:51")
    assert "aangepast" not in text_of(wrong)
    confirm = await customer.says("vraag over mijn factuur")
    assert "+31 20 555 0142" in text_of(confirm)


async def test_edit_without_a_form_is_answered_as_a_new_message(customer: Customer) -> None:
    await customer.says("hallo", message_id="tg:61")
    edited = await customer.sends("text", text="tot hoe laat zijn jullie vandaag open?",
                                  message_id="tg:61:edit:1", edit_of="tg:61")
    assert "22:00" in text_of(edited)
