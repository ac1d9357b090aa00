"""The report period: whole UTC days read from `from`/`to`, with a default range and a
clear refusal of bad or reversed dates and of ranges over a year."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from console.periods import InvalidPeriod, parse_period


def test_period_defaults_to_the_last_fourteen_days() -> None:
    period = parse_period(None, None, date(2026, 3, 5))
    assert (period.first, period.last) == (date(2026, 2, 20), date(2026, 3, 5))
    assert period.query() == "from=2026-02-20&to=2026-03-05"
    assert period.end == datetime(2026, 3, 6, tzinfo=UTC)


@pytest.mark.parametrize(("first", "last"), [
    ("2026-13-01", None), ("yesterday", None), ("2026-3-1", None), ("20260301", None),
    ("2026-03-05", "2026-03-01"), ("2024-01-01", "2026-03-01"),
])
def test_bad_periods_are_refused(first: str, last: str | None) -> None:
    with pytest.raises(InvalidPeriod):
        parse_period(first, last, date(2026, 3, 5))
