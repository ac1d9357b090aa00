"""`outage_status`: current outage and maintenance notices that agents have set."""

from __future__ import annotations

from sqlalchemy import select

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
        if not current:
            turn.say("outage_none")
            return
        items = "\n".join(f"- {a.text} ({turn.when(a.started_at)} GMT)" for a in current)
        turn.say("outage_current", items=items)
