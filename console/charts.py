"""Server-side SVG charts of the supervisor metrics, drawn with matplotlib's Agg backend
(no pyplot, so no global figure state; one lock because matplotlib is not thread-safe)."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")

from babel.numbers import format_decimal
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from console.dashboard_cards import FigureTexts
from console.handoff_metrics import HandoffFigures, IntentHandoffRate
from console.metrics import (
    FIRST_RESPONSE_TARGET_MINUTES,
    BreachesPerDay,
    ChannelVolume,
    CsatSummary,
    IntentCount,
    ResponseTimes,
)

_LOCK = threading.Lock()
_STYLE: dict[Any, Any] = {"svg.fonttype": "none", "svg.hashsalt": "supportbot",
                          "font.size": 12, "axes.titlesize": 13, "axes.labelsize": 12,
                          "xtick.labelsize": 12, "ytick.labelsize": 12, "legend.fontsize": 12,
                          "axes.spines.top": False, "axes.spines.right": False}
"""Text of at least 12 pt: a chart shown narrower than drawn still reads at 12 px."""
ENGLISH = FigureTexts("en")
COLOURS = ("#2f6db5", "#e07b39", "#3a9c5b", "#b8434a", "#7b5ea7", "#8c8c8c")


def _svg(draw: Callable[[Figure], None], width: float = 7.0, height: float = 3.2) -> str:
    """Draw on a fresh figure and return it as an SVG document."""
    with _LOCK, matplotlib.rc_context(_STYLE):
        figure = Figure(figsize=(width, height), layout="constrained")
        draw(figure)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def _day_axis(axes: Axes, days: list[date], x: FigureTexts) -> None:
    """Label the days along x, thinned out to about 15 labels; counts along y are whole."""
    step = max(1, len(days) // 15)
    positions = list(range(0, len(days), step))
    axes.set_xticks(positions, [x.day(days[p]) for p in positions], rotation=60)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))


def _empty(figure: Figure, message: str) -> None:
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.text(0.5, 0.5, message, ha="center", va="center", color="#666666")


def conversations_chart(volume: ChannelVolume, x: FigureTexts = ENGLISH) -> str:
    """Stacked bars: new conversations per channel per day."""
    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        positions = list(range(len(volume.days)))
        bottom = [0] * len(positions)
        for (channel, counts), colour in zip(volume.counts.items(), _cycle(), strict=False):
            axes.bar(positions, counts, bottom=bottom, label=channel, color=colour)
            bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
        axes.set_title(x.count("Conversations per channel per day ({n} in total)",
                               "Conversations per channel per day ({n} in total)",
                               volume.total))
        axes.set_ylabel(x.t.gettext("conversations"))
        _day_axis(axes, volume.days, x)
        if volume.counts:
            axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return _svg(draw)


def _cycle() -> list[str]:
    return list(COLOURS) * 4


def intents_chart(intents: list[IntentCount], x: FigureTexts = ENGLISH) -> str:
    """Horizontal bars: the most frequent intents of inbound messages."""
    def draw(figure: Figure) -> None:
        if not intents:
            _empty(figure, x.t.gettext("No classified messages in this period"))
            return
        axes = figure.add_subplot()
        names = [item.intent for item in reversed(intents)]
        axes.barh(names, [item.count for item in reversed(intents)], color=COLOURS[0])
        axes.set_title(x.t.gettext("Top intents of inbound messages"))
        axes.set_xlabel(x.t.gettext("messages"))
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _svg(draw)


def response_times_chart(times: ResponseTimes, x: FigureTexts = ENGLISH) -> str:
    """First response (histogram, 5-minute target) and resolution against each allowance."""
    def draw(figure: Figure) -> None:
        first, resolution = figure.subplots(1, 2)
        if times.first_response:
            first.hist(times.first_response, bins=20, color=COLOURS[0])
        first.axvline(FIRST_RESPONSE_TARGET_MINUTES, color=COLOURS[3], linestyle="--",
                      label=x.t.gettext("target 5 min"))
        first.set_title(x.t.gettext("First response: {percent} within target").format(
            percent=x.percent(times.first_response_within, "#,##0%")))
        first.set_xlabel(x.t.gettext("minutes"))
        first.set_ylabel(x.t.gettext("tickets"))
        first.yaxis.set_major_locator(MaxNLocator(integer=True))
        first.legend(frameon=False)
        _resolution_panel(resolution, times, x)
    return _svg(draw, width=8.0)


def _resolution_panel(axes: Axes, times: ResponseTimes, x: FigureTexts) -> None:
    targets = [target for target, _ in times.resolution]
    actuals = [actual for _, actual in times.resolution]
    axes.scatter(targets, actuals, s=12, color=COLOURS[0], label=x.t.gettext("closed ticket"))
    top = max([*targets, *actuals, 1.0])
    axes.plot([0, top], [0, top], color=COLOURS[3], linestyle="--", label=x.t.gettext("target"))
    axes.set_title(x.t.gettext("Resolution: {percent} within target").format(
        percent=x.percent(times.resolution_within, "#,##0%")))
    axes.set_xlabel(x.t.gettext("allowed minutes"))
    axes.set_ylabel(x.t.gettext("taken minutes"))
    axes.legend(frameon=False)


def breaches_chart(breaches: BreachesPerDay, x: FigureTexts = ENGLISH) -> str:
    """Grouped bars: first-response and resolution breaches per day of ticket creation."""
    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        positions = list(range(len(breaches.days)))
        axes.bar([p - 0.2 for p in positions], breaches.first_response, width=0.4,
                 color=COLOURS[1], label=x.t.gettext("first response"))
        axes.bar([p + 0.2 for p in positions], breaches.resolution, width=0.4,
                 color=COLOURS[3], label=x.t.gettext("resolution"))
        _day_axis(axes, breaches.days, x)
        axes.set_title(x.t.gettext("SLA breaches per day (by ticket creation)"))
        axes.set_ylabel(x.t.gettext("tickets"))
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return _svg(draw)


def csat_chart(csat: CsatSummary, x: FigureTexts = ENGLISH) -> str:
    """Bars: how many tickets got each satisfaction score 1-5."""
    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        axes.bar(["1", "2", "3", "4", "5"], csat.distribution, color=COLOURS[2])
        average = x.n_a() if csat.average is None else format_decimal(
            csat.average, "0.00", locale=x.locale)
        axes.set_title(x.count("CSAT: average {average} from {n} answer",
                               "CSAT: average {average} from {n} answers", csat.count,
                               average=average))
        axes.set_xlabel(x.t.gettext("score"))
        axes.set_ylabel(x.t.gettext("answers"))
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    return _svg(draw, width=5.0)


def handoff_intents_chart(rates: list[IntentHandoffRate], x: FigureTexts = ENGLISH) -> str:
    """Horizontal bars: the share of conversations with each intent that were handed off."""
    def draw(figure: Figure) -> None:
        if not rates:
            _empty(figure, x.t.gettext("No classified messages in this period"))
            return
        axes = figure.add_subplot()
        ordered = list(reversed(rates))
        bars = axes.barh([item.intent for item in ordered],
                         [100 * (item.rate.share or 0.0) for item in ordered], color=COLOURS[1])
        axes.bar_label(bars, [f"{item.rate.part}/{item.rate.whole}" for item in ordered],
                       padding=3, fontsize=12)
        axes.set_xlim(0, 110)
        axes.set_title(x.t.gettext(
            "Handoff rate by intent (conversations handed off / with the intent)"))
        axes.set_xlabel(x.t.gettext("% of conversations"))
    return _svg(draw)


def handoff_response_chart(figures: HandoffFigures, x: FigureTexts = ENGLISH) -> str:
    """Histogram of the working minutes from handoff to the first agent response."""
    def draw(figure: Figure) -> None:
        if not figures.response_minutes:
            _empty(figure, x.t.gettext("No handoff was answered in this period"))
            return
        axes = figure.add_subplot()
        axes.hist(figures.response_minutes, bins=20, color=COLOURS[0])
        axes.axvline(FIRST_RESPONSE_TARGET_MINUTES, color=COLOURS[3], linestyle="--",
                     label=x.t.gettext("target 5 min"))
        for value, name, colour in ((figures.median_response, x.t.gettext("median"),
                                     COLOURS[2]),
                                    (figures.p90_response, "p90", COLOURS[4])):
            if value is not None:
                axes.axvline(value, color=colour, linestyle=":",
                             label=f"{name} {x.minutes(value)}")
        axes.set_title(x.count("Handoff to first agent response, working time ({n} answered)",
                               "Handoff to first agent response, working time ({n} answered)",
                               len(figures.response_minutes)))
        axes.set_xlabel(x.t.gettext("working minutes"))
        axes.set_ylabel(x.t.gettext("handoffs"))
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.legend(frameon=False)
    return _svg(draw)
