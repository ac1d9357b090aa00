"""Supervisor pages: the dashboard with SVG charts, the ticket CSV export, and customer
privacy (JSON export and erasure). Access control is the console middleware's job."""

from __future__ import annotations

import asyncio
import csv
import importlib
import io
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from types import ModuleType

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app_keys import CLOCK, DATABASE, SERVICES, SETTINGS
from bot.calendar import BusinessCalendar
from console import dashboard_cards, handoff_metrics, metrics, privacy
from console.dashboard_cards import FigureTexts
from console.i18n import N_, request_locale
from console.identity import AGENT
from console.metrics import TicketRow
from console.periods import InvalidPeriod, ReportPeriod, parse_period
from console.templating import render

BASE = "/console/supervisor"
CHART_TITLES = {
    "conversations": N_("Conversations per channel per day"),
    "intents": N_("Top 10 intents"),
    "response-times": N_("First response and resolution against the targets"),
    "breaches": N_("SLA breaches per day"),
    "csat": N_("Customer satisfaction"),
    "handoff-intents": N_("Handoff rate by intent (top 10)"),
    "handoff-response": N_("Handoff to first agent response (working time)"),
}
CSV_COLUMNS = ("reference", "kind", "status", "channel", "language", "created_at",
               "first_response_at", "first_response_breached", "closed_at",
               "resolution_breached", "assigned_to", "csat_score", "team", "timeout_offered_at",
               "reopened_count")


def _charts() -> ModuleType:
    """The chart module: matplotlib loads with the first chart, not at start-up (memory)."""
    return importlib.import_module("console.charts")


@dataclass(frozen=True)
class ChartQuery:
    """What a chart is drawn for: the period, the time of asking, the NLU threshold and the
    business calendar (handoff response times count working time only)."""

    period: ReportPeriod
    now: datetime
    threshold: float
    calendar: BusinessCalendar
    locale: str = "en"

    @property
    def texts(self) -> FigureTexts:
        return FigureTexts(self.locale)


Drawing = Callable[[], str]
ChartSource = Callable[[AsyncSession, ChartQuery], Awaitable[Drawing]]


def _period(request: web.Request) -> ReportPeriod:
    """The `from`/`to` range of the request; empty fields take the defaults."""
    today = request.app[CLOCK].now().date()
    return parse_period(request.query.get("from") or None, request.query.get("to") or None,
                        today)


def _chart_query(request: web.Request, period: ReportPeriod) -> ChartQuery:
    return ChartQuery(period, request.app[CLOCK].now(),
                      request.app[SETTINGS].nlu_confidence_threshold,
                      request.app[SERVICES].calendar, request_locale(request))


async def dashboard(request: web.Request) -> web.Response:
    """The dashboard: headline figures, chart images and the date-range form."""
    try:
        period = _period(request)
    except InvalidPeriod as error:
        return render(request, "dashboard.html", status=400, error=str(error),
                      first=request.query.get("from", ""), last=request.query.get("to", ""))
    query = _chart_query(request, period)
    async with request.app[DATABASE].transaction() as session:
        figures = await metrics.dashboard_figures(session, period, query.now, query.threshold)
        handoffs = await handoff_metrics.period_handoff_figures(session, period, query.calendar)
    locale = request_locale(request)
    return render(request, "dashboard.html", period=period, first=period.first.isoformat(),
                  last=period.last.isoformat(), cards=dashboard_cards.cards(figures, locale),
                  handoff_cards=dashboard_cards.handoff_cards(handoffs, locale),
                  team_csat=handoffs.csat, charts=CHART_TITLES, range_query=period.query())


async def _conversations(session: AsyncSession, query: ChartQuery) -> Drawing:
    return partial(_charts().conversations_chart,
                   await metrics.channel_volume(session, query.period), x=query.texts)


async def _intents(session: AsyncSession, query: ChartQuery) -> Drawing:
    return partial(_charts().intents_chart, await metrics.top_intents(session, query.period),
                   x=query.texts)


async def _response_times(session: AsyncSession, query: ChartQuery) -> Drawing:
    rows = await metrics.ticket_rows(session, query.period, query.now)
    return partial(_charts().response_times_chart, metrics.response_times(rows), x=query.texts)


async def _breaches(session: AsyncSession, query: ChartQuery) -> Drawing:
    rows = await metrics.ticket_rows(session, query.period, query.now)
    return partial(_charts().breaches_chart, metrics.breaches_per_day(rows, query.period),
                   x=query.texts)


async def _csat(session: AsyncSession, query: ChartQuery) -> Drawing:
    rows = await metrics.ticket_rows(session, query.period, query.now)
    return partial(_charts().csat_chart, metrics.csat_summary(rows), x=query.texts)


