"""The NLU service goes away and comes back: while it is down a customer gets the bot's
graceful reply and the message is kept; once it is back, answers are normal again.

The app reaches the real NLU service through a small TCP proxy that the test switches off
(the port refuses connections and open keep-alive connections are cut) and on again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bot.storage.models import Message
from tests.fakes.telegram_api import text_update
from tests.faults.conftest import SECRET_HEADER, TELEGRAM_SECRET, Stack, StartStack
from tests.faults.proxy import SwitchableProxy

CATALOGUE = Path(__file__).resolve().parents[2] / "bot" / "catalogue" / "en.yml"


@pytest.fixture
async def proxy(nlu_service: tuple[str, str]) -> AsyncIterator[SwitchableProxy]:
    switch = SwitchableProxy(nlu_service[0])
    await switch.up()
    yield switch
    await switch.down()


async def _ask(stack: Stack, update_id: int, chat_id: int, text: str) -> str:
    """Post a Telegram message and return the bot's first answer in that chat."""
    before = len(stack.telegram.calls_of("sendMessage"))
    update = text_update(update_id, chat_id, text, language_code="en")
    response = await stack.client.post("/webhooks/telegram", json=update,
                                       headers={SECRET_HEADER: TELEGRAM_SECRET})
    assert response.status == 200
    calls = await stack.telegram.wait_for("sendMessage", count=before + 1, timeout=15)
    answers = [c.params["text"] for c in calls[before:] if c.params["chat_id"] == chat_id]
    assert answers, f"no answer in chat {chat_id}"
    return str(answers[0])


async def test_nlu_outage_gets_the_graceful_reply_and_answers_resume_after_it(
    start_stack: StartStack, nlu_service: tuple[str, str], proxy: SwitchableProxy,
) -> None:
    nlu_down_text = " ".join(yaml.safe_load(CATALOGUE.read_text())["nlu_down"].split())
    stack = await start_stack(proxy.url, nlu_service[1], nlu_timeout_s=2.0)

    await proxy.down()
    during = await _ask(stack, 5001, 8801, "when are you open on saturday?")
    assert " ".join(during.split()) == nlu_down_text
    async with stack.database.sessions() as session:
        kept = (await session.execute(select(Message).where(
            Message.direction == "in", Message.text == "when are you open on saturday?",
        ))).scalar_one()
    assert kept.processed_at is not None and kept.intent is None

    await proxy.up()
    after = await _ask(stack, 5002, 8802, "when are you open on saturday?")
    assert " ".join(after.split()) != nlu_down_text
    assert "06:00" in after, after
