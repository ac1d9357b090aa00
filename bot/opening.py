"""What a customer is told about the clock: why support is closed right now (night,
weekend, which public holiday), the emergency line for calamities and when support opens
again, in their language and local time. Every time-dependent answer uses these texts."""

from __future__ import annotations

import re
from datetime import UTC, timedelta

from bot.turn import Turn

# Open support closing within this long gets a word that it is about to close.
CLOSING_SOON = timedelta(minutes=30)


def closed_reason(turn: Turn) -> str | None:
    """Why support is closed at `turn.now` (a short clause), or None when it is open."""
    calendar = turn.services.calendar
    if calendar.is_open(turn.now):
        return None
    today = turn.now.astimezone(UTC).date()  # the calendar counts days in GMT
    holiday = calendar.holiday_name_in(today, turn.lang)
    if holiday:
        return turn.t("closed_reason_holiday", holiday=holiday)
    if calendar.holiday_name(today):
        return turn.t("closed_reason_closure")
    if today.weekday() >= 5:
        return turn.t("closed_reason_weekend")
    return turn.t("closed_reason_night")


def closed_notice(turn: Turn) -> str | None:
    """The whole notice for a closed moment: reason, emergency line, next opening."""
    reason = closed_reason(turn)
    if reason is None:
        return None
    opening = turn.services.calendar.next_opening(turn.now)
    return turn.t("closed_now", reason=reason, opening=turn.when(opening))


def closing_soon_notice(turn: Turn) -> str | None:
    """A word that support closes shortly, with the next opening; None otherwise."""
    calendar = turn.services.calendar
    closing = calendar.current_close(turn.now)
    if closing is None or closing - turn.now > CLOSING_SOON:
        return None
    return turn.t("closing_soon", closing=turn.time_of_day(closing),
                  opening=turn.when(calendar.next_opening(closing)))


def clock_notice(turn: Turn) -> str | None:
    """The notice that fits the moment: closed, closing soon, or none while open."""
    return closed_notice(turn) or closing_soon_notice(turn)


# Something is down, or the customer wants someone now: while support is closed, that the
# emergency line is the way comes first, before any article.
_URGENT = re.compile(
    r"\b(down|outage|emergency|urgent|not reachable|who can i call|"
    r"ausgefallen|ausfall|störung|stoerung|notfall|dringend|nicht erreichbar|"
    r"wen kann ich anrufen|storing|plat|valt uit|noodgeval|calamiteit|spoed|"
    r"wie kan ik bellen)\b", re.IGNORECASE)


def urgent_notice(turn: Turn) -> str | None:
    """The closed (or closing) notice for a message about something down or wanting
    someone now; None when support is open or the message is not urgent."""
    return clock_notice(turn) if _URGENT.search(turn.text) else None
