"""Webhook updates of every message kind, shaped field for field like those the Bot API
posts (recorded from real updates, ids and names replaced by fictional ones)."""

from __future__ import annotations

import copy
import time
from typing import Any

from tests.fakes.telegram_api import _private_chat, _user

_THUMB = {"file_id": "AAMCBAADGQEAAgJkZ2VhdGh1bWIAAp0WAAJ-sTEb",
          "file_unique_id": "AQADnRYAAn6xMRty", "file_size": 4210, "width": 320, "height": 180}

# What each kind adds to a message (a GIF comes as both animation and document; a venue
# carries its location too).
KINDS: dict[str, dict[str, Any]] = {
    "voice": {"voice": {"duration": 4, "mime_type": "audio/ogg",
                        "file_id": "AwACAgQAAxkBAAICZ2Vodm9pY2UAAp4WAAJ-sTEbVZ5kQh4",
                        "file_unique_id": "AgADnhYAAn6xMRs", "file_size": 11237}},
    "audio": {"audio": {"duration": 185, "file_name": "modem-noise.mp3",
                        "mime_type": "audio/mpeg", "title": "Modem noise", "performer": "Jan",
                        "file_id": "CQACAgQAAxkBAAICaGVoYXVkaW8AAp8WAAJ-sTEbtmT0Tx4",
                        "file_unique_id": "AgADnxYAAn6xMRs", "file_size": 2960311}},
    "video": {"video": {"duration": 12, "width": 1280, "height": 720,
                        "file_name": "blinking-led.mp4", "mime_type": "video/mp4",
                        "thumbnail": _THUMB, "thumb": _THUMB,
                        "file_id": "BAACAgQAAxkBAAICaWVodmlkZW8AAqAWAAJ-sTEbx9cn2R4",
                        "file_unique_id": "AgADoBYAAn6xMRs", "file_size": 1830422}},
    "video_note": {"video_note": {"duration": 8, "length": 384, "thumbnail": _THUMB,
                                  "thumb": _THUMB,
                                  "file_id": "DQACAgQAAxkBAAICamVobm90ZQACoRYAAn6xMRs1qD0e",
                                  "file_unique_id": "AgADoRYAAn6xMRs", "file_size": 402113}},
    "sticker": {"sticker": {"width": 512, "height": 512, "emoji": "\U0001f44d",
                            "set_name": "HotCherry", "is_animated": False, "is_video": False,
                            "type": "regular", "thumbnail": _THUMB, "thumb": _THUMB,
                            "file_id": "CAACAgIAAxkBAAICa2Voc3RpY2tlcgACohYAAn6xMRvD",
                            "file_unique_id": "AgADohYAAn6xMRs", "file_size": 23456}},
    "animation": {
        "animation": {"file_name": "thumbs-up.mp4", "mime_type": "video/mp4", "duration": 2,
                      "width": 480, "height": 270, "thumbnail": _THUMB, "thumb": _THUMB,
                      "file_id": "CgACAgQAAxkBAAICbGVoZ2lmAAKjFgACfrExG0nV8YAe",
                      "file_unique_id": "AgADoxYAAn6xMRs", "file_size": 98304},
        "document": {"file_name": "thumbs-up.mp4", "mime_type": "video/mp4",
                     "thumbnail": _THUMB, "thumb": _THUMB,
                     "file_id": "CgACAgQAAxkBAAICbGVoZ2lmAAKjFgACfrExG0nV8YAe",
                     "file_unique_id": "AgADoxYAAn6xMRs", "file_size": 98304}},
    "document": {"document": {"file_name": "invoice-2026-118.pdf",
                              "mime_type": "application/pdf",
                              "file_id": "BQACAgQAAxkBAAICbWVocGRmAAKkFgACfrExG2dPQx4e",
                              "file_unique_id": "AgADpBYAAn6xMRs", "file_size": 48213}},
    "location": {"location": {"latitude": 52.370216, "longitude": 4.895168}},
    "venue": {"location": {"latitude": 52.379189, "longitude": 4.899431},
              "venue": {"location": {"latitude": 52.379189, "longitude": 4.899431},
                        "title": "Central Station", "address": "Stationsplein 1",
                        "foursquare_id": "4a27f3d4f964a520a4891fe3"}},
    "contact": {"contact": {"phone_number": "+31205550142", "first_name": "Piet",
                            "last_name": "Jansen", "user_id": 5550142,
                            "vcard": "BEGIN:VCARD\nVERSION:3.0\nFN:Piet Jansen\n"
                                     "TEL;TYPE=CELL:+31205550142\nEND:VCARD"}},
    "poll": {"poll": {"id": "5379220581046272001", "question": "Which router do you have?",
                      "options": [{"persistent_id": "0", "text": "NetBox 500",
                                   "voter_count": 0},
                                  {"persistent_id": "1", "text": "NetBox 700",
                                   "voter_count": 0}],
                      "total_voter_count": 0, "is_closed": False, "is_anonymous": True,
                      "type": "regular", "allows_multiple_answers": False,
                      "allows_revoting": False, "members_only": False}},
    "dice": {"dice": {"emoji": "\U0001f3b2", "value": 4}},
    "unsupported": {"story": {"chat": {"id": 90001, "first_name": "Jan", "type": "private"},
                              "id": 12}},
}


