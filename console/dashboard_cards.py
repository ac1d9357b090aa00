"""The dashboard's headline figures as (label, value, detail) texts in the supervisor's
language: plural forms from the catalogue ("1 answer", "2 answers") and numbers and
percentages formatted for the locale."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations

from console.handoff_metrics import HandoffFigures
from console.i18n import translations
from console.metrics import DashboardFigures, Rate

Card = tuple[str, str, str]


class FigureTexts:
    """Texts and figures in one locale, for the cards and the charts."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.t: NullTranslations = translations(locale)

    def day(self, value: date) -> str:
        """A day on a chart axis: "3 Nov", "3. Nov.", "3 nov"."""
        return format_date(value, "d MMM", locale=self.locale)

    def n_a(self) -> str:
        return self.t.gettext("n/a")

    def percent(self, rate: Rate, pattern: str = "#,##0.0%") -> str:
        if rate.share is None:
            return self.n_a()
        return format_percent(rate.share, pattern, locale=self.locale)

    def minutes(self, value: float | None) -> str:
        if value is None:
            return self.n_a()
        return self.t.gettext("{minutes} min").format(
            minutes=format_decimal(value, "#,##0.0", locale=self.locale))

    def count(self, singular: str, plural: str, n: int, **values: object) -> str:
        return self.t.ngettext(singular, plural, n).format(
            n=format_decimal(n, locale=self.locale), **values)

    def of(self, rate: Rate, singular: str, plural: str) -> str:
        """"3 of 40 conversations": the noun agrees with the whole."""
        return self.count(singular, plural, rate.whole, part=format_decimal(
            rate.part, locale=self.locale))


def cards(figures: DashboardFigures, locale: str) -> list[Card]:
    """The overall figures of the period."""
    x, _ = FigureTexts(locale), translations(locale).gettext
    csat = figures.csat
    breaches = figures.first_response_breaches + figures.resolution_breaches
    return [
        (_("Conversations"), format_decimal(figures.conversations, locale=locale),
         x.count("{n} ticket", "{n} tickets", figures.tickets)),
        (_("Handoff rate"), x.percent(figures.handoff),
         x.of(figures.handoff, "{part} of {n} conversation", "{part} of {n} conversations")),
        (_("Fallback rate"), x.percent(figures.fallback),
         x.of(figures.fallback, "{part} of {n} inbound message",
              "{part} of {n} inbound messages")),
        (_("Median first response"), x.minutes(figures.median_first_response),
         _("{percent} within target (5 min)").format(
             percent=x.percent(figures.first_response_within))),
        (_("SLA breaches"), format_decimal(breaches, locale=locale),
         _("{first} first response, {resolution} resolution").format(
             first=figures.first_response_breaches, resolution=figures.resolution_breaches)),
        (_("CSAT"), x.n_a() if csat.average is None
         else format_decimal(csat.average, "0.00", locale=locale) + " / 5",
         x.count("{n} answer", "{n} answers", csat.count)),
    ]


def handoff_cards(figures: HandoffFigures, locale: str) -> list[Card]:
    """The handoff figures; rates are of all handoffs."""
    x, _ = FigureTexts(locale), translations(locale).gettext
    answered = len(figures.response_minutes)
    return [
        (_("Handoff to first response"), x.minutes(figures.median_response),
         x.count("median working time; p90 {p90}, {n} answered",
                 "median working time; p90 {p90}, {n} answered", answered,
                 p90=x.minutes(figures.p90_response))),
        (_("Queue abandonment"), x.percent(figures.abandoned),
         x.of(figures.abandoned, "{part} of {n} handoff left before a reply",
              "{part} of {n} handoffs left before a reply")),
        (_("Queue timeouts"), x.percent(figures.timed_out),
         x.of(figures.timed_out, "{part} of {n} handoff offered alternatives",
              "{part} of {n} handoffs offered alternatives")),
        (_("Reopen rate"), x.percent(figures.reopened),
         x.of(figures.reopened, "{part} of {n} handoff reopened",
              "{part} of {n} handoffs reopened")),
    ]
