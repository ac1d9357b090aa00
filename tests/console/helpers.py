"""Shared steps of console tests: create an agent, log in through the real login form."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient

from bot.storage.database import Database
from console.agents import create_agent

PASSWORD = "correct horse battery"
_LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')


async def make_agent(database: Database, username: str, role: str = "agent",
                     password: str = PASSWORD) -> None:
    """Create an active agent (or supervisor) with that password."""
    await create_agent(database, username, password, role=role,
                       display_name=username.title(), actor="test")


async def login_form_token(client: TestClient[Any, Any]) -> str:
    """Open the login page (which sets the `sb_login` cookie) and return its form token."""
    page = await client.get("/console/login")
    found = _LOGIN_TOKEN.search(await page.text())
    assert found is not None, "the login page has no login_token field"
    return found.group(1)


async def post_login(client: TestClient[Any, Any], username: str, password: str = PASSWORD,
                     next_path: str = "") -> Any:
    """Fill in and post the login form; returns the response without following redirects."""
    token = await login_form_token(client)
    return await client.post("/console/login", allow_redirects=False, data={
        "username": username, "password": password, "login_token": token, "next": next_path})


async def login(client: TestClient[Any, Any], username: str,
                password: str = PASSWORD) -> str:
    """Log in (the client keeps the session cookie) and return the session's CSRF token."""
    response = await post_login(client, username, password)
    assert response.status == 302, await response.text()
    me = await client.get("/console/api/me")
    assert me.status == 200
    token: str = (await me.json())["csrf_token"]
    return token