def kind_update(update_id: int, chat_id: int, kind: str, caption: str | None = None,
                language_code: str | None = "nl") -> dict[str, Any]:
    """A private message of `kind` (a key of KINDS) from the customer `chat_id`."""
    message: dict[str, Any] = {
        "message_id": update_id, "from": _user(chat_id, "Jan", language_code),
        "chat": _private_chat(chat_id, "Jan"), "date": int(time.time()),
        **copy.deepcopy(KINDS[kind])}
    if caption is not None:
        message["caption"] = caption
    return {"update_id": update_id, "message": message}


def edited_update(update_id: int, chat_id: int, message_id: int, text: str,
                  language_code: str | None = "nl") -> dict[str, Any]:
    """The customer edited their message `message_id` to `text`."""
    now = int(time.time())
    return {"update_id": update_id, "edited_message": {
        "message_id": message_id, "from": _user(chat_id, "Jan", language_code),
        "chat": _private_chat(chat_id, "Jan"), "date": now - 30, "edit_date": now,
        "text": text}}


def group_update(update_id: int, chat_id: int, text: str) -> dict[str, Any]:
    """A message in a group the bot was added to."""
    return {"update_id": update_id, "message": {
        "message_id": update_id, "from": _user(chat_id, "Jan", "nl"),
        "chat": {"id": -1002233445566, "title": "Office IT", "type": "supergroup"},
        "date": int(time.time()), "text": text}}


def channel_post_update(update_id: int) -> dict[str, Any]:
    """A post in a channel the bot administers."""
    return {"update_id": update_id, "channel_post": {
        "message_id": update_id, "sender_chat": {"id": -1001122334455, "title": "News",
                                                 "type": "channel"},
        "chat": {"id": -1001122334455, "title": "News", "type": "channel"},
        "date": int(time.time()), "text": "Maintenance tonight"}}


def membership_update(update_id: int, chat_id: int) -> dict[str, Any]:
    """The customer blocked the bot (my_chat_member)."""
    bot = {"id": 123456, "is_bot": True, "first_name": "Support",
           "username": "example_support_bot"}
    return {"update_id": update_id, "my_chat_member": {
        "chat": _private_chat(chat_id, "Jan"), "from": _user(chat_id, "Jan", "nl"),
        "date": int(time.time()),
        "old_chat_member": {"user": bot, "status": "member"},
        "new_chat_member": {"user": bot, "status": "kicked", "until_date": 0}}}


def service_update(update_id: int, chat_id: int) -> dict[str, Any]:
    """A service message in the private chat (the customer allowed the bot to write)."""
    return {"update_id": update_id, "message": {
        "message_id": update_id, "from": _user(chat_id, "Jan", "nl"),
        "chat": _private_chat(chat_id, "Jan"), "date": int(time.time()),
        "write_access_allowed": {"from_request": True}}}
