"""`supportbot chat --script FILE`: replay scripted conversations with the real bot.

A script is a conversation-corpus file (tests/corpus/*.yml): for each conversation the
time, the channel and the customer's lines (typed text or a button press), plus the
expectations the corpus test checks. The replay prints every conversation as a
transcript, so a failing corpus case can be read as the conversation it was.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from bot.clock import FrozenClock, parse_instant
from bot.config import Settings
from bot.conversation import Inbound, TurnResult
from bot.events import Events
from bot.storage.database import Database
from cli.common import CliError, nlu_service
from nlu.client import NluClient
from wiring.assembly import build_engine, build_intake

LINE_KEYS = {"says", "presses", "wait", "intent", "language", "has", "lacks", "note"}
CONVERSATION_KEYS = {"id", "at", "channel", "user", "note", "lines", "expect", "language"}
_UNITS = {"s": 1, "m": 60, "h": 3600}


class ScriptError(ValueError):
    """A script file that cannot be replayed: names the file and the conversation."""


@dataclass(frozen=True)
class ScriptLine:
    """One customer turn: typed text or a pressed button, and what must hold after it."""

    says: str | None = None
    presses: str | None = None
    wait: timedelta = timedelta(seconds=1)
    expect: Mapping[str, Any] = field(default_factory=dict)

    @property
    def shown(self) -> str:
        """The turn as the customer did it."""
        return self.says if self.says is not None else f"[presses {self.presses}]"


@dataclass(frozen=True)
class ScriptedConversation:
    """One conversation of a script: who writes when, on which channel, and what."""

    id: str
    at: datetime
    channel: str
    user: str
    language: str
    lines: tuple[ScriptLine, ...]
    expect: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""


def load_script(path: Path) -> tuple[ScriptedConversation, ...]:
    """Read a script file; bad YAML or a malformed conversation is a ScriptError."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ScriptError(f"{path}: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("conversations"), list):
        raise ScriptError(f"{path}: expected a mapping with a `conversations` list")
    language = str(document.get("language", "en"))
    conversations = tuple(_conversation(path, raw, language)
                          for raw in document["conversations"])
    ids = [conversation.id for conversation in conversations]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ScriptError(f"{path}: conversation ids used twice: {', '.join(duplicates)}")
    return conversations


def _conversation(path: Path, raw: Any, language: str) -> ScriptedConversation:
    if not isinstance(raw, dict) or "id" not in raw:
        raise ScriptError(f"{path}: every conversation needs an `id`")
    where = f"{path}, conversation {raw['id']}"
    unknown = set(raw) - CONVERSATION_KEYS
    if unknown:
        raise ScriptError(f"{where}: unknown keys {sorted(unknown)}")
    try:
        at = parse_instant(str(raw["at"]))
    except (KeyError, ValueError) as error:
        raise ScriptError(f"{where}: `at` must be an ISO instant such as "
                          f"2026-11-27T21:55:00Z ({error})") from error
    lines = raw.get("lines")
    if not isinstance(lines, list) or not lines:
        raise ScriptError(f"{where}: `lines` must be a non-empty list")
    return ScriptedConversation(
        id=str(raw["id"]), at=at, channel=str(raw.get("channel", "webchat")),
        user=str(raw.get("user", f"corpus-{raw['id']}")),
        language=str(raw.get("language", language)),
        lines=tuple(_line(f"{where}, line {n}", item) for n, item in enumerate(lines, 1)),
        expect=dict(raw.get("expect") or {}), note=str(raw.get("note", "")),
    )


def _line(where: str, raw: Any) -> ScriptLine:
    if isinstance(raw, str):
        return ScriptLine(says=raw)
    if not isinstance(raw, dict) or ("says" in raw) == ("presses" in raw):
        raise ScriptError(f"{where}: a line is text, or a mapping with `says` or `presses`")
    unknown = set(raw) - LINE_KEYS
    if unknown:
        raise ScriptError(f"{where}: unknown keys {sorted(unknown)}")
    expect = {key: value for key, value in raw.items()
              if key not in {"says", "presses", "wait", "note"}}
    return ScriptLine(says=_optional(raw.get("says")), presses=_optional(raw.get("presses")),
                      wait=_duration(where, raw.get("wait", "1s")), expect=expect)


def _optional(value: Any) -> str | None:
    return None if value is None else str(value)


