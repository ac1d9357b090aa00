"""The range of whole UTC days a supervisor report covers, read from `from`/`to`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement

MAX_DAYS = 366
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class InvalidPeriod(ValueError):
    """A date range that cannot be reported on (bad date, reversed or too long)."""


@dataclass(frozen=True)
class ReportPeriod:
    """Whole UTC days from `first` to `last`, both included."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.last + timedelta(days=1), time(), UTC)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def query(self) -> str:
        """The period as a query string for links."""
        return f"from={self.first.isoformat()}&to={self.last.isoformat()}"


def parse_period(first: str | None, last: str | None, today: date,
                 default_days: int = 14) -> ReportPeriod:
    """Read `from`/`to` (YYYY-MM-DD); missing ones default to the last `default_days` days."""
    end = _parse_day(last, "to") if last else today
    if end == date.max:  # the period ends at the first instant after `end`
        raise InvalidPeriod(f"'to' must be before {date.max.isoformat()}")
    try:
        start = _parse_day(first, "from") if first else end - timedelta(days=default_days - 1)
    except OverflowError:
        raise InvalidPeriod(f"'to' ({end}) leaves no room for the default range") from None
    if start > end:
        raise InvalidPeriod(f"'from' ({start}) is after 'to' ({end})")
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidPeriod(f"the range is longer than {MAX_DAYS} days")
    return ReportPeriod(start, end)


def _parse_day(text: str, name: str) -> date:
    try:
        if not _ISO_DAY.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidPeriod(f"'{name}' must be a date as YYYY-MM-DD, got {text!r}") from None


def within(column: Any, period: ReportPeriod) -> ColumnElement[bool]:
    """A condition: the column's instant lies inside the period."""
    return (column >= period.start) & (column < period.end)  # type: ignore[no-any-return]
