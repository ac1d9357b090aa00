"""Phone numbers, e-mail addresses and typed choices read from what customers write."""

from __future__ import annotations

import pytest

from actions.extract import choice, display_phone, email, phone, regions_for, spot_email
from tests.turns import turn_saying


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("+31 20 555 0142", "nl", "+31205550142"),
    ("020 555 0142", "nl", "+31205550142"),
    ("nee, mijn nummer is 06 12345678", "nl", "+31612345678"),
    ("bel me op 0612345678 aub", "nl", "+31612345678"),
    ("0031 20 555 0142", "nl", "+31205550142"),
    ("030 12345678", "de", "+493012345678"),
    ("Meine Nummer: 0171 2345678", "de", "+491712345678"),
    ("rufen Sie mich unter +49 30 12345678 an", "de", "+493012345678"),
    ("020 7946 0018", "en", "+442079460018"),
    ("call me on 07400 123456 please", "en", "+447400123456"),
    ("+1 202 555 0143", "en", "+12025550143"),
    ("(202) 555-0143", "en", "+12025550143"),
    ("my number is +44 20 7946 0018", "nl", "+442079460018"),
])
def test_phone_numbers_are_read_in_the_customers_national_format(text: str, lang: str,
                                                                 expected: str) -> None:
    assert phone(turn_saying(text, lang=lang)) == expected


@pytest.mark.parametrize(("text", "lang"), [
    ("ach, lass mal", "de"), ("12", "de"), ("ja", "de"), ("0000", "de"),
    ("SN: AB-1234/56", "de"), ("0612345", "nl"), ("06 1234", "nl"), ("555 01", "en"),
])
def test_what_is_no_phone_number_gives_none(text: str, lang: str) -> None:
    assert phone(turn_saying(text, lang=lang)) is None


def test_the_country_of_a_known_number_comes_before_the_language() -> None:
    whatsapp = turn_saying("bel 020 7946 0018", lang="nl", channel="whatsapp",
                           external_id="447400123456")
    assert regions_for(whatsapp)[0] == "GB"
    assert phone(whatsapp) == "+442079460018"
    known = turn_saying("020 555 0142", lang="en", phone="+31612345678")
    assert regions_for(known)[0] == "NL" and phone(known) == "+31205550142"


def test_display_phone_is_international() -> None:
    assert display_phone("+31205550142") == "+31 20 555 0142"


@pytest.mark.parametrize(("text", "expected"), [
    ("jane.doe@example.com", "jane.doe@example.com"),
    ("mail me at jan+support@example.com.", "jan+support@example.com"),
    ("nee, mijn mail is p.devries@example.nl", "p.devries@example.nl"),
    ("Bitte an max.mustermann@example.de antworten", "max.mustermann@example.de"),
])
def test_email_addresses_are_found_in_sentences(text: str, expected: str) -> None:
    assert email(turn_saying(text)) == expected
    found = spot_email(turn_saying(text))
    assert found is not None and found.span is not None
    assert text[found.span[0]:found.span[1]].rstrip(".") == expected


BOUGHT = choice(("reseller", ("reseller", "shop", "via", "händler", "winkel")),
                ("direct", ("direct", "webshop", "bij jullie", "direkt")))


@pytest.mark.parametrize(("text", "expected"), [
    ("via de winkel", "reseller"),
    ("direct", "direct"),
    ("Über einen Händler", "reseller"),
    ("direkt bei euch", "direct"),
    ("in jullie webshop", "direct"),
    ("bij jullie", "direct"),
    ("at a shop in town", "reseller"),
    ("viable", None),
    ("directory", None),
])
def test_typed_choices_match_whole_words_and_the_longest_keyword(text: str,
                                                                expected: str | None) -> None:
    assert BOUGHT(turn_saying(text)) == expected
