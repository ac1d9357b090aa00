"""The app's periodic jobs, built from the settings."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.config import Settings
from bot.files import file_store
from bot.handoff_timeouts import HandoffTimeouts
from bot.intake import Intake
from bot.outbox import OutboxWorker
from bot.retention import apply_retention
from bot.scheduler import ScheduledJob
from bot.storage.database import Database
from bot.turn import Services

RETENTION_INTERVAL_S = 3600.0


def scheduled_jobs(settings: Settings, database: Database, services: Services,
                   outbox: OutboxWorker, intake: Intake) -> list[ScheduledJob]:
    """Queue timeouts and recovery always; retention when `retention_days` is set."""
    timeout = (timedelta(minutes=settings.handoff_timeout_minutes)
               if settings.handoff_timeout_minutes is not None else None)
    timeouts = HandoffTimeouts(database, services.catalogue, timeout)

    async def offer(now: datetime) -> int:
        offered = await timeouts.run(now)
        if offered:
            outbox.wake()
        return offered

    async def recover(now: datetime) -> int:
        # A message unanswered this long lost its answer task (a database outage, a crash).
        return await intake.recover(older_than=timedelta(seconds=settings.recovery_interval_s))

    jobs = [ScheduledJob("handoff-timeouts", settings.scheduler_interval_s, offer),
            ScheduledJob("recover-unanswered", settings.recovery_interval_s, recover)]
    days = settings.retention_days
    if days is not None:
        async def retain(now: datetime) -> object:
            return await apply_retention(database, days, now, files=file_store(settings))

        jobs.append(ScheduledJob("retention", RETENTION_INTERVAL_S, retain))
    return jobs
