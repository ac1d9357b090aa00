"""What each channel can carry from the customer, so the bot never asks for what the
customer cannot send (a photo from the terminal chat)."""

from __future__ import annotations

PHOTOS = "photos"

CHANNEL_CAPABILITIES: dict[str, frozenset[str]] = {
    "telegram": frozenset({PHOTOS}),
    "whatsapp": frozenset({PHOTOS}),
    "webchat": frozenset({PHOTOS}),  # the widget uploads (channels/webchat_files.py)
    "cli": frozenset(),
}


def channel_can(channel: str, capability: str) -> bool:
    """Whether customers on `channel` can send `capability`; unknown channels cannot."""
    return capability in CHANNEL_CAPABILITIES.get(channel, frozenset())
