"""The channels, by name: an explicit registry of channel classes, each of which says
whether the configuration enables it and builds itself from the settings."""

from __future__ import annotations

from typing import Protocol

from bot.channel import Channel
from bot.config import Settings
from channels.email import EmailChannel
from channels.telegram import TelegramChannel
from channels.webchat import WebChatChannel
from channels.whatsapp import WhatsAppChannel


class ChannelType(Protocol):
    def enabled(self, settings: Settings) -> bool: ...

    def from_settings(self, settings: Settings) -> Channel: ...


CHANNEL_TYPES: dict[str, ChannelType] = {
    "webchat": WebChatChannel,
    "telegram": TelegramChannel,
    "whatsapp": WhatsAppChannel,
    "email": EmailChannel,
}


def build_channels(settings: Settings) -> dict[str, Channel]:
    """Every channel whose settings are present, keyed by channel name."""
    return {name: kind.from_settings(settings) for name, kind in CHANNEL_TYPES.items()
            if kind.enabled(settings)}
