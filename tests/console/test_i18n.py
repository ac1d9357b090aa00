"""The console in Dutch, German and English: complete catalogues, the agent's stored
choice (else the browser's language), and the texts the scripts need."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from babel.messages.pofile import read_po

from console.i18n import LOCALE_DIR, js_texts, translate
from tests.console.helpers import login

PLACEHOLDER = re.compile(r"\{\w+\}|%\(\w+\)s")


@pytest.mark.parametrize("locale", ["nl", "de"])
def test_every_console_text_is_translated_with_the_same_placeholders(locale: str) -> None:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "console.po").open("rb") as po:
        catalog = read_po(po, locale=locale)
    with (LOCALE_DIR / "console.pot").open("rb") as pot:
        template = read_po(pot)
    assert {m.id for m in catalog if m.id} == {m.id for m in template if m.id}, \
        "run `make messages` and translate the new texts"
    for message in catalog:
        if not message.id:
            continue
        assert "fuzzy" not in message.flags, message.id
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert string, f"{message.id!r} has no {locale} translation"
            assert set(PLACEHOLDER.findall(string)) == wanted, (message.id, string)


async def test_an_agent_who_chose_german_gets_the_workspace_in_german(
    client: TestClient[Any, Any],
) -> None:
    csrf = await login(client, "ann")
    english = await (await client.get("/console")).text()
    assert '<html lang="en">' in english and "Claim this ticket" in english
    chosen = await client.post("/console/me/locale", data={
        "locale": "de", "next": "/console/canned", "csrf_token": csrf}, allow_redirects=False)
    assert chosen.status == 302 and chosen.headers["Location"] == "/console/canned"
    german = await (await client.get("/console", headers={"Accept-Language": "nl"})).text()
    assert '<html lang="de">' in german and "Dieses Ticket übernehmen" in german
    texts = re.search(r'<script type="application/json" id="console-text">(.*?)</script>',
                      german, re.S)
    assert texts is not None and json.loads(texts.group(1))["Claim"] == "Übernehmen"


async def test_a_language_the_console_does_not_have_is_refused(
    client: TestClient[Any, Any],
) -> None:
    csrf = await login(client, "ann")
    refused = await client.post("/console/me/locale", data={"locale": "fr",
                                                            "csrf_token": csrf})
    assert refused.status == 400 and "nl, de, en" in await refused.text()


async def test_before_choosing_the_browsers_language_is_used(
    client: TestClient[Any, Any],
) -> None:
    page = await client.get("/console/login", headers={"Accept-Language": "nl-NL,nl;q=0.9"})
    assert "Inloggen op de supportconsole" in await page.text()
    assert page.headers["Content-Language"] == "nl"


def test_scripts_get_only_their_own_texts_and_plural_forms_are_kept() -> None:
    texts = js_texts("nl")
    assert texts["New handoff:"] == "Nieuwe doorverwijzing:"
    assert "Export tickets (CSV)" not in texts  # a template text, not a script's
    assert js_texts("en") == {}


def test_views_translate_their_messages_with_placeholders() -> None:
    from aiohttp.test_utils import make_mocked_request

    request = make_mocked_request("GET", "/", headers={"Accept-Language": "de"})
    assert translate(request, "Not saved: {error}", error="x") == "Nicht gespeichert: x"


async def test_a_refused_action_is_explained_in_the_agents_language(
    client: TestClient[Any, Any], console_db: Any,
) -> None:
    from datetime import UTC, datetime

    from tests.console.helpers import add_ticket

    ticket_id = await add_ticket(console_db, datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    csrf = await login(client, "ann")
    await client.post("/console/me/locale", data={"locale": "nl", "csrf_token": csrf})
    refused = await client.post(f"/console/api/tickets/{ticket_id}/reply",
                                json={"text": "Hallo"}, headers={"X-CSRF-Token": csrf})
    assert refused.status == 409
    assert (await refused.json())["error"] == \
        "pak het ticket eerst op (het is open, bij niemand)"
