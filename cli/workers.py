"""`supportbot run --workers N`: several app processes serving one port.

Each worker is a `supportbot run --worker` process that binds the port with SO_REUSEPORT,
so the kernel spreads connections over them; this supervisor starts them after the
database is migrated and the NLU service runs (once, here), passes SIGTERM and SIGINT on,
and stops them all when one dies (a process manager restarts the whole).

The workers share what replicas share: the database (every message answered once, the
outbox claiming rows with SKIP LOCKED, the scheduler's jobs) and Redis (a widget reply or
console event reaching the worker that holds the connection). So more than one worker
needs PostgreSQL and `SUPPORTBOT_REDIS_URL`; SQLite has no row locks for the outbox's
claims and serialises writers across processes only by waiting, and without Redis a reply
to a widget held by another worker would never arrive.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from types import FrameType

from bot.config import Settings
from cli.common import CliError


def needs(settings: Settings) -> list[str]:
    """What several workers need that these settings lack, as phrases."""
    missing = []
    if settings.database_url.startswith("sqlite"):
        missing.append("PostgreSQL (SQLite cannot hand outbox rows to one worker at a time)")
    if settings.redis_url is None:
        missing.append("SUPPORTBOT_REDIS_URL (widget replies and console events must reach "
                       "the worker holding the connection)")
    if settings.telegram_polling:
        missing.append("Telegram webhooks instead of --telegram-polling (each worker "
                       "would poll)")
    return missing


def worker_count(requested: int | None, settings: Settings,
                 announce: Callable[[str], None]) -> int:
    """How many workers to run: `requested`, else SUPPORTBOT_WORKERS, else one per core.
    Asked for explicitly and impossible: an error; by default: one, with the reason."""
    wanted = requested or settings.workers or os.cpu_count() or 1
    if wanted <= 1:
        return 1
    missing = needs(settings)
    if not missing:
        return wanted
    reason = f"{wanted} workers need " + " and ".join(missing)
    if requested or settings.workers:
        raise CliError(f"{reason}; set them or run with --workers 1")
    announce(f"Running 1 worker instead of one per core: {reason}.")
    return 1


def nlu_worker_count(settings: Settings, app_workers: int,
                     announce: Callable[[str], None]) -> int:
    """Sanic workers for an NLU service started here: SUPPORTBOT_NLU_WORKERS, else as
    many as app workers; one without Redis (Rasa's lock store), with the reason."""
    wanted = settings.nlu_workers or app_workers
    if wanted > 1 and settings.redis_url is None:
        announce(f"Running 1 NLU worker instead of {wanted}: several need "
                 "SUPPORTBOT_REDIS_URL (Rasa's lock store).")
        return 1
    return wanted


def supervise(settings: Settings, count: int, log_format: str | None,
              announce: Callable[[str], None]) -> int:
    """Run `count` workers until a signal stops them or one exits; its exit code."""
    env = {**os.environ, "SUPPORTBOT_NLU_URL": settings.resolved_nlu_url}
    command = [sys.executable, "-m", "cli", "run", "--worker", "--no-migrate",
               "--no-start-nlu", "--host", settings.http_host,
               "--port", str(settings.http_port),
               *(["--log-format", log_format] if log_format else [])]
    workers = [subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)
               for _ in range(count)]
    announce(f"Started {count} workers on port {settings.http_port}: pids "
             + ", ".join(str(worker.pid) for worker in workers))
    stopping: list[int] = []

    def pass_on(signum: int, frame: FrameType | None) -> None:
        stopping.append(signum)
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)

    previous = {signum: signal.signal(signum, pass_on)
                for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        return _watch(workers, stopping, pass_on, announce)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _watch(workers: list[subprocess.Popen[bytes]], stopping: list[int],
           stop: Callable[[int, FrameType | None], None],
           announce: Callable[[str], None]) -> int:
    code = 0
    while any(worker.poll() is None for worker in workers):
        exited = [w for w in workers if w.returncode is not None and w.returncode != 0]
        if exited and not stopping:
            code = exited[0].returncode
            announce(f"Worker {exited[0].pid} exited with code {code}; stopping the others.")
            stop(signal.SIGTERM, None)
        time.sleep(0.2)
    return code
