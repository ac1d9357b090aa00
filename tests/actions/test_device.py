"""Serial numbers and products read the way customers write them, in three languages."""

from __future__ import annotations

import pytest

from actions.device import product, serial, spot_product, spot_serial, valid_serial
from tests.turns import turn_saying


@pytest.mark.parametrize(("text", "expected"), [
    ("SN: AB-1234/56", "AB-1234/56"),
    ("S/N 4711-0815", "4711-0815"),
    ("serial number is XY-9988", "XY-9988"),
    ("sorry, the serial is xy-9988", "XY-9988"),
    ("Serial no. 12.345.678", "12.345.678"),
    ("ThinkPad T14, serienummer PF3X9KQ2", "PF3X9KQ2"),
    ("mijn serienummer is AB 1234 5678", "AB12345678"),
    ("nee, het serienummer is NB500-2231.", "NB500-2231"),
    ("ser.nr. 2019/0042/B", "2019/0042/B"),
    ("Seriennummer: 7C-44-91-AA", "7C-44-91-AA"),
    ("die Seriennummer lautet SX4410ZZ und das Gerät ist neu", "SX4410ZZ"),
    ("Seriennr. K9-55512", "K9-55512"),
    ("my printer IS-710 stopped printing, serial SN: IS710-99812, bought at a shop",
     "IS710-99812"),
    ("garantie müsste noch sein, seriennumer AX7-1200-03", "AX7-1200-03"),
    ("serienumer is QQ-4410", "QQ-4410"),
])
def test_a_labelled_serial_is_found_anywhere_in_a_sentence(text: str, expected: str) -> None:
    found = spot_serial(turn_saying(text))
    assert found is not None and found.value == expected and found.sure


@pytest.mark.parametrize("text", [
    "my VX-220 intercom died, can I get it repaired under warranty",
    "Mein Drucker IS-710 ist kaputt",
    "het serienummer weet ik niet",
    "the serial number is on the back I think",
    "SN4K7Q2X91",  # no label of its own: only an answer to the serial question
])
def test_no_serial_is_spotted_without_a_label(text: str) -> None:
    assert spot_serial(turn_saying(text)) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("SN4K7Q2X91", "SN4K7Q2X91"),
    ("pf3x9kq2", "PF3X9KQ2"),
    ("AB-1234/56", "AB-1234/56"),
    ("12.345.678", "12.345.678"),
    ("2231 4456 7781", "223144567781"),
    ("it's PF3X9KQ2 I think", "PF3X9KQ2"),
    ("ich glaube 55K-0193-X", "55K-0193-X"),
    ("volgens mij is het NB500-2231", "NB500-2231"),
    ("ThinkPad T14, serienummer PF3X9KQ2", "PF3X9KQ2"),
    ("A1B2", "A1B2"),
    ("A" * 29 + "1", "A" * 29 + "1"),
])
def test_an_answer_to_the_serial_question_is_read_as_printed(text: str, expected: str) -> None:
    assert serial(turn_saying(text)) == expected


@pytest.mark.parametrize("text", [
    "ja", "yes", "keine Ahnung", "weet ik niet", "T14", "ABCDEFG", "A1B", "A" * 30 + "1",
    "SN: ???", "AB_12#34",
])
def test_what_is_no_serial_is_refused(text: str) -> None:
    assert serial(turn_saying(text)) is None


def test_valid_serial_keeps_hyphens_slashes_and_dots() -> None:
    assert valid_serial(" ab-12/34.5 ") == "AB-12/34.5"
    assert valid_serial("-AB12") is None  # starts with a hyphen: not as printed


@pytest.mark.parametrize(("text", "expected", "sure"), [
    ("Produkt: IS-710", "IS-710", True),
    ("product: NetBox 500, serial SN: 1234-55", "NetBox 500", True),
    ("Model: Acme Door Station 3", "Acme Door Station 3", True),
    ("type: VX-220", "VX-220", True),
    ("my VX-220 intercom died, can I get it repaired under warranty", "VX-220", False),
    ("Mein Drucker IS-710 ist kaputt", "IS-710", False),
    ("ThinkPad T14, serienummer PF3X9KQ2", "ThinkPad T14", False),
    ("mijn NetBox 500 doet het niet meer", "NetBox 500", False),
    ("also mein routerbox 300 macht komische Geräusche", "routerbox 300", False),
    ("onze cx-20 filmt niks meer", "cx-20", False),
])
def test_a_product_is_found_labelled_or_by_its_model_code(text: str, expected: str,
                                                          sure: bool) -> None:
    found = spot_product(turn_saying(text))
    assert found is not None and (found.value, found.sure) == (expected, sure)


@pytest.mark.parametrize("text", [
    "my intercom is broken", "what is the status of T-10234", "bel me op 020 555 0142",
    "seit 2 Tagen geht mein Gerät nicht", "my order of 12 cameras",
])
def test_no_product_is_spotted_in_plain_words_or_ticket_references(text: str) -> None:
    assert spot_product(turn_saying(text)) is None


def test_a_product_entity_with_a_model_number_is_taken() -> None:
    turn = turn_saying("de netbox 500 is stuk", entities={"product": "netbox 500"})
    found = spot_product(turn)
    assert found is not None and found.value == "netbox 500" and not found.sure
    assert spot_product(turn_saying("mein drucker", entities={"product": "drucker"})) is None


def test_the_answer_to_the_product_question_may_be_plain_words() -> None:
    assert product(turn_saying("the intercom at our front door")) == \
        "the intercom at our front door"
