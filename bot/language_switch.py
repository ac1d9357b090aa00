"""Confirming a language the customer asked for ("auf Deutsch bitte", "in English please").

The engine has already switched the conversation's language (nlu/language.py); a message
that does nothing but ask for it is answered with a short confirmation in the new
language instead of being read as a question or as the answer to a form's question.
"""

from __future__ import annotations

from bot.turn import Turn
from nlu.language import asks_only_for_language, requested_language


def confirm_language_request(turn: Turn) -> bool:
    """Say the confirmation when the message only asks for a language; True when it did.

    A request with a question in it ("in English please, when are you open?") is answered
    as usual, in the new language. An open form stays open: the customer is asked to give
    the last answer again."""
    if turn.choice is not None or turn.message.payload.get("button"):
        return False
    if requested_language(turn.text) != turn.lang or not asks_only_for_language(turn.text):
        return False
    turn.say("language_switched")
    if turn.state.get("form"):
        turn.say("language_switched_form")
    return True