async def _handoff_intents(session: AsyncSession, query: ChartQuery) -> Drawing:
    return partial(_charts().handoff_intents_chart,
                   await handoff_metrics.handoff_rate_by_intent(session, query.period),
                   x=query.texts)


async def _handoff_response(session: AsyncSession, query: ChartQuery) -> Drawing:
    return partial(_charts().handoff_response_chart, await handoff_metrics.period_handoff_figures(
        session, query.period, query.calendar), x=query.texts)


CHARTS: dict[str, ChartSource] = {
    "conversations": _conversations, "intents": _intents, "response-times": _response_times,
    "breaches": _breaches, "csat": _csat, "handoff-intents": _handoff_intents,
    "handoff-response": _handoff_response,
}


async def chart(request: web.Request) -> web.Response:
    """One chart as SVG; drawn in a thread so the event loop keeps serving."""
    source = CHARTS.get(request.match_info["name"])
    if source is None:
        raise web.HTTPNotFound(text="no such chart")
    query = _chart_query(request, _period_or_400(request))
    async with request.app[DATABASE].transaction() as session:
        drawing = await source(session, query)
    svg = await asyncio.to_thread(drawing)
    return web.Response(text=svg, content_type="image/svg+xml",
                        headers={"Cache-Control": "private, no-store"})


def _period_or_400(request: web.Request) -> ReportPeriod:
    try:
        return _period(request)
    except InvalidPeriod as error:
        raise web.HTTPBadRequest(text=f"Invalid date range: {error}") from None


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, datetime) else str(value)


def tickets_csv(rows: list[TicketRow]) -> str:
    """The tickets as CSV text with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_csv_value(getattr(row, column)) for column in CSV_COLUMNS])
    return buffer.getvalue()


async def export_csv(request: web.Request) -> web.Response:
    """Download one row per ticket created in the range."""
    period = _period_or_400(request)
    async with request.app[DATABASE].transaction() as session:
        rows = await metrics.ticket_rows(session, period, request.app[CLOCK].now())
    name = f"tickets-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    return web.Response(text=tickets_csv(rows), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"',
                                 "Cache-Control": "no-store"})


async def customers(request: web.Request) -> web.Response:
    """Search customers to export or erase their data."""
    query = request.query.get("q", "")
    async with request.app[DATABASE].transaction() as session:
        found = await privacy.search_customers(session, query)
    erased = request.query.get("erased", "")
    return render(request, "customers.html", q=query, customers=found,
                  erased=int(erased) if erased.isascii() and erased.isdigit() else None)


def _customer_id(request: web.Request) -> int:
    return int(request.match_info["customer_id"])


async def export_json(request: web.Request) -> web.Response:
    """Download everything stored about a customer (audited as `privacy_export`)."""
    customer_id = _customer_id(request)
    try:
        async with request.app[DATABASE].transaction() as session:
            document = await privacy.export_customer(
                session, customer_id, request[AGENT].username, request.app[CLOCK].now())
    except privacy.CustomerNotFound:
        raise web.HTTPNotFound(text="no such customer") from None
    return web.Response(
        text=json.dumps(document, indent=2, ensure_ascii=False), content_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="customer-{customer_id}.json"',
                 "Cache-Control": "no-store"})


async def delete_customer(request: web.Request) -> web.Response:
    """Erase a customer's personal data (audited as `privacy_delete`) and go back."""
    customer_id = _customer_id(request)
    form = await request.post()
    if form.get("confirm") != "yes":
        raise web.HTTPBadRequest(text="Tick the confirmation box to erase this customer's data.")
    try:
        async with request.app[DATABASE].transaction() as session:
            await privacy.erase_customer(session, customer_id, request[AGENT].username,
                                         request.app[CLOCK].now())
    except privacy.CustomerNotFound:
        raise web.HTTPNotFound(text="no such customer") from None
    raise web.HTTPSeeOther(f"{BASE}/customers?erased={customer_id}")


def add_routes(app: web.Application) -> None:
    """Supervisor routes under /console/supervisor."""
    app.router.add_get(BASE, dashboard)
    app.router.add_get(BASE + "/charts/{name}.svg", chart)
    app.router.add_get(BASE + "/export.csv", export_csv)
    app.router.add_get(BASE + "/customers", customers)
    app.router.add_get(BASE + r"/customers/{customer_id:\d{1,9}}/export.json", export_json)
    app.router.add_post(BASE + r"/customers/{customer_id:\d{1,9}}/delete", delete_customer)
