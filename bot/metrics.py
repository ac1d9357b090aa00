"""Prometheus metrics of one app: message counters and latencies, plus gauges read from the
database at scrape time (outbox depth and failures, tickets by status, SLA breaches).

Each app has its own `CollectorRegistry`, so several apps in one process (tests) do not
share counts. The counting parts call `Metrics`; nothing else knows about Prometheus.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from sqlalchemy import func, select

from bot.clock import Clock
from bot.domain import OPEN_TICKET_STATUSES, OutboxStatus
from bot.storage.database import Database
from bot.storage.models import OutboxItem, Ticket

_NLU_BUCKETS = (0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_REPLY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0)


class Metrics:
    """The app's metric objects and the calls that move them.

    `channels` are shown with 0 in the outbox gauges when they have no rows.
    """

    def __init__(self, channels: Iterable[str] = ()) -> None:
        self.channels = tuple(channels)
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.messages_in = Counter(
            "supportbot_messages_in", "Inbound customer messages stored (duplicates excluded).",
            ["channel"], registry=registry)
        self.messages_out = Counter(
            "supportbot_messages_out", "Replies delivered by the outbox.",
            ["channel"], registry=registry)
        self.nlu_parse_seconds = Histogram(
            "supportbot_nlu_parse_seconds", "Time of a successful NLU parse, retries included.",
            buckets=_NLU_BUCKETS, registry=registry)
        self.reply_seconds = Histogram(
            "supportbot_reply_seconds",
            "From the conversation's last inbound message stored to a reply sent.",
            ["channel"], buckets=_REPLY_BUCKETS, registry=registry)
        self.outbox_pending = Gauge(
            "supportbot_outbox_pending", "Outbox rows waiting to be sent.",
            ["channel"], registry=registry)
        self.outbox_failed = Gauge(
            "supportbot_outbox_failed", "Outbox rows that failed for good.",
            ["channel"], registry=registry)
        self.tickets = Gauge(
            "supportbot_tickets", "Tickets by status.", ["status"], registry=registry)
        self.sla_breaches = Gauge(
            "supportbot_sla_first_response_breaches",
            "Open tickets without a first response past their first-response due time.",
            registry=registry)

    def message_received(self, channel: str) -> None:
        self.messages_in.labels(channel=channel).inc()

    def reply_sent(self, channel: str, since_inbound_s: float | None) -> None:
        """Count a delivered reply; `since_inbound_s` is None for a message nobody asked."""
        self.messages_out.labels(channel=channel).inc()
        if since_inbound_s is not None:
            self.reply_seconds.labels(channel=channel).observe(max(0.0, since_inbound_s))

    def observe_nlu_parse(self, seconds: float) -> None:
        self.nlu_parse_seconds.observe(seconds)

    async def refresh(self, database: Database, now: datetime) -> None:
        """Set the gauges that come from the database."""
        async with database.sessions() as session:
            outbox = (await session.execute(
                select(OutboxItem.channel, OutboxItem.status, func.count())
                .where(OutboxItem.status.in_((OutboxStatus.PENDING, OutboxStatus.FAILED)))
                .group_by(OutboxItem.channel, OutboxItem.status))).all()
            tickets = (await session.execute(
                select(Ticket.status, func.count()).group_by(Ticket.status))).all()
            breaches = (await session.execute(
                select(func.count()).select_from(Ticket).where(
                    Ticket.status.in_(OPEN_TICKET_STATUSES),
                    Ticket.first_response_at.is_(None),
                    Ticket.first_response_due < now))).scalar_one()
        # No await from here to the scrape's generate_latest: a scrape sees one snapshot.
        self.outbox_pending.clear()
        self.outbox_failed.clear()
        self.tickets.clear()
        for channel in self.channels:
            self.outbox_pending.labels(channel=channel).set(0)
            self.outbox_failed.labels(channel=channel).set(0)
        for open_status in OPEN_TICKET_STATUSES:
            self.tickets.labels(status=str(open_status)).set(0)
        for channel, row_status, count in outbox:
            pending = row_status == OutboxStatus.PENDING
            (self.outbox_pending if pending else self.outbox_failed).labels(
                channel=channel).set(count)
        for ticket_status, count in tickets:
            self.tickets.labels(status=ticket_status).set(count)
        self.sla_breaches.set(breaches)

    def render(self) -> bytes:
        return generate_latest(self.registry)


def add_routes(app: web.Application, metrics: Metrics, database: Database,
               clock: Clock) -> None:
    """Serve `metrics` at `GET /metrics` (Prometheus text exposition format)."""

    async def endpoint(request: web.Request) -> web.Response:
        await metrics.refresh(database, clock.now())
        return web.Response(body=metrics.render(),
                            headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/metrics", endpoint)
