"""Twilio WhatsApp webhook forms as our inbound messages: text, photos, documents, voice
notes, videos, stickers, contact cards (vCard media), locations (`MessageType=location`
with `Latitude`/`Longitude` and an empty `Body`) and kinds Twilio cannot pass on
(`MessageType=unsupported`). A reaction to an earlier message is no message: None."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.conversation import Attachment, Inbound

CHANNEL = "whatsapp"
PREFIX = "whatsapp:"
MAX_MEDIA = 10
NOT_MESSAGES = frozenset({"reaction"})
VCARD_TYPES = frozenset({"text/vcard", "text/x-vcard", "text/directory"})


def to_inbound(form: Mapping[str, str]) -> Inbound | None:
    """Our inbound message for a Twilio WhatsApp webhook form, or None when it is no
    customer message (a reaction); ValueError names what is malformed."""
    missing = [name for name in ("From", "MessageSid") if not form.get(name)]
    if missing:
        raise ValueError(f"missing {' and '.join(missing)}")
    number = form["From"].removeprefix(PREFIX)
    message_type = form.get("MessageType", "").lower()
    if message_type in NOT_MESSAGES:
        return None
    attachments = _attachments(form, message_type)
    text = form.get("Body", "")
    kind, content = _kind(form, message_type, attachments, text)
    # A press on a quick-reply template button comes back with the button's id.
    button = form.get("ButtonPayload") or None
    return Inbound(channel=CHANNEL, chat_id=number, user_id=number,
                   message_id=form["MessageSid"], text=form.get("ButtonText") or text,
                   payload=button, user_name=form.get("ProfileName") or None,
                   attachments=attachments, kind=kind, content=content or None)


def _kind(form: Mapping[str, str], message_type: str, attachments: tuple[Attachment, ...],
          text: str) -> tuple[str, dict[str, Any]]:
    if message_type == "location" or ("Latitude" in form and "Longitude" in form):
        return "location", _location(form)
    if attachments:
        return attachments[0].kind, {}
    if text or form.get("ButtonText") or form.get("ButtonPayload"):
        return "text", {}
    return "unsupported", {"type": message_type or "empty"}


def _location(form: Mapping[str, str]) -> dict[str, Any]:
    try:
        content: dict[str, Any] = {"latitude": float(form["Latitude"]),
                                   "longitude": float(form["Longitude"])}
    except (KeyError, ValueError):
        raise ValueError("a location needs numeric Latitude and Longitude") from None
    if form.get("Label"):
        content["title"] = form["Label"]
    if form.get("Address"):
        content["address"] = form["Address"]
    return content


def _attachments(form: Mapping[str, str], message_type: str) -> tuple[Attachment, ...]:
    try:
        count = int(form.get("NumMedia") or 0)
    except ValueError:
        raise ValueError(f"NumMedia is not a number: {form['NumMedia']!r}") from None
    found = []
    for index in range(min(count, MAX_MEDIA)):
        url = form.get(f"MediaUrl{index}")
        mime_type = form.get(f"MediaContentType{index}", "")
        if url:
            found.append(Attachment(_media_kind(mime_type, message_type), url, mime_type))
    return tuple(found)


def _media_kind(mime_type: str, message_type: str) -> str:
    """What a media item is: WhatsApp voice notes are Ogg audio, stickers WebP images."""
    base = mime_type.split(";")[0].strip().lower()
    if message_type == "sticker":
        return "sticker"
    if base in VCARD_TYPES:
        return "contact"
    if base.startswith("image/"):
        return "photo"
    if base.startswith("audio/"):
        return "voice" if base in ("audio/ogg", "audio/opus") else "audio"
    if base.startswith("video/"):
        return "video"
    return "document"


def card_content(vcard: bytes) -> dict[str, str]:
    """Name, phone number and e-mail address of a contact card (vCard 3 or 4), for the
    agent's transcript; fields the card lacks are left out."""
    text = vcard.decode("utf-8", errors="replace").replace("\r\n ", "").replace("\n ", "")
    found: dict[str, str] = {}
    for line in text.splitlines():
        name, _, value = line.partition(":")
        field = name.split(";")[0].upper()
        key = {"FN": "name", "TEL": "phone", "EMAIL": "email"}.get(field)
        if key and value.strip() and key not in found:
            found[key] = value.strip()
    return found
