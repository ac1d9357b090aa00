"""Rate limits across replicas: with Redis, two app processes share one count per client
address (the widget) and per username and address (console logins), so running two does
not double anyone's allowance; without Redis answering, limits still hold per process."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
from collections.abc import AsyncIterator

import aiohttp
import pytest
from limits import parse
from limits.aio.strategies import MovingWindowRateLimiter

from bot.rate_limits import Limiter, async_redis_uri
from tests.bot.test_replicas import REDIS_URL, next_frame, require_redis, shared_database
from tests.conftest import free_port
from tests.process import start_app

__all__ = ["shared_database"]  # the fixture, used here by name
LOGIN_RATE, WIDGET_RATE = 3, 4


@pytest.fixture
async def replicas(shared_database: str,
                   nlu_service: tuple[str, str]) -> AsyncIterator[tuple[str, str]]:
    """Two app processes on one database and one Redis: their base URLs."""
    await require_redis()
    nlu_url, nlu_token = nlu_service
    env = {**os.environ, "SUPPORTBOT_DATABASE_URL": shared_database,
           "SUPPORTBOT_REDIS_URL": REDIS_URL,
           "SUPPORTBOT_REDIS_CHANNEL_PREFIX": f"test-{secrets.token_hex(4)}:",
           "SUPPORTBOT_NLU_URL": nlu_url, "SUPPORTBOT_NLU_TOKEN": nlu_token,
           "SUPPORTBOT_CONSOLE_LOGIN_RATE": f"{LOGIN_RATE}/minute",
           "SUPPORTBOT_WEBCHAT_IP_RATE": f"{WIDGET_RATE}/minute"}
    ports = free_port(), free_port()
    bases = tuple(f"http://127.0.0.1:{port}" for port in ports)
    processes = [await start_app({**env, "SUPPORTBOT_PUBLIC_BASE_URL": base}, port)
                 for base, port in zip(bases, ports, strict=True)]
    try:
        yield bases[0], bases[1]
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
            await process.wait()


async def wrong_login(base: str) -> int:
    """One login with a wrong password from a fresh browser; the response status."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        page = await (await http.get(f"{base}/console/login")).text()
        token = page.split('name="login_token" value="')[1].split('"')[0]
        response = await http.post(f"{base}/console/login", allow_redirects=False, data={
            "username": "bea", "password": "not the password", "login_token": token,
            "next": ""})
        return response.status


async def test_failed_logins_on_two_replicas_share_one_allowance(
        replicas: tuple[str, str]) -> None:
    a_base, b_base = replicas
    statuses = [await wrong_login(a_base if n % 2 else b_base) for n in range(LOGIN_RATE)]
    assert statuses == [401] * LOGIN_RATE
    assert await wrong_login(a_base) == 429
    assert await wrong_login(b_base) == 429


async def test_widget_messages_from_one_address_on_two_replicas_share_one_allowance(
        replicas: tuple[str, str]) -> None:
    async with aiohttp.ClientSession() as http:
        chats = []
        for base in replicas:
            chat = await http.ws_connect(f"{base}/chat/ws", headers={"Origin": base})
            await chat.send_json({"type": "hello", "token": None, "lang": "en"})
            await next_frame(chat, "welcome")
            chats.append(chat)
        for number in range(WIDGET_RATE):  # alternately on A and B: all within the limit
            chat = chats[number % 2]
            await chat.send_json({"type": "message", "id": f"m{number}",
                                  "text": "What are your opening hours?"})
            await next_frame(chat, "ack")
        await chats[0].send_json({"type": "message", "id": "over",
                                  "text": "And on Saturday?"})
        while (await chats[0].receive(timeout=20)).type not in (
                aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
            pass
        assert chats[0].close_code == 4429
        for chat in chats:
            await chat.close()


async def test_limits_are_counted_in_memory_while_redis_does_not_answer() -> None:
    limiter = Limiter(MovingWindowRateLimiter, "redis://127.0.0.1:1/0")
    rate = parse("2/minute")
    answers = [await asyncio.wait_for(limiter.hit(rate, "ip", "192.0.2.7"), 10)
               for _ in range(3)]
    assert limiter.shared and answers == [True, True, False]


def test_a_redis_url_that_is_not_one_is_refused_with_its_value() -> None:
    assert async_redis_uri("redis://127.0.0.1:6379/0") == "async+redis://127.0.0.1:6379/0"
    with pytest.raises(ValueError, match="memcached://x"):
        async_redis_uri("memcached://x")
