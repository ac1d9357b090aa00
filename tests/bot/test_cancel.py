"""Cancel phrases as customers type them, in Dutch, German and English."""

from __future__ import annotations

import pytest

from bot.cancel import is_cancel


@pytest.mark.parametrize("text", [
    "laat maar", "Laat maar zitten", "nee laat maar hoor", "hoeft niet meer",
    "laat ook maar", "toch niet", "annuleren", "stop", "Stop!", "vergeet het maar",
    "ach, lass mal", "lass mal", "lass gut sein", "lass es gut sein", "hat sich erledigt",
    "Hat sich schon erledigt, danke", "vergiss es", "abbrechen", "doch nicht", "stopp",
    "never mind", "Nevermind.", "forget it", "ok forget it", "cancel", "cancel that please",
    "no need anymore", "I changed my mind", "forget the whole thing",
    "never mind, found the receipt, it's out of warranty anyway",
    "hoeft niet meer, hij doet het weer na een reset",
    "ne lass gut sein, ich schicke das Gerät einfach zurück an den Laden",
])
def test_cancel_phrases_are_recognised(text: str) -> None:
    assert is_cancel(text)


@pytest.mark.parametrize("text", [
    "the fan won't stop", "stop button is broken", "nee", "no", "nein", "ja",
    "+31 20 555 0142", "SN: AB-1234/56", "mein Drucker lässt sich nicht einschalten",
    "ich lass mal die Seriennummer raus, die finde ich nicht, aber das Gerät ist defekt",
    "the display shows cancel all the time",
    "the fan won't stop, and then it shuts down", "stop button is broken, it hangs",
])
def test_answers_that_merely_contain_a_word_are_no_cancel(text: str) -> None:
    assert not is_cancel(text)
