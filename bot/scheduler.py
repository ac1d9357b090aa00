"""Periodic jobs inside the app (queue timeouts, away agents, retention): each runs at its
interval; a failing run is logged and tried again at the next one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock

log = logging.getLogger(__name__)
Job = Callable[[datetime], Awaitable[object]]


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    interval_s: float
    run: Job


class Scheduler:
    """Runs jobs on their intervals until stopped."""

    def __init__(self, clock: Clock, jobs: list[ScheduledJob]) -> None:
        self.clock = clock
        self.jobs = jobs
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._loop(job), name=f"job-{job.name}")
                       for job in self.jobs]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def _loop(self, job: ScheduledJob) -> None:
        while True:
            try:
                await job.run(self.clock.now())
            except Exception:
                log.exception("scheduled job %s failed; next run in %.0fs", job.name,
                              job.interval_s)
            await asyncio.sleep(job.interval_s)
