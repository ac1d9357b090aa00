"""`supportbot chat`: talk to the real engine, NLU and database in a terminal."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from datetime import timedelta

from sqlalchemy import update

from bot.assembly import build_engine
from bot.cli.chat_script import add_script_arguments, run_script
from bot.cli.common import CliError, Subparsers, nlu_service, say
from bot.cli.run_command import migrate
from bot.clock import Clock, FrozenClock, SystemClock, parse_instant
from bot.config import Settings
from bot.conversation import Inbound, TurnResult
from bot.engine import Engine
from bot.storage.database import Database
from bot.storage.models import OutboxItem
from nlu.client import NluClient

CHANNEL = "cli"


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
    database = Database(settings.database_url)
    user = args.user or f"cli-{uuid.uuid4().hex[:8]}"
    async with NluClient(settings.resolved_nlu_url, settings.nlu_token.get_secret_value(),
                         timeout=settings.nlu_timeout_s, retries=settings.nlu_retries) as nlu:
        engine = build_engine(settings, database, nlu, clock)
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
                result = await engine.process(inbound)
                await _mark_delivered(engine)
                _show(result, args.json)
                if isinstance(clock, FrozenClock):
                    clock.advance(timedelta(seconds=1))
        finally:
            await database.close()


def _read_line(quiet: bool) -> str | None:
    if not quiet:
        print("you> ", end="", flush=True)
    line = sys.stdin.readline()
    return line if line else None


async def _mark_delivered(engine: Engine) -> None:
    """The terminal is this channel's sender: what was printed counts as sent."""
    async with engine.database.transaction() as session:
        await session.execute(
            update(OutboxItem).where(OutboxItem.channel == CHANNEL,
                                     OutboxItem.status == "pending")
            .values(status="sent", sent_at=engine.clock.now())
        )


def _show(result: TurnResult, as_json: bool) -> None:
    for reply in result.replies:
        if as_json:
            print(json.dumps({
                "text": reply.text, "buttons": [b.title for b in reply.buttons],
                "payloads": [b.payload for b in reply.buttons], "intent": result.intent,
                "confidence": result.confidence, "language": result.language,
                "ticket": result.ticket,
            }, ensure_ascii=False), flush=True)
        else:
            print(f"bot> {reply.as_text()}", flush=True)
