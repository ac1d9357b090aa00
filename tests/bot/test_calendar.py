"""Tests for bot.calendar: opening hours, holidays and policy deadlines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.calendar import (
    BusinessCalendar,
    NaiveDatetimeError,
    PolicyTargets,
    TicketDeadlines,
    complaint_deadlines,
    ticket_deadlines,
)

# 2026-01-09 is a Friday, 2026-01-12 the Monday after; neither week has NL holidays.
FRIDAY = date(2026, 1, 9)
MONDAY = date(2026, 1, 12)

NL = BusinessCalendar("NL")
PROPERTY = settings(max_examples=200, deadline=None, database=None)

moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """Return `day` at hour:minute UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


# Opening hours


def test_friday_21_59_is_open_until_22_00() -> None:
    assert NL.is_open(at(FRIDAY, 21, 59))
    assert NL.current_close(at(FRIDAY, 21, 59)) == at(FRIDAY, 22)


def test_friday_22_00_is_closed_and_next_opening_is_monday_06_00() -> None:
    assert not NL.is_open(at(FRIDAY, 22))
    assert NL.current_close(at(FRIDAY, 22)) is None
    assert NL.next_opening(at(FRIDAY, 22)) == at(MONDAY, 6)


def test_opening_time_itself_is_open_and_a_minute_before_is_not() -> None:
    assert NL.is_open(at(MONDAY, 6))
    assert NL.next_opening(at(MONDAY, 5, 59)) == at(MONDAY, 6)


def test_next_opening_of_an_open_moment_is_that_moment() -> None:
    assert NL.next_opening(at(FRIDAY, 12, 34)) == at(FRIDAY, 12, 34)


def test_weekend_is_not_a_working_day() -> None:
    assert NL.is_working_day(FRIDAY)
    assert not NL.is_working_day(FRIDAY + timedelta(days=1))
    assert not NL.is_working_day(FRIDAY + timedelta(days=2))


def test_non_utc_moments_are_converted_to_utc() -> None:
    amsterdam_winter = timezone(timedelta(hours=1))
    local_2259 = datetime(2026, 1, 9, 22, 59, tzinfo=amsterdam_winter)  # 21:59 UTC
    assert NL.is_open(local_2259)
    result = NL.next_opening(datetime(2026, 1, 9, 23, 30, tzinfo=amsterdam_winter))
    assert result == at(MONDAY, 6)
    assert result.tzinfo is UTC


# Holidays and closures


@pytest.mark.parametrize(
    ("holiday", "name"),
    [
        (date(2026, 4, 6), "Easter Monday"),
        (date(2026, 5, 25), "Pentecost Monday"),
        (date(2027, 5, 17), "Pentecost Monday"),
    ],
)
def test_holiday_monday_pushes_next_opening_to_tuesday(holiday: date, name: str) -> None:
    saturday = holiday - timedelta(days=2)
    assert holiday.weekday() == 0
    assert NL.holiday_name(holiday) == name
    assert not NL.is_working_day(holiday)
    assert NL.next_opening(at(saturday, 12)) == at(holiday + timedelta(days=1), 6)


def test_easter_2026_closes_thursday_evening_until_tuesday_morning() -> None:
    assert NL.holiday_name(date(2026, 4, 3)) == "Good Friday"
    assert NL.next_opening(at(date(2026, 4, 2), 22)) == at(date(2026, 4, 7), 6)


def test_christmas_2026_closes_friday_and_reopens_monday_28_december() -> None:
    assert NL.holiday_name(date(2026, 12, 25)) == "Christmas Day"
    assert NL.holiday_name(date(2026, 12, 26)) == "Second Day of Christmas"
    assert NL.holiday_name(date(2026, 12, 28)) is None
    assert NL.next_opening(at(date(2026, 12, 24), 22)) == at(date(2026, 12, 28), 6)


