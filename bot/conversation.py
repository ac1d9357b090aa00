"""The messages that cross the engine's boundary: what channels bring in and what goes out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

# What a button press brings back: `/intent` runs that intent, `=value` answers the
# question asked; the satisfaction survey's buttons are `=csat:1` ... `=csat:5`.
INTENT_PREFIX = "/"
CHOICE_PREFIX = "="
SURVEY_PREFIX = "=csat:"


@dataclass(frozen=True)
class Attachment:
    """A file the customer sent (a photo of a broken device, a voice note), kept as a
    reference; `name` is the file name the customer gave, `duration` in seconds, `file`
    the key of its content in the file store once fetched (bot/files.py)."""

    kind: str
    reference: str
    mime_type: str = ""
    size: int | None = None
    name: str = ""
    duration: int | None = None
    file: str = ""


@dataclass(frozen=True)
class Inbound:
    """One customer message as a channel adapter delivers it.

    `kind` says what it is (bot/message_kinds.py: text, photo, voice, location, ...);
    `content` holds what a kind without text carries (coordinates, a contact card);
    `edit_of` is the channel message id of the message this one edits.
    """

    channel: str
    chat_id: str
    user_id: str
    message_id: str
    text: str
    user_name: str | None = None
    payload: str | None = None
    language_hint: str | None = None
    attachments: tuple[Attachment, ...] = ()
    received_at: datetime | None = None
    # Channel-specific facts kept on the stored message's payload for agents and replies
    # (an e-mail's headers and full original text), under keys of the channel's choosing.
    details: dict[str, Any] | None = None
    kind: str = "text"
    content: Mapping[str, Any] | None = None
    edit_of: str | None = None


@dataclass(frozen=True)
class Button:
    """A quick reply: the title the customer sees and the payload that comes back."""

    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """One bot message; channels without buttons show them as numbered text choices.
    `files` are stored files an agent sends with it (bot/files.py)."""

    text: str
    buttons: tuple[Button, ...] = ()
    files: tuple[Attachment, ...] = ()

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "text": self.text,
            "buttons": [{"title": b.title, "payload": b.payload} for b in self.buttons]}
        if self.files:
            payload["files"] = [asdict(f) for f in self.files]
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Reply:
        return cls(str(payload.get("text", "")), tuple(
            Button(str(b["title"]), str(b["payload"])) for b in payload.get("buttons", [])
        ), tuple(Attachment(**f) for f in payload.get("files", [])))

    def as_text(self) -> str:
        """The reply with its buttons as numbered choices, for text-only channels."""
        if not self.buttons:
            return self.text
        choices = "\n".join(f"{n}. {b.title}" for n, b in enumerate(self.buttons, start=1))
        return f"{self.text}\n{choices}"


@dataclass(frozen=True)
class TurnResult:
    """What the engine did with one inbound message."""

    message_id: int
    conversation_id: int
    duplicate: bool = False
    replies: tuple[Reply, ...] = ()
    intent: str | None = None
    confidence: float | None = None
    language: str | None = None
    ticket: str | None = None
