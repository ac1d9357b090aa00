"""`outage_status`: current outage and maintenance notices that agents have set, and, when
support is closed, who can be reached for a calamity and when support opens again."""

from __future__ import annotations

from sqlalchemy import select

from bot.opening import clock_notice
from bot.storage.models import Announcement
from bot.turn import Turn


class OutageStatus:
    name = "outage_status"

    async def run(self, turn: Turn) -> None:
        result = await turn.session.execute(
            select(Announcement).where(Announcement.ended_at.is_(None))
            .order_by(Announcement.started_at)
        )
        current = result.scalars().all()
        if current:
            items = "\n".join(f"- {a.text} ({turn.when(a.started_at)})" for a in current)
            turn.say("outage_current", items=items)
        else:
            turn.say("outage_none")
        notice = clock_notice(turn)
        if notice:
            turn.say_text(notice)
