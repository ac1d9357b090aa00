"""A fake Telegram Bot API server for tests, plus builders for real-shaped webhook updates.

Point the real library at it with ``telegram.Bot(fake.token, base_url=fake.base_url)``.
python-telegram-bot 22 posts form fields whose non-string values are JSON encoded (multipart
when a file is uploaded); other clients may post JSON, so both are accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.server import LocalServer

BOT_USER: dict[str, Any] = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Support",
    "username": "example_support_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}

# Methods whose result is plain ``true``; methods not listed here and not below return a Message.
_TRUE_METHODS = frozenset(
    {
        "answerCallbackQuery",
        "setWebhook",
        "deleteWebhook",
        "setMyCommands",
        "deleteMyCommands",
        "sendChatAction",
        "deleteMessage",
        "setChatMenuButton",
        "close",
        "logOut",
    }
)

# Parameters that are always strings; PTB sends them unencoded, so "123" must stay "123".
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "secret_token",
        "file_id",
        "photo",
        "document",
        "audio",
        "video",
        "voice",
        "animation",
        "sticker",
        "ip_address",
        "business_connection_id",
        "message_effect_id",
    }
)

_FAILURE_DESCRIPTIONS = {
    400: "Bad Request: injected failure",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

FILE_BYTES = b"\xff\xd8\xff\xe0fake-jpeg"


@dataclass(frozen=True)
class Call:
    """One Bot API request as the fake received it; ``status`` is the HTTP status it answered."""

    method: str
    params: dict[str, Any]
    at: float
    status: int = 200


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    after: int = 0  # successful calls to let through first


class FakeTelegramApi(LocalServer):
    """Answers Bot API calls like Telegram does, records them and fails on request."""

    def __init__(self, token: str = "123456:TEST-TOKEN") -> None:
        super().__init__()
        self.token = token
        self.calls: list[Call] = []
        self.files: dict[str, bytes] = {}
        self.file_paths: dict[str, str] = {}  # file_id -> path, for getFile
        self._failures: defaultdict[str, deque[_Failure]] = defaultdict(deque)
        self._late: defaultdict[str, deque[float]] = defaultdict(deque)
        self._message_ids = itertools.count(1)
        self._received = asyncio.Condition()
        self.updates: list[dict[str, Any]] = []
        self._new_update = asyncio.Event()

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)

    @property
    def base_url(self) -> str:
        """What ``Bot(token, base_url=...)`` takes."""
        return f"http://127.0.0.1:{self._require_port()}/bot"

    @property
    def base_file_url(self) -> str:
        """What ``Bot(token, base_file_url=...)`` takes; downloads serve ``self.files``."""
        return f"http://127.0.0.1:{self._require_port()}/file/bot"

    def serve_file(self, file_id: str, content: bytes, folder: str = "documents") -> None:
        """Make ``getFile`` for ``file_id`` point at ``content``, as Telegram keeps it."""
        path = f"{folder}/file_{len(self.file_paths) + 2}"
        self.file_paths[file_id] = path
        self.files[path] = content

    def fail_next(
        self, method: str, times: int = 1, retry_after: int | None = 1, status: int = 429,
        after: int = 0,
    ) -> None:
        """Make ``times`` calls of ``method`` fail with ``status``, after ``after`` successes."""
        for index in range(times):
            self._failures[method].append(_Failure(status, retry_after, after if index == 0 else 0))

    def answer_late(self, method: str, seconds: float, times: int = 1) -> None:
        """Carry out the next ``times`` calls of ``method`` but answer each only after
        ``seconds`` (a client with a shorter timeout never hears that it worked)."""
        self._late[method].extend([seconds] * times)

    def queue_update(self, update: dict[str, Any]) -> None:
        """Offer an update to a bot that polls with ``getUpdates``."""
        self.updates.append(update)
        self._new_update.set()

    async def _pending_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Updates from ``offset`` on; waits briefly for one, like a long poll."""
        offset = int(params.get("offset") or 0)
        pending = [u for u in self.updates if u["update_id"] >= offset]
        if not pending:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(),
                                       min(float(params.get("timeout") or 0), 0.5))
            pending = [u for u in self.updates if u["update_id"] >= offset]
        return pending

    def calls_of(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:  # noqa: ASYNC109
        """Wait until at least ``count`` calls of ``method`` arrived and return them."""
        try:
            async with asyncio.timeout(timeout), self._received:
                await self._received.wait_for(lambda: len(self.calls_of(method)) >= count)
        except TimeoutError:
            seen = [(call.method, call.params) for call in self.calls]
            raise AssertionError(
                f"expected {count} {method} call(s) within {timeout}s; saw {seen}"
            ) from None
        return self.calls_of(method)

    def _require_port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeTelegramApi is not started")
        return self._port

    async def _handle_method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _read_params(request)
        if request.match_info["token"] != self.token:
            return await self._answer(method, params, 401, _error(401, "Unauthorized"))
        failures = self._failures[method]
        if failures and failures[0].after > 0:
            failures[0].after -= 1
        elif failures:
            failure = failures.popleft()
            return await self._answer(method, params, failure.status, _failure_body(failure))
        if method == "getUpdates":
            result: Any = await self._pending_updates(params)
        else:
            result = self._result(method, params)
        return await self._answer(method, params, 200, {"ok": True, "result": result})

    async def _answer(
        self, method: str, params: dict[str, Any], status: int, body: dict[str, Any]
    ) -> web.Response:
        async with self._received:
            self.calls.append(Call(method, params, time.time(), status))
            self._received.notify_all()
        if status == 200 and self._late[method]:
            await asyncio.sleep(self._late[method].popleft())
        return web.json_response(body, status=status)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(_error(401, "Unauthorized"), status=401)
        return web.Response(body=self.files.get(request.match_info["path"], FILE_BYTES))

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in _TRUE_METHODS:
            return True
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        if method == "getFile":
            file_id = str(params.get("file_id", ""))
            path = self.file_paths.get(file_id, "photos/file_1.jpg")
            return {
                "file_id": file_id,
                "file_unique_id": "u1",
                "file_size": len(self.files.get(path, FILE_BYTES)),
                "file_path": path,
            }
        return self._message(method, params)

    def _message(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id", 0)
        message: dict[str, Any] = {
            "message_id": params.get("message_id") or next(self._message_ids),
            "from": {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")},
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if isinstance(chat_id, int) else "channel"},
        }
        if method == "sendPhoto":
            message["photo"] = _photo_sizes()
            if "caption" in params:
                message["caption"] = params["caption"]
        elif "text" in params:
            message["text"] = params["text"]
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return message


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Decode a JSON, urlencoded or multipart body into parameter values."""
    if request.content_type == "application/json":
        body = await request.json()
        return dict(body) if isinstance(body, dict) else {}
    if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return {}
    form = await request.post()
    params: dict[str, Any] = {}
    for name, value in form.items():
        if isinstance(value, web.FileField):
            params[name] = value.file.read()
        elif isinstance(value, str):
            params[name] = _decode(name, value)
        else:
            params[name] = bytes(value)
    return params


def _decode(name: str, value: str) -> Any:
    if name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _error(status: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": status, "description": description}


def _failure_body(failure: _Failure) -> dict[str, Any]:
    if failure.status != 429:
        return _error(failure.status, _FAILURE_DESCRIPTIONS.get(failure.status, "Injected failure"))
    if failure.retry_after is None:
        return _error(429, "Too Many Requests")
    body = _error(429, f"Too Many Requests: retry after {failure.retry_after}")
    body["parameters"] = {"retry_after": failure.retry_after}
    return body


def _photo_sizes() -> list[dict[str, Any]]:
    return [
        {
            "file_id": "AgACAgQAAxkBAAIBZ2VhcHBob3RvX3NtYWxsAAJ-sTEbAAFg",
            "file_unique_id": "AQADfrExGwABYHFy",
            "width": 90,
            "height": 67,
            "file_size": 1302,
        },
        {
            "file_id": "AgACAgQAAxkBAAIBZ2VhcHBob3RvX2xhcmdlAAJ-sTEbAAFg",
            "file_unique_id": "AQADfrExGwABYHF3",
            "width": 800,
            "height": 600,
            "file_size": 51234,
        },
    ]


def _user(user_id: int, first_name: str, language_code: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if language_code is not None:
        user["language_code"] = language_code
    return user


def _private_chat(chat_id: int, first_name: str) -> dict[str, Any]:
    return {"id": chat_id, "first_name": first_name, "type": "private"}


def text_update(
    update_id: int,
    chat_id: int,
    text: str,
    user_id: int | None = None,
    first_name: str = "Jan",
    language_code: str | None = "nl",
    message_id: int | None = None,
) -> dict[str, Any]:
    """A text message update as the Bot API posts it to a webhook (commands get an entity)."""
    message: dict[str, Any] = {
        "message_id": message_id if message_id is not None else update_id,
        "from": _user(user_id if user_id is not None else chat_id, first_name, language_code),
        "chat": _private_chat(chat_id, first_name),
        "date": int(time.time()),
        "text": text,
    }
    if text.startswith("/"):
        command_length = len(text.split(maxsplit=1)[0])
        message["entities"] = [{"offset": 0, "length": command_length, "type": "bot_command"}]
    return {"update_id": update_id, "message": message}


def callback_update(
    update_id: int,
    chat_id: int,
    data: str,
    message_id: int = 1,
    user_id: int | None = None,
    first_name: str = "Jan",
    language_code: str | None = "nl",
) -> dict[str, Any]:
    """A button press (callback_query) on a message the bot sent earlier."""
    bot_message = {
        "message_id": message_id,
        "from": {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")},
        "chat": _private_chat(chat_id, first_name),
        "date": int(time.time()) - 60,
        "text": "Kies een optie:",
        "reply_markup": {"inline_keyboard": [[{"text": data, "callback_data": data}]]},
    }
    return {
        "update_id": update_id,
        "callback_query": {
            "id": str(4382748329847 + update_id),
            "from": _user(user_id if user_id is not None else chat_id, first_name, language_code),
            "message": bot_message,
            "chat_instance": "-5392048573920481234",
            "data": data,
        },
    }


def photo_update(
    update_id: int,
    chat_id: int,
    caption: str | None = None,
    first_name: str = "Jan",
    language_code: str | None = "nl",
) -> dict[str, Any]:
    """A photo message update: two sizes, smallest first, as Telegram sends them."""
    message: dict[str, Any] = {
        "message_id": update_id,
        "from": _user(chat_id, first_name, language_code),
        "chat": _private_chat(chat_id, first_name),
        "date": int(time.time()),
        "photo": _photo_sizes(),
    }
    if caption is not None:
        message["caption"] = caption
    return {"update_id": update_id, "message": message}
