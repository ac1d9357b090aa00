"""Forms in whole conversations with the real NLU model, written the way customers write:
details early, late or several in one line, corrections, typed answers to buttons, cancels
in three languages, a question in between, and a way out after two failed tries."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.conversation import Attachment, TurnResult
from bot.storage.models import Callback, Conversation, Ticket
from tests.conversation import Customer, text_of


def catalogue(customer: Customer, result: TurnResult, key: str) -> str:
    """The catalogue text for `key` in the language the bot answered in."""
    return customer.engine.services.catalogue.text(result.language or "en", key)


def asks(customer: Customer, result: TurnResult, key: str) -> bool:
    """Whether the bot's last reply of the turn is the question `key`."""
    return bool(result.replies) and result.replies[-1].text == catalogue(customer, result, key)


def said(customer: Customer, result: TurnResult, key: str) -> bool:
    return any(reply.text == catalogue(customer, result, key) for reply in result.replies)


async def tickets(customer: Customer) -> list[Ticket]:
    async with customer.engine.database.sessions() as session:
        return list((await session.execute(select(Ticket).order_by(Ticket.id))).scalars())


async def form_state(customer: Customer) -> dict[str, object] | None:
    async with customer.engine.database.sessions() as session:
        conversation = (await session.execute(select(Conversation))).unique().scalar_one()
    form: dict[str, object] | None = (conversation.state or {}).get("form")
    return form


async def test_warranty_claim_naming_the_product_asks_only_for_what_is_missing(
        customer: Customer) -> None:
    customer.channel = "cli"  # the terminal chat cannot send photos: no photo step
    start = await customer.says("my VX-220 intercom died, can I get it repaired under warranty")
    assert asks(customer, start, "warranty_ask_serial")
    bought = await customer.says("the serial number is VX220-55012")
    assert asks(customer, bought, "warranty_ask_reseller")  # the fault was in the first line
    confirm = await customer.says("yes")  # typed, to "directly from us or through a reseller?"
    text = text_of(confirm)
    assert "VX-220" in text and "VX220-55012" in text and "died" in text
    assert "directly from us" in text and not said(customer, confirm, "warranty_ask_photo")
    corrected = await customer.says("sorry, the serial is VX220-55021")
    assert "VX220-55021" in text_of(corrected) and "VX220-55012" not in text_of(corrected)
    done = await customer.presses("Yes")
    assert done.ticket is not None
    [ticket] = await tickets(customer)
    assert ticket.details["product"] == "VX-220" and ticket.details["serial"] == "VX220-55021"
    assert ticket.details["bought"] == "direct" and ticket.details["attachments"] == []


async def test_dutch_warranty_claim_with_typed_answers_and_a_photo_step_that_never_repeats(
        customer: Customer) -> None:
    customer.channel = "telegram"  # photos can be sent here
    start = await customer.says("mijn NetBox 500 is kapot, valt dat onder garantie?")
    assert asks(customer, start, "warranty_ask_serial")
    fault = await customer.says("serienummer: NB500-2231")
    assert asks(customer, fault, "warranty_ask_fault")
    await customer.says("hij gaat na twee seconden weer uit en de ledjes knipperen rood")
    photo = await customer.says("via de winkel")
    assert asks(customer, photo, "warranty_ask_photo")
    send = await customer.says("ja")
    assert said(customer, send, "warranty_photo_send")
    assert not said(customer, send, "warranty_ask_photo")
    confirm = await customer.says("ik heb toch geen foto bij de hand")
    assert not said(customer, confirm, "warranty_ask_photo")
    assert "NB500-2231" in text_of(confirm) and "NetBox 500" in text_of(confirm)
    done = await customer.presses("Ja")
    assert done.ticket is not None
    [ticket] = await tickets(customer)
    assert ticket.details["bought"] == "reseller" and ticket.details["serial"] == "NB500-2231"


