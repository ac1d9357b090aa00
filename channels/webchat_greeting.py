"""The widget's first-open greeting: a welcome text and suggested questions, each a button
whose payload names the intent it asks about, in the visitor's language."""

from __future__ import annotations

from typing import Any

from bot.catalogue import Catalogue

SUGGESTED_INTENTS = ("support_hours", "warranty_claim", "mail_setup", "human_handoff")


def greeting(catalogue: Catalogue, lang: str) -> dict[str, Any]:
    """The greeting frame part: `text` and `buttons` (title, `/intent` payload)."""
    return {"text": catalogue.text(lang, "widget_greeting"), "lang": lang,
            "buttons": [{"title": catalogue.text(lang, f"widget_suggest_{intent}"),
                         "payload": f"/{intent}"} for intent in SUGGESTED_INTENTS]}
