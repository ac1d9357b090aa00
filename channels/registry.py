"""The channels a configuration enables, by name."""

from __future__ import annotations

from bot.channel import Channel
from bot.config import Settings
from channels.telegram import TelegramChannel
from channels.webchat import WebChatChannel


def build_channels(settings: Settings) -> dict[str, Channel]:
    """Every channel whose settings are present, keyed by channel name."""
    channels: list[Channel] = [WebChatChannel.from_settings(settings)]
    if settings.telegram_token is not None:
        channels.append(TelegramChannel.from_settings(settings))
    if settings.twilio_account_sid is not None and settings.twilio_auth_token is not None:
    return {channel.channel: channel for channel in channels}
