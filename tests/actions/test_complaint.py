"""Typed answers to the complaint form's button question, in three languages."""

from __future__ import annotations

import pytest

from actions.complaint import ComplaintForm
from tests.turns import turn_saying

CONTACT = next(slot for slot in ComplaintForm.slots if slot.name == "contact")


@pytest.mark.parametrize(("text", "expected"), [
    ("per mail graag", "email"),
    ("Per E-Mail bitte", "email"),
    ("by email please", "email"),
    ("bel me maar", "phone"),
    ("telefonisch", "phone"),
    ("Rufen Sie mich an", "phone"),
    ("a phone call would be best", "phone"),
    ("hier in de chat is prima", "chat"),
    ("gerne hier im Chat", "chat"),
    ("just here", "chat"),
])
def test_a_typed_answer_to_how_to_reply_is_understood(text: str, expected: str) -> None:
    assert CONTACT.extract(turn_saying(text)) == expected
