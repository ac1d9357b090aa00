"""What kind of message a customer sent, and what the bot says to the kinds it cannot read.

Channels name the kind of every inbound message (`Inbound.kind`) and keep what it holds
(`Inbound.content`: coordinates, a contact card, a poll's question). Text, photos and
documents go through the dialogue as always; a voice note, a sticker or a location gets a
short answer saying what the bot can do with it, so no customer is left in silence.
While the conversation is with people the message goes to them unanswered by the bot;
agents read it in the transcript through `describe`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.config import MAP_URL
from bot.turn import Turn

TEXT = "text"
# Kinds the dialogue reads: their text (a caption) and attachments go to the policy.
READABLE = frozenset({TEXT, "photo", "document"})
# Every kind the bot cannot read, with the catalogue key of its answer.
ANSWERS: Mapping[str, str] = {
    "voice": "kind_audio", "audio": "kind_audio",
    "video": "kind_video", "video_note": "kind_video", "animation": "kind_video",
    "sticker": "kind_sticker", "dice": "kind_sticker",
    "location": "kind_location", "venue": "kind_location",
    "contact": "kind_contact",
    "poll": "kind_poll",
    "unsupported": "kind_unsupported",
}
KINDS = READABLE | ANSWERS.keys()
DEFAULT_MAP_URL = MAP_URL  # SUPPORTBOT_MAP_URL


def answer_kind(turn: Turn) -> bool:
    """Answer a message the bot cannot read; True when this turn is answered here.

    Called by the engine before the dialogue policy: in bot mode a voice note, sticker,
    location, ... gets its answer; a file with no words while no form waits for one is
    acknowledged with a question. In human mode nothing is said (a person reads it)."""
    if turn.conversation.mode == "human":
        return False
    kind = str(turn.message.payload.get("kind") or TEXT)
    if kind in READABLE:
        refused = turn.message.payload.get("refused_attachments")
        if turn.text.strip() or turn.state.get("form") or not (turn.attachments or refused):
            return False
        if turn.attachments:
            turn.say("kind_file_received")
        return True  # a refused file alone has had its answer
    content: Mapping[str, Any] = turn.message.payload.get("content") or {}
    name = f" ({content['name']})" if content.get("name") else ""
    turn.say(ANSWERS.get(kind, "kind_unsupported"), name=name)
    return True


def map_link(payload: Mapping[str, Any], map_url: str = DEFAULT_MAP_URL) -> str | None:
    """A link to a map at the message's location, for the agent; None for other kinds."""
    content: Mapping[str, Any] = payload.get("content") or {}
    if "latitude" not in content or "longitude" not in content:
        return None
    return map_url.format(latitude=content["latitude"], longitude=content["longitude"])


def describe(payload: Mapping[str, Any]) -> str:
    """A line for the agent's transcript saying what a message without text holds
    ("Location: 52.37, 4.89 Central Station", "Contact: Jan, +31 6 ..."); "(edited)" for
    an edit; empty for plain text."""
    kind = str(payload.get("kind") or TEXT)
    content: Mapping[str, Any] = payload.get("content") or {}
    edited = "(edited) " if payload.get("edit_of") else ""
    if kind in ("location", "venue") and "latitude" in content:
        lat, lon = content["latitude"], content["longitude"]
        place = ", ".join(str(content[k]) for k in ("title", "address") if content.get(k))
        return f"{edited}Location: {lat}, {lon}{' (' + place + ')' if place else ''}"
    if kind == "contact":
        card = ", ".join(str(content[k]) for k in ("name", "phone", "email") if content.get(k))
        return f"{edited}Contact: {card or '(empty card)'}"
    if kind == "poll":
        options = " / ".join(str(o) for o in content.get("options", []))
        return f"{edited}Poll: {content.get('question', '')} ({options})"
    if kind in ("sticker", "dice"):
        value = f" {content['value']}" if "value" in content else ""
        return f"{edited}{kind.capitalize()}: {content.get('emoji', '')}{value}".rstrip()
    if kind in READABLE:
        return "(edited)" if edited else ""
    label = kind.replace("_", " ").capitalize()
    return f"{edited}{label}" + (f" ({content['type']})" if content.get("type") else "")
