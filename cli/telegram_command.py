"""`supportbot telegram set-webhook`: point a Telegram bot at this app's webhook."""

from __future__ import annotations

import argparse
import asyncio

from bot.config import Settings
from channels.telegram import register_webhook
from cli.common import CliError, Subparsers, say


def register_telegram(subparsers: Subparsers) -> None:
    telegram = subparsers.add_parser("telegram", help="the Telegram channel")
    commands = telegram.add_subparsers(dest="telegram_command", required=True)
    commands.add_parser("set-webhook", help="register SUPPORTBOT_PUBLIC_BASE_URL/webhooks/"
                        "telegram with the secret token").set_defaults(handler=run_set_webhook)


COMMANDS = (register_telegram,)


def run_set_webhook(args: argparse.Namespace) -> int:
    settings = Settings()
    if settings.telegram_token is None or settings.telegram_secret is None:
        raise CliError("set SUPPORTBOT_TELEGRAM_TOKEN and SUPPORTBOT_TELEGRAM_SECRET first")
    url = asyncio.run(register_webhook(
        settings.telegram_token.get_secret_value(), settings.telegram_secret.get_secret_value(),
        settings.public_base_url, settings.telegram_api_base_url))
    say(f"Telegram will post updates to {url}")
    return 0
