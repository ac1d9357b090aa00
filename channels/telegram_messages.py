"""Telegram updates as our inbound messages: every kind a person can send in a private
chat (text, photo, document, voice, sticker, location, contact, poll, ...), button
presses and edits. Group chats, channel posts, membership and other service updates give
None: they are not customer messages and get no answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any

from telegram import CallbackQuery, Update
from telegram import Message as TelegramMessage
from telegram.constants import ChatType

from bot.conversation import Attachment, Inbound

CHANNEL = "telegram"
# The files a message can carry, most specific first (a GIF is an animation and a document).
FILE_KINDS = ("voice", "audio", "video", "video_note", "animation", "sticker", "document")


def to_inbound(update: Update) -> Inbound | None:
    """Our inbound message for a Telegram update, or None for updates we do not handle."""
    if update.callback_query is not None:
        return _button_press(update.callback_query)
    message = update.message or update.edited_message
    if message is None or message.from_user is None or message.from_user.is_bot \
            or message.chat.type != ChatType.PRIVATE:
        return None
    kind, attachments, content = _kind(message)
    text = message.text or message.caption or ""
    if kind is None:
        return None  # a service message (pinned, write access allowed, ...)
    message_id = f"{message.chat.id}:{message.message_id}"
    edit_of = None
    if update.edited_message is not None:
        edit_of = message_id
        edited = message.edit_date or message.date
        message_id = f"{message_id}:edit:{int(edited.timestamp()) if edited else 0}"
    return Inbound(channel=CHANNEL, chat_id=str(message.chat.id),
                   user_id=str(message.from_user.id), message_id=message_id, text=text,
                   user_name=message.from_user.full_name,
                   language_hint=message.from_user.language_code, attachments=attachments,
                   received_at=message.date.astimezone(UTC) if message.date else None,
                   kind=kind, content=content or None, edit_of=edit_of)


def _button_press(query: CallbackQuery) -> Inbound | None:
    chat = query.message.chat if query.message else None
    if chat is not None and chat.type != ChatType.PRIVATE:
        return None
    chat_id = str(chat.id) if chat else str(query.from_user.id)
    return Inbound(channel=CHANNEL, chat_id=chat_id, user_id=str(query.from_user.id),
                   message_id=f"cb:{query.id}", text=_button_title(query) or "",
                   payload=query.data, user_name=query.from_user.full_name,
                   language_hint=query.from_user.language_code)


def _button_title(query: CallbackQuery) -> str | None:
    """The title of the pressed button, read from the keyboard of the message it was under."""
    message = query.message
    markup = message.reply_markup if isinstance(message, TelegramMessage) else None
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            if button.callback_data == query.data:
                return button.text
    return None


def _kind(message: TelegramMessage) -> tuple[str | None, tuple[Attachment, ...], dict[str, Any]]:
    """(kind, attachments, content) of a message; kind None for a service message."""
    if message.photo:
        largest = message.photo[-1]
        return "photo", (Attachment("photo", f"telegram:{largest.file_id}", "image/jpeg",
                                    largest.file_size),), {}
    for kind in FILE_KINDS:
        file = getattr(message, kind)
        if file is not None:
            return kind, (_file(kind, file),), _CONTENT.get(kind, _nothing)(message)
    for kind in ("venue", "location", "contact", "poll", "dice"):
        if getattr(message, kind) is not None:
            return kind, (), _CONTENT[kind](message)
    if message.text or message.caption:
        return "text", (), {}
    if message.effective_attachment is not None or message.story is not None:
        return "unsupported", (), {"type": type(message.effective_attachment).__name__}
    return None, (), {}


def _file(kind: str, file: Any) -> Attachment:
    mime = getattr(file, "mime_type", None) or _DEFAULT_MIME.get(kind, "")
    if kind == "sticker":
        mime = "video/webm" if file.is_video else \
            "application/x-tgsticker" if file.is_animated else "image/webp"
    return Attachment(kind, f"telegram:{file.file_id}", mime, file.file_size,
                      name=getattr(file, "file_name", None) or "",
                      duration=_seconds(file))


def _seconds(file: Any) -> int | None:
    """The file's duration in seconds, as the Bot API gives it (PTB's own attribute is
    turning from an int into a timedelta)."""
    duration = file.to_dict().get("duration")
    return int(duration) if isinstance(duration, int | float) else None


_DEFAULT_MIME = {"voice": "audio/ogg", "video_note": "video/mp4", "audio": "audio/mpeg",
                 "video": "video/mp4", "animation": "video/mp4"}


def _nothing(message: TelegramMessage) -> dict[str, Any]:
    return {}


def _location(message: TelegramMessage) -> dict[str, Any]:
    assert message.location is not None
    return {"latitude": message.location.latitude, "longitude": message.location.longitude}


def _venue(message: TelegramMessage) -> dict[str, Any]:
    assert message.venue is not None
    venue = message.venue
    return {"latitude": venue.location.latitude, "longitude": venue.location.longitude,
            "title": venue.title, "address": venue.address}


def _contact(message: TelegramMessage) -> dict[str, Any]:
    assert message.contact is not None
    contact = message.contact
    name = " ".join(part for part in (contact.first_name, contact.last_name) if part)
    return {"name": name, "phone": contact.phone_number}


def _poll(message: TelegramMessage) -> dict[str, Any]:
    assert message.poll is not None
    return {"question": message.poll.question,
            "options": [option.text for option in message.poll.options]}


def _dice(message: TelegramMessage) -> dict[str, Any]:
    assert message.dice is not None
    return {"emoji": message.dice.emoji, "value": message.dice.value}


def _sticker(message: TelegramMessage) -> dict[str, Any]:
    assert message.sticker is not None
    return {"emoji": message.sticker.emoji or ""}


_CONTENT: dict[str, Callable[[TelegramMessage], dict[str, Any]]] = {
    "location": _location, "venue": _venue, "contact": _contact, "poll": _poll,
    "dice": _dice, "sticker": _sticker,
}
