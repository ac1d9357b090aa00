"""Console access against the real app: argon2 hashes, the session cookie, login CSRF and
rate limit, redirects, roles, CSRF on state changes, logout and WebSocket origins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import WSServerHandshakeError
from aiohttp.test_utils import TestClient, TestServer
from argon2 import PasswordHasher
from sqlalchemy import select, update
from yarl import URL

from bot.clock import FrozenClock
from bot.config import Settings
from bot.storage.database import Database
from bot.storage.models import Agent, AgentSession, AuditEntry
from console.agents import AgentError, DuplicateAgent, authenticate, create_agent, deactivate
from console.auth import safe_next
from console.passwords import PasswordTooShort
from tests.console.helpers import PASSWORD, login, make_agent, post_login
from wiring.app import init_app

Client = TestClient[Any, Any]
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
async def client(console_db: Database, clock: FrozenClock) -> AsyncIterator[Client]:
    settings = Settings(database_url=console_db.url, nlu_url="http://127.0.0.1:9",
                        console_login_rate="5/minute", console_session_hours=12.0)
    test_client: Client = TestClient(TestServer(init_app(settings, clock)))
    await test_client.start_server()
    yield test_client
    await test_client.close()


# Agents and passwords, on SQLite and PostgreSQL


async def test_stored_hash_is_argon2id_and_not_the_password(database: Database) -> None:
    agent = await create_agent(database, "ann", PASSWORD, role="agent")
    assert agent.password_hash.startswith("$argon2id$")
    assert PASSWORD not in agent.password_hash


async def test_only_the_right_password_of_an_active_agent_authenticates(
    database: Database,
) -> None:
    await make_agent(database, "ann")
    assert (await authenticate(database, "ann", PASSWORD)) is not None
    assert await authenticate(database, "ann", "wrong horse battery") is None
    assert await authenticate(database, "nobody", PASSWORD) is None
    await deactivate(database, "ann")
    assert await authenticate(database, "ann", PASSWORD) is None


async def test_a_duplicate_name_a_bad_role_and_a_short_password_are_refused(
    database: Database,
) -> None:
    await make_agent(database, "ann")
    with pytest.raises(DuplicateAgent):
        await make_agent(database, "ann", role="supervisor")
    with pytest.raises(AgentError):
        await create_agent(database, "bob", PASSWORD, role="admin")
    with pytest.raises(PasswordTooShort):
        await create_agent(database, "bob", "short")


async def test_a_hash_with_outdated_parameters_is_replaced_at_login(database: Database) -> None:
    await make_agent(database, "ann")
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    async with database.transaction() as session:
        await session.execute(update(Agent).values(password_hash=weak))
    assert await authenticate(database, "ann", PASSWORD) is not None
    async with database.sessions() as session:
        stored = (await session.execute(select(Agent.password_hash))).scalar_one()
    assert stored != weak and not PasswordHasher().check_needs_rehash(stored)


def test_only_relative_console_paths_are_followed_after_login() -> None:
    assert safe_next("/console/tickets/4?tab=notes") == "/console/tickets/4?tab=notes"
    for target in ("https://evil.example", "//evil.example/console", "/\\evil.example",
                   "/consolex", "/kb", "", "javascript:alert(1)", "/console\r\nX: y"):
        assert safe_next(target) == "/console", target


# Login and the session cookie


async def test_login_sets_an_httponly_strict_session_cookie_and_audits(
    client: Client, console_db: Database,
) -> None:
    response = await post_login(client, "ann", next_path="/console/callbacks")
    assert response.status == 302
    assert response.headers["Location"] == "/console/callbacks"
    cookie = next(c for c in response.headers.getall("Set-Cookie")
                  if c.startswith("sb_console="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/console" in cookie
    me = await (await client.get("/console/api/me")).json()
    assert me["username"] == "ann" and me["role"] == "agent" and me["csrf_token"]
    async with console_db.sessions() as session:
        token_hash = (await session.execute(select(AgentSession.token_hash))).scalar_one()
        actions = (await session.execute(select(AuditEntry.action))).scalars().all()
    assert cookie.split(";")[0].split("=", 1)[1] not in token_hash
    assert "agent login" in actions


async def test_a_wrong_password_is_401_with_a_message_and_no_session(client: Client) -> None:
    response = await post_login(client, "ann", password="wrong horse battery")
    assert response.status == 401
    assert "Wrong username or password" in await response.text()
    assert not any(c.startswith("sb_console=") for c in response.headers.getall("Set-Cookie", []))
    assert (await client.get("/console/api/me")).status == 401


async def test_the_sixth_failed_attempt_is_rate_limited(client: Client) -> None:
    statuses = [(await post_login(client, "ann", password=f"wrong password {n}")).status
                for n in range(6)]
    assert statuses == [401] * 5 + [429]
    blocked = await post_login(client, "ann")  # even the right password waits now
    assert blocked.status == 429
    assert "Too many login attempts; try again in a minute" in await blocked.text()


async def test_a_login_post_without_the_form_token_is_refused(client: Client) -> None:
    response = await client.post("/console/login", allow_redirects=False,
                                 data={"username": "ann", "password": PASSWORD})
    assert response.status == 403
    assert (await client.get("/console/api/me")).status == 401


async def test_next_pointing_at_another_site_goes_to_the_console(client: Client) -> None:
    response = await post_login(client, "ann", next_path="https://evil.example")
    assert response.status == 302 and response.headers["Location"] == "/console"


async def test_the_session_ends_after_the_configured_hours(client: Client,
                                                           clock: FrozenClock) -> None:
    await login(client, "ann")
    clock.advance(timedelta(hours=12, seconds=1))
    assert (await client.get("/console/api/me")).status == 401


async def test_a_deactivated_agent_is_logged_out(client: Client, console_db: Database) -> None:
    await login(client, "ann")
    await deactivate(console_db, "ann")
    assert (await client.get("/console/api/me")).status == 401


# What the middleware lets through


async def test_a_logged_out_page_redirects_to_login_with_next(client: Client) -> None:
    response = await client.get("/console", allow_redirects=False)
    assert response.status == 302
    location = URL(response.headers["Location"])
    assert location.path == "/console/login" and location.query["next"] == "/console"
    deep = await client.get("/console/callbacks?day=2026-11-24&mine=1", allow_redirects=False)
    assert URL(deep.headers["Location"]).query["next"] == "/console/callbacks?day=2026-11-24&mine=1"
    form = await client.get(deep.headers["Location"])
    assert 'name="next" value="/console/callbacks?day=2026-11-24&amp;mine=1"' in await form.text()


async def test_a_logged_out_api_call_is_401_json(client: Client) -> None:
    response = await client.get("/console/api/queue")
    assert response.status == 401
    assert await response.json() == {"error": "login required"}


async def test_the_supervisor_page_is_only_for_supervisors(client: Client) -> None:
    await login(client, "ann")
    refused = await client.get("/console/supervisor", allow_redirects=False)
    assert refused.status == 403 and "Supervisors only" in await refused.text()
    api = await client.get("/console/api/supervisor/metrics")
    assert api.status == 403 and await api.json() == {"error": "Supervisors only"}
    client.session.cookie_jar.clear()
    await login(client, "sue")
    assert (await client.get("/console/supervisor", allow_redirects=False)).status != 403


async def test_a_state_change_needs_the_csrf_token(client: Client) -> None:
    csrf = await login(client, "ann")
    refused = await client.post("/console/api/anything", json={})
    assert refused.status == 403
    assert await refused.json() == {"error": "CSRF token missing or wrong"}
    wrong = await client.post("/console/api/anything", headers={"X-CSRF-Token": "x" + csrf})
    assert wrong.status == 403
    passed = await client.post("/console/api/anything", headers={"X-CSRF-Token": csrf})
    assert passed.status == 404  # through the middleware; no such route


async def test_logout_needs_the_csrf_token_and_then_ends_the_session(client: Client) -> None:
    csrf = await login(client, "ann")
    old_cookie = client.session.cookie_jar.filter_cookies(client.make_url("/console"))
    refused = await client.post("/console/logout", allow_redirects=False)
    assert refused.status == 403
    assert (await client.get("/console/api/me")).status == 200
    done = await client.post("/console/logout", data={"csrf_token": csrf},
                             allow_redirects=False)
    assert done.status == 302 and done.headers["Location"] == "/console/login"
    assert (await client.get("/console/api/me")).status == 401
    client.session.cookie_jar.update_cookies(old_cookie)
    assert (await client.get("/console/api/me")).status == 401


async def test_a_cross_site_websocket_upgrade_is_refused(client: Client) -> None:
    await login(client, "ann")
    with pytest.raises(WSServerHandshakeError) as refused:
        await client.ws_connect("/console/ws", headers={"Origin": "https://evil.example"})
    assert refused.value.status == 403


async def test_cookies_are_secure_when_the_site_is_served_over_https(
    console_db: Database,
) -> None:
    settings = Settings(database_url=console_db.url, nlu_url="http://127.0.0.1:9",
                        public_base_url="https://support.example.com")
    async with TestClient(TestServer(init_app(settings))) as https_client:
        page = await https_client.get("/console/login")
        cookie = page.headers["Set-Cookie"]
    assert cookie.startswith("sb_login=") and "Secure" in cookie and "HttpOnly" in cookie