async def test_a_photo_sent_with_an_answer_is_attached_and_not_asked_for(
        customer: Customer) -> None:
    customer.channel = "telegram"
    await customer.says("I'd like to file a warranty claim")
    photo = Attachment("photo", "tg-file-42", "image/jpeg", 120_000)
    asks_serial = await customer.says("VX-220, the display is cracked", attachments=(photo,))
    assert asks(customer, asks_serial, "warranty_ask_serial")
    bought = await customer.says("SN: VX220-55012")
    assert asks(customer, bought, "warranty_ask_reseller")  # the fault came with the product
    confirm = await customer.presses("Through a reseller")
    assert not said(customer, confirm, "warranty_ask_photo") and confirm.replies[-1].buttons
    await customer.presses("Yes")
    [ticket] = await tickets(customer)
    assert ticket.details["attachments"] == ["tg-file-42"]
    assert ticket.details["product"] == "VX-220"
    assert ticket.details["fault"] == "the display is cracked"


async def test_german_product_and_serial_in_one_sentence_are_both_taken(
        customer: Customer) -> None:
    start = await customer.says("Ich möchte einen Garantiefall melden")
    assert asks(customer, start, "warranty_ask_product")
    both = await customer.says("ThinkPad T14, serienummer PF3X9KQ2")
    assert asks(customer, both, "warranty_ask_fault")
    await customer.says("Der Bildschirm flackert ständig und bleibt dann schwarz")
    confirm = await customer.says("direkt bei euch im Webshop")
    assert "ThinkPad T14" in text_of(confirm) and "PF3X9KQ2" in text_of(confirm)
    assert "?" in text_of(confirm) and confirm.replies[-1].buttons


async def test_two_failed_serials_offer_a_way_on_instead_of_a_third_question(
        customer: Customer) -> None:
    await customer.says("Mein Drucker IS-710 ist kaputt, ich brauche eine Reparatur auf "
                        "Garantie")
    invalid = await customer.says("ABC")
    assert said(customer, invalid, "warranty_serial_invalid")
    assert asks(customer, invalid, "warranty_ask_serial")
    offer = await customer.says("ja")
    assert not said(customer, offer, "warranty_ask_serial")
    assert [b.payload for b in offer.replies[-1].buttons] == ["=skip", "=person", "=stop"]
    moved_on = await customer.says("ja")  # the offer not taken either: the serial is left out
    assert said(customer, moved_on, "form_skipped")
    assert asks(customer, moved_on, "warranty_ask_reseller")
    confirm = await customer.says("über einen Händler")
    assert catalogue(customer, confirm, "form_not_given") in text_of(confirm)
    await customer.presses("Ja")
    [ticket] = await tickets(customer)
    assert ticket.details["serial"] is None and ticket.details["product"] == "IS-710"


async def test_skip_pressed_after_two_failures_moves_on(customer: Customer) -> None:
    await customer.says("my laptop screen flickers, is that covered by warranty")
    await customer.says("Lenovo")
    await customer.says("no clue where it is")
    offer = await customer.says("???")
    assert offer.replies[-1].buttons
    skipped = await customer.presses("Skip this question")
    assert asks(customer, skipped, "warranty_ask_reseller")


async def test_dont_know_to_the_serial_skips_it_instead_of_cancelling(
        customer: Customer) -> None:
    await customer.says("Ich möchte einen Garantiefall melden")
    await customer.says("Produkt: IS-710")
    skipped = await customer.says("weiß ich nicht")
    assert said(customer, skipped, "form_skipped") and not said(customer, skipped, "cancelled")
    assert asks(customer, skipped, "warranty_ask_fault")


async def test_german_cancel_while_waiting_for_a_phone_number_never_comes_back(
        customer: Customer) -> None:
    await customer.says("Rufen Sie mich bitte zurück")
    cancelled = await customer.says("ach, lass mal")
    assert said(customer, cancelled, "cancelled")
    assert not said(customer, cancelled, "form_invalid_phone")
    question = await customer.says("wann seid ihr erreichbar?")
    assert "06:00" in text_of(question)
    assert "Rückrufanfrage" not in text_of(question)
    assert await form_state(customer) is None
    assert await tickets(customer) == []


