"""What is left of a message once the details it gave are taken out, and questions."""

from __future__ import annotations

import pytest

from bot.form_text import looks_like_question, overlap, remainder


def test_the_remainder_drops_the_taken_spans_and_joining_words() -> None:
    text = "ThinkPad T14, serienummer PF3X9KQ2"
    assert remainder(text, [(14, len(text))]) == "ThinkPad T14"
    text = "the intercom and the serial is SN 1234-55"
    assert remainder(text, [(21, len(text))]) == "intercom"
    assert remainder("SN: 1234-55", [(0, 11)]) == ""


@pytest.mark.parametrize(("text", "question"), [
    ("wann seid ihr erreichbar", True), ("hoe laat zijn jullie open?", True),
    ("what are your opening hours", True), ("+31 20 555 0142", False),
    ("het scherm blijft zwart", False),
])
def test_questions_are_recognised(text: str, question: bool) -> None:
    assert looks_like_question(text) is question


def test_spans_overlap_only_when_they_share_a_character() -> None:
    assert overlap((0, 5), (4, 8)) and not overlap((0, 5), (5, 8))