def test_extra_closure_is_closed_and_named_closure() -> None:
    calendar = BusinessCalendar("NL", extra_closures=[MONDAY])
    assert calendar.holiday_name(MONDAY) == "closure"
    assert not calendar.is_working_day(MONDAY)
    assert calendar.next_opening(at(FRIDAY, 22)) == at(MONDAY + timedelta(days=1), 6)
    assert NL.is_working_day(MONDAY)


def test_ordinary_day_has_no_holiday_name() -> None:
    assert NL.holiday_name(FRIDAY) is None


def test_holidays_are_available_for_any_year() -> None:
    assert NL.holiday_name(date(2100, 12, 25)) == "Christmas Day"
    assert NL.holiday_name(date(1999, 1, 1)) == "New Year's Day"


# Working time


def test_five_minute_first_response_at_friday_21_59_lands_monday_06_04() -> None:
    assert NL.add_working_time(at(FRIDAY, 21, 59), timedelta(minutes=5)) == at(MONDAY, 6, 4)


def test_working_time_that_ends_exactly_at_closing_is_due_at_closing() -> None:
    assert NL.add_working_time(at(FRIDAY, 21, 55), timedelta(minutes=5)) == at(FRIDAY, 22)


def test_working_time_added_while_closed_starts_at_next_opening() -> None:
    saturday = FRIDAY + timedelta(days=1)
    assert NL.add_working_time(at(saturday, 12), timedelta(hours=5)) == at(MONDAY, 11)


def test_working_time_between_skips_the_weekend() -> None:
    assert NL.working_time_between(at(FRIDAY, 21), at(MONDAY, 7)) == timedelta(hours=2)


def test_working_time_between_is_zero_when_end_is_not_after_start() -> None:
    assert NL.working_time_between(at(MONDAY, 12), at(MONDAY, 12)) == timedelta(0)
    assert NL.working_time_between(at(MONDAY, 12), at(FRIDAY, 12)) == timedelta(0)


def test_negative_amounts_are_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        NL.add_working_time(at(MONDAY, 12), timedelta(minutes=-1))
    with pytest.raises(ValueError, match="negative"):
        NL.add_working_days(at(MONDAY, 12), -1)


# Callbacks


def test_callback_requested_friday_21_55_is_due_22_05() -> None:
    assert NL.callback_due(at(FRIDAY, 21, 55)) == at(FRIDAY, 22, 5)


def test_callback_requested_friday_22_00_is_due_monday_06_00() -> None:
    assert NL.callback_due(at(FRIDAY, 22)) == at(MONDAY, 6)


# Policy deadlines


def test_ticket_created_friday_21_59_gets_first_response_monday_06_04() -> None:
    deadlines = ticket_deadlines(NL, at(FRIDAY, 21, 59))
    assert deadlines == TicketDeadlines(
        first_response_due=at(MONDAY, 6, 4), resolution_due=at(MONDAY, 10, 59)
    )


def test_complaint_received_friday_15_00_is_acknowledged_by_tuesday_15_00() -> None:
    acknowledge_due, handling_due = complaint_deadlines(NL, at(FRIDAY, 15))
    assert acknowledge_due == at(MONDAY + timedelta(days=1), 15)
    assert handling_due == at(FRIDAY + timedelta(days=14), 15)


def test_complaint_received_saturday_is_acknowledged_by_wednesday_06_00() -> None:
    saturday = FRIDAY + timedelta(days=1)
    acknowledge_due, handling_due = complaint_deadlines(NL, at(saturday, 10))
    assert acknowledge_due == at(MONDAY + timedelta(days=2), 6)
    assert handling_due == at(saturday + timedelta(days=14), 10)


def test_policy_targets_match_the_support_policy() -> None:
    targets = PolicyTargets()
    assert targets.first_response == timedelta(minutes=5)
    assert targets.resolution == timedelta(hours=5)
    assert targets.callback == timedelta(minutes=10)
    assert targets.complaint_ack_working_days == 2
    assert targets.complaint_handling == timedelta(days=14)


# Invalid input