@pytest.mark.parametrize(("start", "phrase"), [
    ("Rufen Sie mich bitte zurück", "lass gut sein"),
    ("Rufen Sie mich bitte zurück", "hat sich erledigt"),
    ("Können Sie mich zurückrufen?", "Nein"),
    ("kunnen jullie me terugbellen", "laat maar"),
    ("kunnen jullie me terugbellen", "hoeft niet meer"),
    ("can someone call me back please", "never mind"),
    ("can someone call me back please", "forget it"),
    ("can someone call me back please", "stop"),
    ("can someone call me back please", "no"),
    ("wat is de status van mijn ticket?", "laat maar zitten"),
    ("Wie ist der Stand meines Tickets?", "vergiss es"),
])
async def test_cancel_phrases_and_deny_cancel_a_waiting_form(customer: Customer, start: str,
                                                             phrase: str) -> None:
    await customer.says(start)
    cancelled = await customer.says(phrase)
    assert said(customer, cancelled, "cancelled")
    assert await form_state(customer) is None


async def test_dutch_cancel_at_a_button_question_then_a_question_does_not_resume(
        customer: Customer) -> None:
    await customer.says("mijn NetBox 500 is kapot, valt dat onder garantie?")
    await customer.says("serienummer NB500-2231")
    await customer.says("het scherm blijft zwart")
    cancelled = await customer.says("laat maar, hoeft niet meer")
    assert said(customer, cancelled, "cancelled")
    question = await customer.says("hoe laat zijn jullie open?")
    assert "garantieclaim" not in text_of(question).lower()
    assert not any(said(customer, question, key) for key in
                   ("warranty_ask_reseller", "resume_warranty_claim"))


async def test_cancel_at_the_confirmation_step(customer: Customer) -> None:
    await customer.says("I want to make a complaint")
    await customer.says("The engineer never showed up for the appointment, twice now")
    await customer.presses("Here in this chat")
    cancelled = await customer.says("forget it")
    assert said(customer, cancelled, "cancelled")
    assert await tickets(customer) == []


async def test_asking_for_a_person_inside_a_form_hands_off_what_was_collected(
        customer: Customer) -> None:
    await customer.says("mijn NetBox 500 is kapot, valt dat onder garantie?")
    await customer.says("serienummer NB500-2231")
    handoff = await customer.says("ik wil een medewerker spreken")
    assert handoff.ticket is not None
    [ticket] = await tickets(customer)
    assert ticket.kind == "handoff"
    form = ticket.details["form"]
    assert form["name"] == "warranty_claim"
    assert form["values"]["product"] == "NetBox 500"
    assert form["values"]["serial"] == "NB500-2231"
    assert await form_state(customer) is None


async def test_an_unreadable_phone_number_twice_offers_a_colleague_who_gets_the_form(
        customer: Customer) -> None:
    await customer.says("Rufen Sie mich bitte zurück")
    invalid = await customer.says("12")
    assert said(customer, invalid, "form_invalid_phone")
    offer = await customer.says("0000")
    assert [b.payload for b in offer.replies[-1].buttons] == ["=person", "=stop"]
    assert not said(customer, offer, "callback_ask_phone")
    handoff = await customer.presses("=person")
    assert handoff.ticket is not None
    [ticket] = await tickets(customer)
    assert ticket.kind == "handoff" and ticket.details["form"]["name"] == "callback"


