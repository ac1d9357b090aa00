"""Where the app's CPU per message goes: the hot path run in this process, one message at a
time, with the CPU time (`time.process_time`, every thread of the process: the event loop
and the database driver's threads) and the SQL statements of each stage counted.

Stages: `accept` (store the inbound message: what a webhook waits for), `answer`
(`Engine.answer`: language, NLU parse over HTTP, policy, replies into the outbox), and
`deliver` (the `TurnAnswered` listeners and the outbox worker sending the reply to the fake
platform API, until it arrived). The fake platform APIs run in a thread of this process, so
`deliver` includes their few hundred microseconds. With `--profile`, cProfile's top
functions of the event loop thread are printed too.

    SUPPORTBOT_NLU_URL=... .venv/bin/python bench/stages.py [--messages 200] [--profile]
        [--postgres ADMIN_DSN]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import sys
import time
from asyncio import selector_events
from collections import defaultdict
from pathlib import Path
from typing import Any

import aiosqlite
from aiohttp.test_utils import TestServer
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `tests.fakes`, `bench`

from bench.load import TEXTS
from bench.load_stack import FakePlatforms, app_environment, fresh_database
from bot.config import Settings
from bot.conversation import Inbound
from bot.events import TurnAnswered
from cli.common import nlu_service
from tests.fakes.telegram_api import FakeTelegramApi
from wiring.app import PARTS, init_app


class Statements:
    """Counts the SQL statements the app's engine sends."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: Any) -> None:
        self.count += 1


class RoundTrips:
    """Counts what costs a system call or two and a wake-up of another thread or process,
    the bulk of the CPU per message: socket writes of the event loop (database, NLU and
    platform APIs) and calls handed to aiosqlite's thread. Unlike CPU time on a busy
    machine, these counts do not move from run to run."""

    def __init__(self) -> None:
        self.socket_writes = 0
        self.driver_thread_calls = 0

    def install(self) -> None:
        transport = selector_events._SelectorSocketTransport
        write, execute = transport.write, aiosqlite.Connection._execute

        def counted_write(this: Any, data: Any) -> None:
            self.socket_writes += 1
            write(this, data)

        async def counted_execute(this: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
            self.driver_thread_calls += 1
            return await execute(this, fn, *args, **kwargs)

        transport.write = counted_write  # type: ignore[method-assign]
        aiosqlite.Connection._execute = counted_execute  # type: ignore[method-assign]


async def run(messages: int, profile: cProfile.Profile | None) -> dict[str, Any]:
    app = init_app(Settings())
    server = TestServer(app)
    await server.start_server()
    parts = app[PARTS]
    telegram_api: FakeTelegramApi = STATE["telegram"]
    statements, trips = Statements(), RoundTrips()
    trips.install()
    event.listen(parts.database.engine.sync_engine, "before_cursor_execute", statements)
    cpu: dict[str, float] = defaultdict(float)
    sql: dict[str, int] = defaultdict(int)
    writes: dict[str, int] = defaultdict(int)
    hops: dict[str, int] = defaultdict(int)

    async def stage(name: str, work: Any) -> Any:
        before, count = time.process_time(), statements.count
        written, handed = trips.socket_writes, trips.driver_thread_calls
        result = await work
        cpu[name] += time.process_time() - before
        sql[name] += statements.count - count
        writes[name] += trips.socket_writes - written
        hops[name] += trips.driver_thread_calls - handed
        return result

    try:
        for index in range(20 + messages):  # the first 20 warm up caches and pools
            if index == 20:
                for counts in (cpu, sql, writes, hops):
                    counts.clear()
                if profile is not None:
                    profile.enable()
            language, text = TEXTS[index % len(TEXTS)]
            chat = str(7_000_000 + index)
            inbound = Inbound("telegram", chat, chat, str(index), text, language_hint=language)
            seen = len(telegram_api.calls)
            accepted = await stage("accept", parts.intake.acceptor.accept(inbound))
            result = await stage("answer", parts.engine.answer(accepted.message_id,
                                                               accepted.conversation_id))

            async def deliver(result: Any = result, seen: int = seen) -> None:
                parts.events.publish(TurnAnswered(result))
                # the fake API records calls in a list, with nothing to wait on
                while not any(c.method == "sendMessage" for c in telegram_api.calls[seen:]):  # noqa: ASYNC110
                    await asyncio.sleep(0.0005)

            await stage("deliver", deliver())
        if profile is not None:
            profile.disable()
    finally:
        await server.close()
    total = sum(cpu.values())
    return {
        "messages": messages,
        "cpu_ms_per_message": {name: round(value * 1000 / messages, 2)
                               for name, value in {**cpu, "total": total}.items()},
        "statements_per_message": {name: round(count / messages, 2)
                                   for name, count in sql.items()},
        "socket_writes_per_message": {name: round(count / messages, 2)
                                      for name, count in writes.items()},
        "driver_thread_calls_per_message": {name: round(count / messages, 2)
                                            for name, count in hops.items()},
    }


STATE: dict[str, Any] = {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--postgres", metavar="ADMIN_DSN")
    args = parser.parse_args()
    profile = cProfile.Profile() if args.profile else None
    with nlu_service(Settings()) as (settings, _), FakePlatforms() as (telegram, twilio), \
            fresh_database(args.postgres) as database_url:
        STATE["telegram"] = telegram
        os.environ.update(app_environment(database_url, 8080, settings.resolved_nlu_url,
                                          settings.nlu_token.get_secret_value(), telegram,
                                          twilio))
        result = asyncio.run(run(args.messages, profile))
    result["database"] = "postgresql" if args.postgres else "sqlite"
    print(json.dumps(result, indent=2))
    if profile is not None:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(35)
        print(out.getvalue(), file=sys.stderr)


if __name__ == "__main__":
    main()
