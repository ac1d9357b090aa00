"""A fake Twilio Messages API for tests, plus builders for the webhook forms Twilio posts.

Point the real library at it with ``client.api.base_url = fake.base_url`` on a
``Client(..., http_client=AsyncTwilioHttpClient())``; ``messages.create_async`` then posts its
form to ``/2010-04-01/Accounts/{AccountSid}/Messages.json`` here.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

from aiohttp import BasicAuth, hdrs, web
from twilio.request_validator import RequestValidator

from tests.fakes.server import LocalServer

ACCOUNT_SID = "AC" + "1f2e3d4c5b6a7980" * 2
BUSINESS_NUMBER = "+31205550123"
API_VERSION = "2010-04-01"

_ERRORS = {
    400: (21211, "Invalid 'To' Phone Number"),
    401: (20003, "Authenticate"),
    404: (20404, "The requested resource was not found"),
    429: (20429, "Too Many Requests"),
    500: (20500, "Internal Server Error"),
    503: (20503, "Service Unavailable"),
}


@dataclass(frozen=True)
class SentMessage:
    """One accepted ``Messages.json`` request: its form fields and the sid it was given.

    ``params`` keeps the first value of each field; repeated ``MediaUrl`` fields are all in
    ``media_urls``.
    """

    params: dict[str, str]
    sid: str
    media_urls: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Failure:
    status: int
    code: int
    message: str


class FakeTwilioApi(LocalServer):
    """Accepts outbound messages like Twilio does, records them and fails on request."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[SentMessage] = []
        self.rejected: list[dict[str, str]] = []
        self._failures: deque[_Failure | None] = deque()  # None lets one request through
        self._late: deque[float] = deque()
        self._received = asyncio.Condition()
        self.media: dict[str, bytes] = {}  # path -> content, served with basic auth
        self.auth_token: str | None = None  # checked on media requests when set
        self.media_requests: list[str] = []

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post(f"/{API_VERSION}/Accounts/{{sid}}/Messages.json", self._create)
        app.router.add_get(f"/{API_VERSION}/Accounts/{{sid}}/Messages/{{message}}/Media/"
                           "{media}", self._media)

    def add_media(self, message_sid: str, content: bytes, index: int = 0) -> str:
        """Keep ``content`` as media item ``index`` of an inbound message; returns its
        ``MediaUrl`` (on this fake, as Twilio's is on api.twilio.com)."""
        url = media_url(message_sid, index, base_url=self.base_url)
        self.media[url.removeprefix(self.base_url)] = content
        return url

    async def _media(self, request: web.Request) -> web.Response:
        """A media item, like Twilio: basic auth with the account SID and auth token."""
        self.media_requests.append(request.path)
        header = request.headers.get(hdrs.AUTHORIZATION, "")
        try:
            auth = BasicAuth.decode(header) if header else None
        except ValueError:
            auth = None
        if auth is None or auth.login != request.match_info["sid"] or \
                (self.auth_token is not None and auth.password != self.auth_token):
            return web.json_response({"code": 20003, "message": "Authenticate",
                                      "status": 401}, status=401)
        content = self.media.get(request.path)
        if content is None:
            return web.json_response({"code": 20404, "status": 404,
                                      "message": "The requested resource was not found"},
                                     status=404)
        return web.Response(body=content, content_type="application/octet-stream")

    @property
    def base_url(self) -> str:
        """What to assign to ``client.api.base_url``."""
        if self._port is None:
            raise RuntimeError("FakeTwilioApi is not started")
        return f"http://127.0.0.1:{self._port}"

    def fail_next(
        self,
        times: int = 1,
        status: int = 429,
        code: int | None = None,
        message: str | None = None,
        after: int = 0,
    ) -> None:
        """Make ``times`` create requests fail with a Twilio error body, once ``after`` more
        have been accepted (``after=1`` fails the second chunk of a long reply)."""
        default_code, default_message = _ERRORS.get(status, (20000 + status, "Injected failure"))
        failure = _Failure(status, code or default_code, message or default_message)
        self._failures.extend([None] * after + [failure] * times)

    def answer_late(self, seconds: float, times: int = 1) -> None:
        """Accept the next ``times`` messages but answer each only after ``seconds`` (a
        client with a shorter timeout never hears that it was sent)."""
        self._late.extend([seconds] * times)

    async def wait_for_messages(
        self,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[SentMessage]:
        """Wait until at least ``count`` messages were accepted and return them all."""
        try:
            async with asyncio.timeout(timeout), self._received:
                await self._received.wait_for(lambda: len(self.messages) >= count)
        except TimeoutError:
            seen = [message.params for message in self.messages]
            raise AssertionError(
                f"expected {count} message(s) within {timeout}s; saw {seen} "
                f"(rejected: {self.rejected})"
            ) from None
        return list(self.messages)

    async def _create(self, request: web.Request) -> web.Response:
        account_sid = request.match_info["sid"]
        form = await request.post()
        params = {name: str(form.getone(name)) for name in form}
        media_urls = [str(url) for url in form.getall("MediaUrl", [])]
        if not _authorised(request, account_sid):
            return await self._reject(params, _Failure(401, *_ERRORS[401]))
        failure = self._failures.popleft() if self._failures else None
        if failure is not None:
            return await self._reject(params, failure)
        sid = "SM" + secrets.token_hex(16)
        async with self._received:
            self.messages.append(SentMessage(params, sid, media_urls))
            self._received.notify_all()
        if self._late:
            await asyncio.sleep(self._late.popleft())
        return web.json_response(_message_resource(account_sid, sid, params), status=201)

    async def _reject(self, params: dict[str, str], failure: _Failure) -> web.Response:
        async with self._received:
            self.rejected.append(params)
            self._received.notify_all()
        body = {
            "code": failure.code,
            "message": failure.message,
            "more_info": f"https://www.twilio.com/docs/errors/{failure.code}",
            "status": failure.status,
        }
        headers = {hdrs.RETRY_AFTER: "1"} if failure.status == 429 else None
        return web.json_response(body, status=failure.status, headers=headers)


def _authorised(request: web.Request, account_sid: str) -> bool:
    header = request.headers.get(hdrs.AUTHORIZATION)
    if header is None:
        return False
    try:
        auth = BasicAuth.decode(header)
    except ValueError:
        return False
    return bool(auth.password) and (auth.login == account_sid or auth.login.startswith("SK"))


def _message_resource(account_sid: str, sid: str, params: dict[str, str]) -> dict[str, Any]:
    now = formatdate(time.time(), usegmt=True).replace("GMT", "+0000")
    uri = f"/{API_VERSION}/Accounts/{account_sid}/Messages/{sid}"
    return {
        "sid": sid,
        "account_sid": account_sid,
        "api_version": API_VERSION,
        "status": "queued",
        "direction": "outbound-api",
        "to": params.get("To"),
        "from": params.get("From"),
        "body": params.get("Body", ""),
        "messaging_service_sid": params.get("MessagingServiceSid"),
        "num_media": "0",
        "num_segments": "1",
        "price": None,
        "price_unit": "USD",
        "error_code": None,
        "error_message": None,
        "date_created": now,
        "date_updated": now,
        "date_sent": None,
        "uri": f"{uri}.json",
        "subresource_uris": {"media": f"{uri}/Media.json"},
    }


def inbound_form(
    message_sid: str,
    from_number: str,
    body: str,
    to_number: str = BUSINESS_NUMBER,
    profile_name: str = "Jan",
    num_media: int = 0,
    media_url: str | None = None,
    media_type: str | None = None,
    account_sid: str = ACCOUNT_SID,
    message_type: str | None = None,
) -> dict[str, str]:
    """The form Twilio posts to a WhatsApp incoming-message webhook.

    Numbers may be given with or without the ``whatsapp:`` prefix; ``message_type``
    defaults to what the media says (``image``, ``audio``, ``video``, ``document``).
    """
    sender = _whatsapp(from_number)
    if media_url is not None:
        num_media = max(num_media, 1)
    form = {
        "SmsMessageSid": message_sid,
        "NumMedia": str(num_media),
        "ProfileName": profile_name,
        "MessageType": message_type or _message_type(media_type if num_media else None),
        "SmsSid": message_sid,
        "WaId": sender.removeprefix("whatsapp:+"),
        "SmsStatus": "received",
        "Body": body,
        "To": _whatsapp(to_number),
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": message_sid,
        "AccountSid": account_sid,
        "From": sender,
        "ApiVersion": API_VERSION,
    }
    if media_url is not None:
        form["MediaUrl0"] = media_url
        form["MediaContentType0"] = media_type or "image/jpeg"
    return form


def _message_type(media_type: str | None) -> str:
    if media_type is None:
        return "text"
    family = media_type.split("/")[0]
    return family if family in ("audio", "video") else \
        "image" if family == "image" else "document"


def location_form(
    message_sid: str, from_number: str, latitude: str = "52.370216",
    longitude: str = "4.895168", address: str | None = None, label: str | None = None,
) -> dict[str, str]:
    """A shared location: ``MessageType=location``, empty ``Body``, no media."""
    form = inbound_form(message_sid, from_number, "", message_type="location")
    form.update({"Latitude": latitude, "Longitude": longitude})
    if address is not None:
        form["Address"] = address
    if label is not None:
        form["Label"] = label
    return form


def media_url(message_sid: str, index: int = 0, account_sid: str = ACCOUNT_SID,
              base_url: str = "https://api.twilio.com") -> str:
    """Where Twilio keeps a media item of an inbound message."""
    return (f"{base_url}/{API_VERSION}/Accounts/{account_sid}/Messages/"
            f"{message_sid}/Media/ME{index:032x}")


def status_form(
    message_sid: str,
    status: str,
    to_number: str = "+31612345678",
    from_number: str = BUSINESS_NUMBER,
    error_code: str | None = None,
    account_sid: str = ACCOUNT_SID,
) -> dict[str, str]:
    """The form Twilio posts to a message's StatusCallback (queued/sent/delivered/read/failed)."""
    form = {
        "ChannelPrefix": "whatsapp",
        "ApiVersion": API_VERSION,
        "MessageStatus": status,
        "SmsSid": message_sid,
        "SmsStatus": status,
        "ChannelToAddress": to_number.removeprefix("whatsapp:"),
        "To": _whatsapp(to_number),
        "MessageSid": message_sid,
        "AccountSid": account_sid,
        "From": _whatsapp(from_number),
    }
    if error_code is not None:
        form["ErrorCode"] = error_code
    return form


def sign(auth_token: str, url: str, params: dict[str, str]) -> str:
    """The ``X-Twilio-Signature`` Twilio would send for a form posted to ``url``."""
    return str(RequestValidator(auth_token).compute_signature(url, params))


def _whatsapp(number: str) -> str:
    return number if number.startswith("whatsapp:") else f"whatsapp:{number}"
