"""`supportbot chat`: talk to the real engine, NLU and database in a terminal."""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from datetime import timedelta

from bot.clock import Clock, FrozenClock, SystemClock, parse_instant
from bot.config import Settings
from bot.conversation import Inbound
from bot.events import Events
from bot.outbox import OutboxWorker
from bot.storage.database import Database
from cli.chat_script import add_script_arguments, run_script
from cli.common import CliError, Subparsers, nlu_service, say
from cli.run_command import migrate
from cli.terminal import CHANNEL, TerminalSender
from nlu.client import NluClient
from wiring.assembly import build_engine, build_intake


def register_chat(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("chat", help="chat with the bot in the terminal")
    parser.add_argument("--json", action="store_true",
                        help="read lines from stdin, print one JSON object per bot reply")
    parser.add_argument("--at", help="freeze the clock, e.g. 2026-11-27T21:55:00Z")
    parser.add_argument("--user", help="customer identity (default: a new one per run)")
    parser.add_argument("--lang", help="language hint for the first message (nl, de, en)")
    add_script_arguments(parser)
    parser.set_defaults(handler=run_chat)


COMMANDS = (register_chat,)


def run_chat(args: argparse.Namespace) -> int:
    if args.script:
        return run_script(args)
    settings = Settings()
    try:
        clock: Clock = FrozenClock(parse_instant(args.at)) if args.at else SystemClock()
    except ValueError as error:
        raise CliError(f"--at: {error}") from error
    migrate(settings)
    with nlu_service(settings) as (settings, _):
        asyncio.run(_session(settings, clock, args))
    return 0


async def _session(settings: Settings, clock: Clock, args: argparse.Namespace) -> None:
    """Every line goes the way a channel's messages go: stored, answered, queued in the
    outbox; the outbox delivers to the terminal, whose sender prints."""
    database = Database(settings.database_url)
    user = args.user or f"cli-{uuid.uuid4().hex[:8]}"
    terminal = TerminalSender(args.json)
    outbox = OutboxWorker(database, {CHANNEL: terminal}, clock)
    async with NluClient(settings.resolved_nlu_url, settings.nlu_token.get_secret_value(),
                         timeout=settings.nlu_timeout_s, retries=settings.nlu_retries) as nlu:
        intake = build_intake(settings, build_engine(settings, database, nlu, clock), Events())
        if not args.json:
            say("Type a message (Ctrl-D to quit). Answer buttons with their number.")
        try:
            while True:
                line = await asyncio.to_thread(_read_line, args.json)
                if line is None:
                    break
                if not line.strip():
                    continue
                inbound = Inbound(channel=CHANNEL, chat_id=user, user_id=user,
                                  message_id=uuid.uuid4().hex, text=line.strip(),
                                  language_hint=args.lang)
                terminal.turn = await intake.submit(inbound)
                while await outbox.run_once():
                    pass
                if isinstance(clock, FrozenClock):
                    clock.advance(timedelta(seconds=1))
        finally:
            await database.close()


def _read_line(quiet: bool) -> str | None:
    if not quiet:
        print("you> ", end="", flush=True)
    line = sys.stdin.readline()
    return line if line else None