async def test_dutch_callback_reads_national_numbers_and_takes_a_correction(
        customer: Customer) -> None:
    await customer.says("kunnen jullie me terugbellen?")
    topic = await customer.says("020 555 0142")
    assert asks(customer, topic, "callback_ask_topic")
    confirm = await customer.says("vraag over mijn factuur")
    assert "+31 20 555 0142" in text_of(confirm)
    corrected = await customer.says("nee, mijn nummer is 06 12345678")
    assert "+31 6 12345678" in text_of(corrected) and "555 0142" not in text_of(corrected)
    done = await customer.presses("Ja")
    assert done.ticket is not None
    async with customer.engine.database.sessions() as session:
        callback = (await session.execute(select(Callback))).scalar_one()
    assert callback.phone_e164 == "+31612345678"


async def test_german_callback_with_the_number_in_the_first_message(
        customer: Customer) -> None:
    start = await customer.says("Rufen Sie mich bitte unter 030 12345678 zurück")
    assert asks(customer, start, "callback_ask_topic")
    confirm = await customer.says("Frage zu meinem Wartungsvertrag")
    assert "+49 30 12345678" in text_of(confirm)


async def test_complaint_with_everything_in_one_message_goes_straight_to_confirmation(
        customer: Customer) -> None:
    confirm = await customer.says(
        "I want to make a complaint, the engineer never showed up twice and nobody called, "
        "you can reach me at jane.doe@example.com")
    assert "jane.doe@example.com" in text_of(confirm) and confirm.replies[-1].buttons
    await customer.presses("Yes")
    [ticket] = await tickets(customer)
    assert ticket.details["contact"] == "email"
    assert ticket.details["email"] == "jane.doe@example.com"


@pytest.mark.parametrize(("answer", "bought"), [
    ("yes", "direct"), ("ja", "direct"), ("direct", "direct"),
    ("via de winkel", "reseller"), ("nee, bij een winkel in de stad", "reseller"),
    ("nein, bei einem Fachhändler", "reseller"), ("no, from a reseller", "reseller"),
])
async def test_a_typed_answer_to_where_it_was_bought_is_understood(
        customer: Customer, answer: str, bought: str) -> None:
    await customer.says("my VX-220 intercom died, can I get it repaired under warranty")
    question = await customer.says("SN: VX220-55012")
    assert asks(customer, question, "warranty_ask_reseller")
    confirm = await customer.says(answer)
    assert not said(customer, confirm, "warranty_ask_reseller")
    assert not said(customer, confirm, "cancelled")
    await customer.presses("/affirm")
    [ticket] = await tickets(customer)
    assert ticket.details["bought"] == bought


async def test_the_way_on_is_understood_typed(customer: Customer) -> None:
    await customer.says("Ich möchte einen Garantiefall melden")
    await customer.says("Produkt: IS-710")
    await customer.says("ABC")
    offer = await customer.says("XYZ")
    assert offer.replies[-1].buttons and not said(customer, offer, "warranty_ask_serial")
    skipped = await customer.says("überspringen")
    assert asks(customer, skipped, "warranty_ask_fault")


async def test_a_colleague_asked_for_by_a_typed_word_after_two_failures(
        customer: Customer) -> None:
    await customer.says("kunnen jullie me terugbellen?")
    await customer.says("12")
    offer = await customer.says("1234")
    assert [b.payload for b in offer.replies[-1].buttons] == ["=person", "=stop"]
    handoff = await customer.says("collega")
    assert handoff.ticket is not None
    [ticket] = await tickets(customer)
    assert ticket.kind == "handoff" and ticket.details["form"]["name"] == "callback"


async def test_a_fuller_fault_given_later_is_added_not_dropped(customer: Customer) -> None:
    customer.channel = "cli"  # no photos: the form ends at the confirmation
    await customer.says("my VX-220 intercom died, can I get it repaired under warranty")
    await customer.says("serial is VX220-30517")
    more = await customer.says("no power at all, the LED stays off even after swapping the PSU")
    assert "added that to the description" in text_of(more)
    confirm = await customer.says("bought it directly from you guys")
    assert "intercom died" in text_of(confirm) and "no power at all" in text_of(confirm)
