"""The app's periodic jobs, built from the settings: queue timeouts, tickets of agents
who went away, recovery of unanswered messages and retention."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.config import Settings
from bot.events import Events, RepliesQueued, TicketChanged
from bot.file_stores import file_store
from bot.handoff_timeouts import HandoffTimeouts
from bot.intake import Intake
from bot.retention import apply_retention
from bot.routing import requeue_away
from bot.scheduler import ScheduledJob
from bot.storage.database import Database
from bot.turn import Services

RETENTION_INTERVAL_S = 3600.0


def scheduled_jobs(settings: Settings, database: Database, services: Services,
                   intake: Intake, events: Events) -> list[ScheduledJob]:
    """Queue timeouts, away agents and recovery always; retention when
    `retention_days` is set."""
    timeout = (timedelta(minutes=settings.handoff_timeout_minutes)
               if settings.handoff_timeout_minutes is not None else None)
    timeouts = HandoffTimeouts(database, services.catalogue, timeout)

    async def offer(now: datetime) -> int:
        offered = await timeouts.run(now)
        if offered:
            events.publish(RepliesQueued())
        return offered

    async def requeue(now: datetime) -> int:
        requeued = await requeue_away(database, settings, now)
        if requeued:
            events.publish(TicketChanged())
        return requeued

    async def recover(now: datetime) -> int:
        # A message unanswered this long lost its answer task (a database outage, a crash).
        return await intake.recover(older_than=timedelta(seconds=settings.recovery_interval_s))

    jobs = [ScheduledJob("handoff-timeouts", settings.scheduler_interval_s, offer),
            ScheduledJob("requeue-away-agents", settings.scheduler_interval_s, requeue),
            ScheduledJob("recover-unanswered", settings.recovery_interval_s, recover)]
    days = settings.retention_days
    if days is not None:
        async def retain(now: datetime) -> object:
            return await apply_retention(database, days, now, files=file_store(settings))

        jobs.append(ScheduledJob("retention", RETENTION_INTERVAL_S, retain))
    return jobs
