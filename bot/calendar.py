"""Business calendar: opening hours, holidays and the deadlines the policy derives from them.

The support policy states opening hours in GMT, which is treated as UTC all year
(no daylight-saving shift). Every datetime accepted must be timezone-aware; results
are always in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import holidays

__all__ = [
    "BusinessCalendar",
    "NaiveDatetimeError",
    "PolicyTargets",
    "TicketDeadlines",
    "complaint_deadlines",
    "ticket_deadlines",
]

_CLOSURE = "closure"
_HOLIDAY_LANGUAGE = "en_US"  # pinned so names do not depend on the server's locale
# The `holidays` language for each conversation language; English where a country's data
# has no names in the customer's language (e.g. Dutch holidays in German).
_LANGUAGE_OF = {"nl": "nl", "de": "de", "en": "en_US"}
_HOME_COUNTRY = {"nl": "NL", "de": "DE", "en": "US"}
_ONE_DAY = timedelta(days=1)


class NaiveDatetimeError(ValueError):
    """Raised when a datetime without a timezone is passed to the calendar."""


def _to_utc(moment: datetime, name: str) -> datetime:
    """Return `moment` in UTC, rejecting naive datetimes."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{name} must be timezone-aware (UTC), got naive datetime {moment.isoformat()}"
        )
    return moment.astimezone(UTC)


def _to_date(day: date) -> date:
    """Return `day` as a plain date; a datetime is first converted to UTC."""
    if isinstance(day, datetime):
        return _to_utc(day, "day").date()
    return day


def _check_non_negative(amount: timedelta, name: str) -> None:
    """Reject negative durations: the calendar only moves forward."""
    if amount < timedelta(0):
        raise ValueError(f"{name} must not be negative, got {amount}")


