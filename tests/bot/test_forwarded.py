"""Client addresses behind a reverse proxy, against the app as `init_app` assembles it: the
per-address limits of the web chat and the console login count the clients a trusted proxy
names in X-Forwarded-For, and nobody else can name themselves. The test client's requests
come from 127.0.0.1, which plays the proxy."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from ipaddress import ip_network
from pathlib import Path

import pytest
from aiohttp import ClientWebSocketResponse, WSMsgType

from bot.config import Settings
from bot.forwarded import MalformedForwardedFor, client_address
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from tests.apps import Client, app_clients

StartApp = Callable[[list[str]], Awaitable[Client]]
SITE = "http://shop.example.com"  # http: the login cookie is not Secure
ALICE, BOB = "203.0.113.10", "198.51.100.20"
_LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')


@pytest.fixture
async def start_app(tmp_path: Path) -> AsyncIterator[StartApp]:
    """Starts the app trusting the given proxies: one chat connection and two failed
    logins per client address; no NLU service is needed."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'forwarded.db'}"
    database = Database(url)
    await upgrade(database)
    await database.close()
    async with app_clients() as start_client:

        async def start(trusted_proxies: list[str]) -> Client:
            return await start_client(Settings(
                database_url=url, nlu_url="http://127.0.0.1:9", public_base_url=SITE,
                trusted_proxies=[ip_network(p) for p in trusted_proxies],
                webchat_max_connections_per_ip=1, console_login_rate="2/minute"), None)

        yield start


async def open_chat(client: Client, forwarded_for: str) -> ClientWebSocketResponse:
    return await client.ws_connect("/chat/ws", headers={
        "Origin": SITE, "X-Forwarded-For": forwarded_for})


async def greeted(ws: ClientWebSocketResponse) -> bool:
    await ws.send_json({"type": "hello", "token": None, "lang": "en"})
    message = await ws.receive(timeout=5)
    return message.type == WSMsgType.TEXT and message.json()["type"] == "welcome"


async def refused_code(ws: ClientWebSocketResponse) -> int | None:
    while (await ws.receive(timeout=5)).type not in (WSMsgType.CLOSE, WSMsgType.CLOSED):
        pass
    return ws.close_code


async def failed_login(client: Client, username: str, forwarded_for: str) -> int:
    headers = {"X-Forwarded-For": forwarded_for}
    page = await client.get("/console/login", headers=headers)
    token = _LOGIN_TOKEN.search(await page.text())
    assert token is not None
    response = await client.post("/console/login", headers=headers, allow_redirects=False,
                                 data={"username": username, "password": "wrong password",
                                       "login_token": token.group(1), "next": ""})
    return response.status


async def test_behind_a_trusted_proxy_each_client_has_its_own_chat_connection_limit(
    start_app: StartApp,
) -> None:
    client = await start_app(["127.0.0.1/32"])
    alice = await open_chat(client, ALICE)
    assert await greeted(alice)
    assert await refused_code(await open_chat(client, ALICE)) == 4429
    bob = await open_chat(client, f"{ALICE}, {BOB}")  # Alice's address, forged by Bob
    assert await greeted(bob)
    await alice.close()
    await bob.close()


@pytest.mark.parametrize("trusted_proxies", [[], ["10.0.0.0/8"]],
                         ids=["no trusted proxies", "the peer is not a trusted proxy"])
async def test_a_forged_forwarded_for_does_not_escape_the_chat_connection_limit(
    start_app: StartApp, trusted_proxies: list[str],
) -> None:
    client = await start_app(trusted_proxies)
    first = await open_chat(client, ALICE)
    assert await greeted(first)
    assert await refused_code(await open_chat(client, BOB)) == 4429
    await first.close()


async def test_behind_a_trusted_proxy_each_client_has_its_own_login_limit(
    start_app: StartApp,
) -> None:
    client = await start_app(["127.0.0.0/8", "::1"])
    statuses = [await failed_login(client, f"guess{n}", ALICE) for n in range(3)]
    assert statuses == [401, 401, 429]
    assert await failed_login(client, "guess3", BOB) == 401


async def test_without_trusted_proxies_a_forged_address_does_not_escape_the_login_limit(
    start_app: StartApp,
) -> None:
    client = await start_app([])
    assert [await failed_login(client, f"guess{n}", ALICE) for n in range(2)] == [401, 401]
    assert await failed_login(client, "guess2", BOB) == 429


@pytest.mark.parametrize("forwarded_for", ["garbage", f"{ALICE}, garbage", "", f"{ALICE}:4711"])
async def test_a_malformed_header_from_a_trusted_proxy_is_refused_with_400(
    start_app: StartApp, forwarded_for: str,
) -> None:
    client = await start_app(["127.0.0.1/32"])
    response = await client.get("/healthz", headers={"X-Forwarded-For": forwarded_for})
    assert response.status == 400
    assert "X-Forwarded-For from a trusted proxy" in await response.text()


async def test_the_proxys_own_requests_without_the_header_are_served(
    start_app: StartApp,
) -> None:
    client = await start_app(["127.0.0.1/32"])
    assert (await client.get("/healthz")).status == 200


TRUSTED = [ip_network("10.0.0.0/8"), ip_network("fd00::/8")]


@pytest.mark.parametrize(("peer", "forwarded_for", "client"), [
    ("10.0.0.2", [ALICE], ALICE),
    ("10.0.0.2", [f"{BOB}, {ALICE}, 10.0.0.3"], ALICE),  # past a second trusted proxy
    ("10.0.0.2", [BOB, ALICE], ALICE),  # repeated header lines are one list
    ("10.0.0.2", ["garbage, 203.0.113.10"], ALICE),  # left of the client: the client's
    ("10.0.0.2", ["10.0.0.7, 10.0.0.3"], "10.0.0.7"),  # all trusted: the leftmost
    ("::ffff:10.0.0.2", [" 2001:DB8::1 "], "2001:db8::1"),
    ("fd00::2", [ALICE], ALICE),
    ("10.0.0.2", [], None),
    ("192.0.2.1", [ALICE], None),  # not a trusted proxy: the header is ignored
    ("", [ALICE], None),  # a Unix socket
])
def test_the_client_is_the_first_untrusted_address_from_the_right(
    peer: str, forwarded_for: list[str], client: str | None,
) -> None:
    assert client_address(peer, forwarded_for, TRUSTED) == client


def test_a_malformed_entry_from_a_trusted_proxy_names_the_entry() -> None:
    with pytest.raises(MalformedForwardedFor, match="has 'unknown', which is not an IP address"):
        client_address("10.0.0.2", [f"{ALICE}, unknown"], TRUSTED)