NAIVE = datetime(2026, 1, 9, 12)
CALLS_WITH_A_DATETIME: list[Callable[[], object]] = [
    lambda: NL.is_open(NAIVE),
    lambda: NL.next_opening(NAIVE),
    lambda: NL.current_close(NAIVE),
    lambda: NL.add_working_time(NAIVE, timedelta(minutes=5)),
    lambda: NL.working_time_between(NAIVE, at(MONDAY, 6)),
    lambda: NL.working_time_between(at(FRIDAY, 6), NAIVE),
    lambda: NL.add_working_days(NAIVE, 1),
    lambda: NL.callback_due(NAIVE),
    lambda: ticket_deadlines(NL, NAIVE),
    lambda: complaint_deadlines(NL, NAIVE),
]


@pytest.mark.parametrize("call", CALLS_WITH_A_DATETIME)
def test_naive_datetime_is_rejected_with_a_clear_message(call: Callable[[], object]) -> None:
    with pytest.raises(NaiveDatetimeError, match="timezone-aware"):
        call()
    assert issubclass(NaiveDatetimeError, ValueError)


def test_unknown_country_is_rejected() -> None:
    with pytest.raises(ValueError, match="country"):
        BusinessCalendar("XX")


def test_closing_before_opening_is_rejected() -> None:
    with pytest.raises(ValueError, match="before"):
        BusinessCalendar(opens=time(22), closes=time(6))


# Properties


@PROPERTY
@given(start=moments, amount=durations)
def test_added_working_time_ends_open_or_exactly_at_closing(
    start: datetime, amount: timedelta
) -> None:
    due = NL.add_working_time(start, amount)
    at_closing = due.time() == NL.closes and NL.is_open(due - timedelta(microseconds=1))
    assert NL.is_open(due) or at_closing
    assert due >= start


@PROPERTY
@given(start=moments, amount=durations)
def test_working_time_between_undoes_add_working_time(start: datetime, amount: timedelta) -> None:
    assert NL.working_time_between(start, NL.add_working_time(start, amount)) == amount


@PROPERTY
@given(start=moments, first=durations, second=durations)
def test_add_working_time_is_monotonic_in_amount(
    start: datetime, first: timedelta, second: timedelta
) -> None:
    shorter, longer = sorted((first, second))
    assert NL.add_working_time(start, shorter) <= NL.add_working_time(start, longer)


@PROPERTY
@given(moment=moments)
def test_next_opening_is_open_not_earlier_and_skips_no_open_time(moment: datetime) -> None:
    opening = NL.next_opening(moment)
    assert NL.is_open(opening)
    assert opening >= moment
    assert NL.working_time_between(moment, opening) == timedelta(0)


@PROPERTY
@given(start=moments, days=st.integers(min_value=0, max_value=30))
def test_add_working_days_lands_on_a_working_day_at_an_open_moment(
    start: datetime, days: int
) -> None:
    due = NL.add_working_days(start, days)
    assert NL.is_working_day(due.date())
    assert NL.is_open(due)
    assert due.time() == NL.next_opening(start).time()


@PROPERTY
@given(points=st.lists(moments, min_size=3, max_size=3).map(sorted))
def test_working_time_between_adds_up_over_consecutive_intervals(points: list[datetime]) -> None:
    first, middle, last = points
    whole = NL.working_time_between(first, last)
    assert whole == NL.working_time_between(first, middle) + NL.working_time_between(middle, last)
    assert whole <= last - first


def test_a_holiday_is_named_in_the_customers_language_or_else_in_english() -> None:
    calendar = BusinessCalendar("NL")
    christmas = date(2026, 12, 25)
    assert calendar.holiday_name_in(christmas, "nl") == "Eerste kerstdag"
    assert calendar.holiday_name_in(christmas, "en") == "Christmas Day"
    assert calendar.holiday_name_in(christmas, "de") == "Erster Weihnachtstag"  # as in DE
    assert calendar.holiday_name_in(date(2026, 4, 27), "de") == "King's Day"  # only in NL
    assert BusinessCalendar("DE").holiday_name_in(christmas, "de") == "Erster Weihnachtstag"
    assert calendar.holiday_name_in(date(2026, 11, 25), "nl") is None
