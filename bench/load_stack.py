"""The system under load for `bench/load.py`: fake platform APIs on their own event loop, a
fresh database, the real app as a `supportbot run` subprocess, and RSS read from /proc.

Nothing here generates traffic; it only starts, finds and stops what the benchmark drives.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from aiohttp import web

from bot.config import Settings
from cli.run_command import migrate
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import ACCOUNT_SID, FakeTwilioApi

T = TypeVar("T")
TELEGRAM_SECRET = "bench-telegram-secret"
TWILIO_AUTH_TOKEN = "bench-twilio-auth-token"
READY_TIMEOUT_S = 90.0


class TimedTwilioApi(FakeTwilioApi):
    """The fake Twilio API that also records when each accepted message's request arrived
    (its `messages` have no timestamps): `(time.time(), To, Body)` in arrival order."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: list[tuple[float, str, str]] = []

    async def _create(self, request: web.Request) -> web.Response:
        arrived = time.time()
        response = await super()._create(request)
        if response.status == 201 and response.text is not None:
            body = json.loads(response.text)
            self.arrived.append((arrived, str(body["to"]), str(body["body"])))
        return response


class FakePlatforms:
    """The fake Telegram Bot API and Twilio API, served from a thread with its own event loop
    so that the load generator's busy loop does not delay the timestamps of their calls."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-platforms",
                                        daemon=True)
        self.telegram: FakeTelegramApi | None = None
        self.twilio: TimedTwilioApi | None = None

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=30)

    def __enter__(self) -> tuple[FakeTelegramApi, TimedTwilioApi]:
        self._thread.start()

        async def start() -> tuple[FakeTelegramApi, TimedTwilioApi]:
            telegram, twilio = FakeTelegramApi(), TimedTwilioApi()
            await telegram.start()
            await twilio.start()
            return telegram, twilio

        self.telegram, self.twilio = self._run(start())
        return self.telegram, self.twilio

    def __exit__(self, *exc_info: object) -> None:
        for fake in (self.telegram, self.twilio):
            if fake is not None:
                self._run(fake.stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def fresh_database(postgres_admin_dsn: str | None) -> Iterator[str]:
    """Yield the URL of an empty, migrated database: a SQLite file in a temporary folder, or
    a new PostgreSQL database created next to `postgres_admin_dsn` and dropped afterwards."""
    if postgres_admin_dsn is None:
        with tempfile.TemporaryDirectory(prefix="supportbot-load-") as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'load.db'}"
            migrate(Settings(database_url=url))
            yield url
        return
    admin = postgres_admin_dsn.replace("postgresql+asyncpg://", "postgresql://")
    name = f"supportbot_load_{os.getpid()}_{secrets.token_hex(3)}"
    asyncio.run(_admin_execute(admin, f'CREATE DATABASE "{name}"'))
    url = admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    try:
        migrate(Settings(database_url=url))
        yield url
    finally:
        asyncio.run(_admin_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin_execute(dsn: str, statement: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@dataclass(frozen=True)
class AppProcess:
    """The app under load: its pid and the base URL it serves on."""

    pid: int
    url: str


def app_environment(database_url: str, port: int, nlu_url: str, nlu_token: str,
                    telegram: FakeTelegramApi, twilio: FakeTwilioApi) -> dict[str, str]:
    """The environment of `supportbot run`: every channel on, pointed at the fakes."""
    return {
        **os.environ,
        "SUPPORTBOT_DATABASE_URL": database_url,
        "SUPPORTBOT_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "SUPPORTBOT_NLU_URL": nlu_url,
        "SUPPORTBOT_NLU_TOKEN": nlu_token,
        "SUPPORTBOT_TELEGRAM_TOKEN": telegram.token,
        "SUPPORTBOT_TELEGRAM_SECRET": TELEGRAM_SECRET,
        "SUPPORTBOT_TELEGRAM_API_BASE_URL": telegram.base_url,
        "SUPPORTBOT_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "SUPPORTBOT_TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN,
        "SUPPORTBOT_TWILIO_API_BASE_URL": twilio.base_url,
        "SUPPORTBOT_LOG_LEVEL": "WARNING",
        "SUPPORTBOT_WEBCHAT_MESSAGE_RATE": "1000/second",
        "SUPPORTBOT_WEBCHAT_IP_RATE": "100000/minute",
        "SUPPORTBOT_WEBCHAT_MAX_CONNECTIONS_PER_IP": "1000",
    }


@contextlib.contextmanager
def app_process(env: dict[str, str], port: int, log_file: Path,
                workers: int = 1) -> Iterator[AppProcess]:
    """Run `python -m cli run --port P --no-migrate --no-start-nlu --workers N` until it is
    ready (`/readyz`: database and NLU answer); stop it with SIGTERM afterwards."""
    command = [sys.executable, "-m", "cli", "run", "--port", str(port), "--no-migrate",
               "--no-start-nlu", "--workers", str(workers)]
    with log_file.open("ab") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, cwd=Path(__file__).parent.parent)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, url, log_file)
        _wait_workers(url, workers)
        yield AppProcess(process.pid, url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(process: subprocess.Popen[bytes], url: str, log_file: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with code {process.returncode}; see {log_file}")
        with contextlib.suppress(OSError, urllib.error.URLError), \
                urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"the app was not ready after {READY_TIMEOUT_S:.0f} s; see {log_file}")


def _wait_workers(url: str, workers: int) -> None:
    """Until `workers` distinct workers have answered `/healthz` (each request is a new
    connection, which the kernel gives to any of them), or READY_TIMEOUT_S."""
    seen: set[int] = set()
    deadline = time.monotonic() + READY_TIMEOUT_S
    while len(seen) < workers and time.monotonic() < deadline:
        with contextlib.suppress(OSError, urllib.error.URLError, ValueError, KeyError), \
                urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
            seen.add(int(json.loads(response.read())["worker"]))
        time.sleep(0.05)


def memory_mb(pid: int) -> dict[str, float]:
    """Current (`VmRSS`) and peak (`VmHWM`) resident memory of a process, in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = round(int(rest.split()[0]) / 1024, 1)
    return {"rss_mb": values.get("VmRSS", 0.0), "peak_rss_mb": values.get("VmHWM", 0.0)}


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_memory_mb(pid: int) -> dict[str, float]:
    """`memory_mb` summed over a process and its descendants (Rasa may fork workers)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total = {"rss_mb": 0.0, "peak_rss_mb": 0.0, "processes": 0.0}
    pending = [pid]
    while pending:
        current = pending.pop()
        with contextlib.suppress(OSError):
            for key, value in memory_mb(current).items():
                total[key] = round(total[key] + value, 1)
            total["processes"] += 1
            pending += children.get(current, [])
    return total


def listening_pid(port: int) -> int | None:
    """The pid of the process that listens on a TCP port, found through /proc; when several
    hold the socket (a server and the workers it forked), the one whose parent does not."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for row in Path(table).read_text().splitlines()[1:]:
                fields = row.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{fields[9]}]")
    holders = set()
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        with contextlib.suppress(OSError):
            if os.readlink(fd) in inodes:
                holders.add(int(fd.parent.parent.name))
    for pid in sorted(holders):
        with contextlib.suppress(OSError, ValueError, IndexError):
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            if parent not in holders:
                return pid
    return min(holders, default=None)


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory_gb = 0.0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    return {"cpus": os.cpu_count(), "cpu_model": model, "memory_gb": memory_gb,
            "python": platform.python_version(), "platform": platform.platform()}
