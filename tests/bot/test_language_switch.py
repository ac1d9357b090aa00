"""The conversation's language in whole conversations: it stays put on data and buttons,
and follows the customer who asks for another language."""

from __future__ import annotations

from tests.conversation import Customer, text_of


async def test_a_serial_number_keeps_a_german_warranty_claim_in_german(
        customer: Customer) -> None:
    await customer.says("Ich möchte einen Garantiefall melden, das Gerät ist defekt")
    await customer.says("NetBox 500")
    serial = await customer.says("SN4K7Q2X91")
    fault = await customer.says("Er geht nach zwei Sekunden einfach wieder aus")
    assert [serial.language, fault.language] == ["de", "de"]
    assert all(result.language == "de" for result in customer.results)
    assert "?" in text_of(serial) and "the" not in text_of(serial).split()


async def test_an_email_address_keeps_a_dutch_complaint_in_dutch(customer: Customer) -> None:
    await customer.says("ik wil een klacht indienen over jullie monteur")
    await customer.says("hij is twee keer niet komen opdagen voor de afspraak")
    await customer.presses("Per e-mail")
    confirm = await customer.says("jan.devries@example.com")
    assert confirm.language == "nl"
    assert "jan.devries@example.com" in text_of(confirm)
    done = await customer.presses("Ja")
    assert done.language == "nl" and done.ticket is not None
    assert "ontvangstbevestiging" in text_of(done)


async def test_a_button_press_keeps_the_language(customer: Customer) -> None:
    await customer.says("ben ik nu met een robot aan het chatten?")
    pressed = await customer.says("Yes", payload="/deny")
    assert pressed.language == "nl"


async def test_in_english_please_switches_with_a_short_confirmation(customer: Customer) -> None:
    first = await customer.says("hoe laat zijn jullie morgen open?")
    assert first.language == "nl"
    switched = await customer.says("In English please")
    assert switched.language == "en"
    assert "English" in text_of(switched)
    later = await customer.says("ok")
    assert later.language == "en"


async def test_auf_deutsch_bitte_switches_an_english_conversation(customer: Customer) -> None:
    await customer.says("my mail server is down, who can I call?")
    switched = await customer.says("auf Deutsch bitte")
    assert switched.language == "de" and "Deutsch" in text_of(switched)


async def test_a_request_with_a_question_is_answered_in_the_new_language(
        customer: Customer) -> None:
    await customer.says("hallo, ik heb een vraag over mijn factuur")
    answered = await customer.says("in English please: when are you open on Saturday?")
    assert answered.language == "en"
    assert answered.intent == "support_hours"


async def test_in_het_nederlands_inside_a_form_keeps_the_form(customer: Customer) -> None:
    await customer.says("can someone call me back please")
    switched = await customer.says("in het Nederlands graag")
    assert switched.language == "nl" and "Nederlands" in text_of(switched)
    confirm = await customer.says("+31 20 555 0142")
    assert confirm.language == "nl" and "?" in text_of(confirm)