def _duration(where: str, value: Any) -> timedelta:
    text = str(value).strip()
    if len(text) < 2 or text[-1] not in _UNITS or not text[:-1].isdigit():
        raise ScriptError(f"{where}: `wait` must look like 30s, 5m or 2h, not {value!r}")
    return timedelta(seconds=int(text[:-1]) * _UNITS[text[-1]])


def button_payload(results: Sequence[TurnResult], title: str) -> str | None:
    """The payload of the latest offered button with this title (or payload)."""
    for result in reversed(results):
        for reply in reversed(result.replies):
            for button in reply.buttons:
                if title in (button.title, button.payload):
                    return button.payload
    return None


@dataclass
class Transcript:
    """A conversation as a customer would read it back, built turn by turn."""

    conversation: ScriptedConversation
    lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        at = self.conversation.at
        self.lines.append(f"== {self.conversation.id}: {at:%A %Y-%m-%d %H:%M} GMT, "
                          f"channel {self.conversation.channel}")
        if self.conversation.note:
            self.lines.append(f"   ({self.conversation.note})")

    def add(self, line: ScriptLine, result: TurnResult | None) -> None:
        """Record one customer turn and the bot's replies to it."""
        self.lines.append(f"customer> {line.shown}")
        if result is None:
            return
        self.lines.append(f"          . intent {result.intent} ({result.confidence or 0:.2f}),"
                          f" language {result.language}, ticket {result.ticket}")
        for reply in result.replies:
            text = reply.text.replace("\n", "\n          ")
            self.lines.append(f"     bot> {text}")
            if reply.buttons:
                self.lines.append("          " + " ".join(f"[{b.title}]" for b in reply.buttons))

    def render(self) -> str:
        return "\n".join(self.lines)


Submit = Callable[[Inbound], Awaitable[TurnResult]]


async def replay(submit: Submit, clock: FrozenClock,
                 conversation: ScriptedConversation) -> Transcript:
    """Play every line of one conversation, at its scripted time, through `submit`: the
    path a channel's messages take to the engine."""
    clock.advance(conversation.at - clock.now())
    transcript = Transcript(conversation)
    results: list[TurnResult] = []
    for number, line in enumerate(conversation.lines, 1):
        if number > 1:
            clock.advance(line.wait)
        payload = None
        if line.presses is not None:
            payload = button_payload(results, line.presses)
            if payload is None:
                transcript.add(line, None)
                transcript.lines.append(f"          ! no button {line.presses!r} was offered")
                break
        inbound = Inbound(channel=conversation.channel, chat_id=conversation.user,
                          user_id=conversation.user, message_id=f"{conversation.id}-{number}",
                          text=line.says if line.says is not None else line.presses or "",
                          payload=payload)
        result = await submit(inbound)
        results.append(result)
        transcript.add(line, result)
    return transcript


def add_script_arguments(parser: argparse.ArgumentParser) -> None:
    """The `chat` options for replaying a script file."""
    parser.add_argument("--script", type=Path, metavar="FILE",
                        help="replay a conversation-corpus file and print the transcripts")
    parser.add_argument("--conversation", metavar="ID",
                        help="with --script: replay only the conversation with this id")


def run_script(args: argparse.Namespace) -> int:
    """Replay the script's conversations in a throwaway SQLite database."""
    try:
        conversations = load_script(args.script)
    except ScriptError as error:
        raise CliError(str(error)) from error
    if args.conversation:
        conversations = tuple(c for c in conversations if c.id == args.conversation)
        if not conversations:
            raise CliError(f"{args.script}: no conversation with id {args.conversation!r}")
    with nlu_service(Settings()) as (settings, _):
        asyncio.run(_replay_all(settings, conversations))
    return 0


async def _replay_all(settings: Settings,
                      conversations: Sequence[ScriptedConversation]) -> None:
    from bot.storage.migrate import upgrade  # alembic: only when replaying

    async with NluClient(settings.resolved_nlu_url, settings.nlu_token.get_secret_value(),
                         timeout=settings.nlu_timeout_s, retries=settings.nlu_retries) as nlu:
        for conversation in conversations:
            with tempfile.TemporaryDirectory(prefix="supportbot-script-") as folder:
                database = Database(f"sqlite+aiosqlite:///{Path(folder) / 'script.db'}")
                try:
                    await upgrade(database)
                    clock = FrozenClock(conversation.at)
                    engine = build_engine(settings, database, nlu, clock)
                    intake = build_intake(settings, engine, Events())
                    transcript = await replay(intake.submit, clock, conversation)
                finally:
                    await database.close()
            print(transcript.render() + "\n", flush=True)