class BusinessCalendar:
    """Opening hours Mon-Fri 06:00-22:00 GMT, public holidays and extra closures closed."""

    def __init__(
        self,
        country: str = "NL",
        extra_closures: Iterable[date] = (),
        opens: time = time(6),
        closes: time = time(22),
    ) -> None:
        """Create a calendar for `country`'s public holidays.

        Args:
            country: ISO 3166 country code understood by the `holidays` library.
            extra_closures: Additional closed days (company events, bridge days).
            opens: Daily opening time, naive and in GMT/UTC.
            closes: Daily closing time, naive, in GMT/UTC and after `opens`.

        Raises:
            ValueError: If the country is unknown or the opening hours are invalid.
        """
        if opens.tzinfo is not None or closes.tzinfo is not None:
            raise ValueError("opens and closes must be naive times in GMT/UTC")
        if not opens < closes:
            raise ValueError(f"opens ({opens}) must be before closes ({closes})")
        try:
            holidays.country_holidays(country, years=[])
        except NotImplementedError as exc:
            raise ValueError(f"no public-holiday data for country {country!r}") from exc
        self.country = country
        self.extra_closures = frozenset(_to_date(day) for day in extra_closures)
        self.opens = opens
        self.closes = closes
        self._holidays_by_year: dict[int, Mapping[date, str]] = {}
        self._names: dict[tuple[str, int, str], Mapping[date, str] | None] = {}

    def _public_holidays(self, year: int) -> Mapping[date, str]:
        """Return the public holidays of `year`, computing each year once."""
        cached = self._holidays_by_year.get(year)
        if cached is None:
            found = holidays.country_holidays(self.country, years=year, language=_HOLIDAY_LANGUAGE)
            cached = self._holidays_by_year[year] = dict(found)
        return cached

    def holiday_name(self, day: date) -> str | None:
        """Return the public holiday's name, "closure" for an extra closure, else None."""
        day = _to_date(day)
        name = self._public_holidays(day.year).get(day)
        if name is not None:
            return name
        return _CLOSURE if day in self.extra_closures else None

    def holiday_name_in(self, day: date, lang: str) -> str | None:
        """Return the public holiday's name in `lang` (nl, de, en).

        Where the country's data has no names in `lang` (Dutch holidays in German), a
        holiday that the language's home country shares on that date (Christmas Day) takes
        its name from there; any other is named in English. None if no public holiday."""
        english = self.holiday_name(day)
        if english in (None, _CLOSURE):
            return None
        day = _to_date(day)
        language = _LANGUAGE_OF.get(lang, _HOLIDAY_LANGUAGE)
        own = self._names_of(self.country, day.year, language)
        if own is not None:
            return own.get(day) or english
        home = _HOME_COUNTRY.get(lang, self.country)
        shared = self._names_of(home, day.year, _HOLIDAY_LANGUAGE)
        translated = self._names_of(home, day.year, language)
        if shared is not None and translated is not None and shared.get(day) == english:
            return translated.get(day) or english
        return english

    def _names_of(self, country: str, year: int, language: str) -> Mapping[date, str] | None:
        """Holiday names of `country` in `language`, or None if its data lacks the language."""
        key = (country, year, language)
        if key not in self._names:
            supported = holidays.country_holidays(country, years=[]).supported_languages
            self._names[key] = (dict(holidays.country_holidays(country, years=year,
                                                               language=language))
                                if language in supported else None)
        return self._names[key]

    def is_working_day(self, day: date) -> bool:
        """Return whether `day` is a weekday that is neither a holiday nor a closure."""
        day = _to_date(day)
        return day.weekday() < 5 and self.holiday_name(day) is None

    def _window(self, day: date) -> tuple[datetime, datetime]:
        """Return the opening and closing moments of `day` (ignoring whether it is open)."""
        return (
            datetime.combine(day, self.opens, tzinfo=UTC),
            datetime.combine(day, self.closes, tzinfo=UTC),
        )

    def _next_working_day(self, day: date) -> date:
        """Return the first working day strictly after `day`."""
        day += _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def is_open(self, moment: datetime) -> bool:
        """Return whether support is open at `moment`; the interval is [opens, closes)."""
        moment = _to_utc(moment, "moment")
        return self.is_working_day(moment.date()) and self.opens <= moment.time() < self.closes

    def next_opening(self, moment: datetime) -> datetime:
        """Return `moment` if open, else the start of the next open period."""
        moment = _to_utc(moment, "moment")
        if self.is_open(moment):
            return moment
        day = moment.date()
        if self.is_working_day(day) and moment.time() < self.opens:
            return self._window(day)[0]
        return self._window(self._next_working_day(day))[0]

    def current_close(self, moment: datetime) -> datetime | None:
        """Return the end of the open period containing `moment`, or None if closed."""
        moment = _to_utc(moment, "moment")
        if not self.is_open(moment):
            return None
        return self._window(moment.date())[1]

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """Return the moment `amount` of open time after `start`.

        The clock starts at `next_opening(start)`. A result that uses up an open
        period exactly is that period's closing time, not the next opening.
        """
        _check_non_negative(amount, "amount")
        current = self.next_opening(_to_utc(start, "start"))
        remaining = amount
        while True:
            closing = self._window(current.date())[1]
            if current + remaining <= closing:
                return current + remaining
            remaining -= closing - current
            current = self.next_opening(closing)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Return the open time within [start, end), or zero if `end` is not after `start`."""
        start, end = _to_utc(start, "start"), _to_utc(end, "end")
        total = timedelta(0)
        day = start.date()
        while day <= end.date():
            if self.is_working_day(day):
                opening, closing = self._window(day)
                overlap = min(end, closing) - max(start, opening)
                total += max(overlap, timedelta(0))
            day += _ONE_DAY
        return total

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """Return the same time of day `days` working days after `next_opening(start)`."""
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        clock_start = self.next_opening(_to_utc(start, "start"))
        day = clock_start.date()
        for _ in range(days):
            day = self._next_working_day(day)
        return datetime.combine(day, clock_start.time(), tzinfo=UTC)

    def callback_due(
        self, requested: datetime, within: timedelta = timedelta(minutes=10)
    ) -> datetime:
        """Return when a callback asked for at `requested` must be made.

        During opening hours that is `within` later, even past closing time (the late
        shift makes callbacks accepted during hours); outside them it is the next opening.
        """
        _check_non_negative(within, "within")
        requested = _to_utc(requested, "requested")
        if self.is_open(requested):
            return requested + within
        return self.next_opening(requested)


@dataclass(frozen=True)
class PolicyTargets:
    """Response targets from the support policy (sections 3, 4 and 9).

    Durations count working time unless the field name or comment says otherwise.
    """

    first_response: timedelta = timedelta(minutes=5)
    resolution: timedelta = timedelta(hours=5)
    email_answer: timedelta = timedelta(hours=2)
    sales_answer: timedelta = timedelta(days=2)  # calendar days: a complete answer (a quote)
    phone_follow_up: timedelta = timedelta(hours=24)
    complaint_ack_working_days: int = 2
    complaint_handling: timedelta = timedelta(days=14)  # calendar days
    callback: timedelta = timedelta(minutes=10)


_DEFAULT_TARGETS = PolicyTargets()


@dataclass(frozen=True)
class TicketDeadlines:
    """When a chat or ticket must get its first response and its resolution."""

    first_response_due: datetime
    resolution_due: datetime


def ticket_deadlines(
    calendar: BusinessCalendar, created: datetime, targets: PolicyTargets = _DEFAULT_TARGETS
) -> TicketDeadlines:
    """Return the first-response and resolution deadlines of a ticket created at `created`."""
    return TicketDeadlines(
        first_response_due=calendar.add_working_time(created, targets.first_response),
        resolution_due=calendar.add_working_time(created, targets.resolution),
    )


def complaint_deadlines(
    calendar: BusinessCalendar, received: datetime, targets: PolicyTargets = _DEFAULT_TARGETS
) -> tuple[datetime, datetime]:
    """Return (acknowledge_due, handling_due) for a complaint received at `received`.

    Acknowledgement counts working days; handling counts calendar days from receipt.
    """
    received = _to_utc(received, "received")
    acknowledge_due = calendar.add_working_days(received, targets.complaint_ack_working_days)
    return acknowledge_due, received + targets.complaint_handling
