"""The topic of a callback, read from the sentence that asks for it."""

from __future__ import annotations

import pytest

from actions.extract import spot_phone
from actions.topics import spot_topic
from tests.turns import turn_saying


@pytest.mark.parametrize(("text", "lang", "topic"), [
    ("bel me even terug vanavond?? gaat over mn factuur", "nl", "mn factuur"),
    ("wil graag teruggebeld worden op +31 20 555 0142 over de storing op kantoor", "nl",
     "de storing op kantoor"),
    ("kann mich jemand anrufen? es geht um die Rechnung vom Oktober", "de",
     "die Rechnung vom Oktober"),
    ("Rückruf bitte an +49 30 901820, Thema Vertrag verlängern", "de", "Vertrag verlängern"),
    ("ruf mich bitte an wegen der Rechnung +49 30 1234567", "de", "der Rechnung"),
    ("call me back please, +31 20 555 0142, it's about the invoice", "en", "the invoice"),
    ("could you call me at +1 202 555 0143 regarding our licences", "en", "our licences"),
    ("pls ring me, its abuot our contract", "en", "our contract"),
])
def test_the_topic_is_what_follows_about_over_or_um(text: str, lang: str, topic: str) -> None:
    turn = turn_saying(text, lang=lang)
    found = spot_topic(turn, spot_phone(turn))
    assert found is not None and found.value == topic and not found.sure


@pytest.mark.parametrize(("text", "lang"), [
    ("bel me over een uur terug", "nl"), ("call me back in about 10 minutes", "en"),
    ("graag een terugbelverzoek", "nl"), ("bel me terug, nummer is 020 555 0177", "nl"),
    ("can you call them back", "en"),
])
def test_a_time_or_no_marker_is_no_topic(text: str, lang: str) -> None:
    assert spot_topic(turn_saying(text, lang=lang)) is None
