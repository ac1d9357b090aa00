"""Which channels can send photos."""

from __future__ import annotations

from bot.capabilities import PHOTOS, channel_can


def test_photos_come_from_telegram_whatsapp_and_the_widget_only() -> None:
    assert channel_can("telegram", PHOTOS) and channel_can("whatsapp", PHOTOS)
    assert channel_can("webchat", PHOTOS)
    assert not channel_can("cli", PHOTOS)
    assert not channel_can("a-channel-nobody-registered", PHOTOS)
