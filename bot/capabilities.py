"""What each channel can carry from the customer, so the bot never asks for what the
customer cannot send (a photo from the web chat widget, which has no upload yet)."""

from __future__ import annotations

PHOTOS = "photos"

CHANNEL_CAPABILITIES: dict[str, frozenset[str]] = {
    "telegram": frozenset({PHOTOS}),
    "whatsapp": frozenset({PHOTOS}),
    "webchat": frozenset(),
    "cli": frozenset(),
}


def channel_can(channel: str, capability: str) -> bool:
    """Whether customers on `channel` can send `capability`; unknown channels cannot."""
    return capability in CHANNEL_CAPABILITIES.get(channel, frozenset())
