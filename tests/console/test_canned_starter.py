"""The starter set of canned replies: in Dutch, German and English from the first start,
filled with the company's own details, added once (deleted replies stay deleted)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import delete, func, select

from bot.config import CompanySettings
from bot.storage.database import Database
from bot.storage.models import CannedReply
from console.canned_starter import add_starter_set, starter_replies
from tests.console.helpers import login

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_every_language_has_the_same_starter_replies_with_the_company_filled_in() -> None:
    replies = starter_replies(CompanySettings(company_name="Acme Printing").placeholders())
    per_language = {lang: [r for r in replies if r[0] == lang] for lang in ("nl", "de", "en")}
    assert len({len(rows) for rows in per_language.values()}) == 1
    assert len(per_language["en"]) >= 5
    assert all("{" not in text for _, _, text in replies)
    assert sum("Acme Printing" in text for _, _, text in replies) == 3


async def test_the_starter_set_is_added_once_and_deleted_replies_stay_deleted(
    database: Database,
) -> None:
    values = CompanySettings().placeholders()
    assert await add_starter_set(database, values, NOW) == len(starter_replies(values))
    async with database.transaction() as session:
        await session.execute(delete(CannedReply))
    assert await add_starter_set(database, values, NOW) == 0
    async with database.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(CannedReply))
                ).scalar() == 0


async def test_a_fresh_console_offers_german_canned_replies(
    client: TestClient[Any, Any],
) -> None:
    await login(client, "ann")
    replies = (await (await client.get("/console/api/canned?lang=de")).json())["replies"]
    assert "Seriennummer erfragen" in [reply["title"] for reply in replies]
    assert {reply["language"] for reply in replies} == {"de"}
