"""How a failed Twilio send is retried: its status and Retry-After, or not at all when
Twilio may have carried it out without our hearing so."""

from __future__ import annotations

from contextvars import ContextVar
from types import SimpleNamespace

from aiohttp import ClientError, ClientSession, TraceRequestEndParams, hdrs
from twilio.base.exceptions import TwilioRestException, TwilioServiceException

from bot.channel import DeliveryError, outcome_unknown

SEND_ERRORS = (TwilioRestException, TwilioServiceException, ClientError, TimeoutError)
_retry_after: ContextVar[float | None] = ContextVar("twilio_retry_after", default=None)


def delivery_error(error: Exception, parts_sent: int, sent_ids: list[str]) -> DeliveryError:
    """A send failure as the outbox sees it: 429 waits, other 4xx are permanent, 5xx and
    connection failures are retried, and no answer within the send timeout is not
    repeated, as the message may have arrived."""
    if isinstance(error, TimeoutError):
        return outcome_unknown("Twilio", error, parts_sent, sent_ids)
    status = getattr(error, "status", None)
    message = _describe(error)
    if status == 429:
        return DeliveryError(f"Twilio rate limit: {message}", retry_after=_retry_after.get(),
                             parts_sent=parts_sent, sent_ids=tuple(sent_ids))
    permanent = isinstance(status, int) and 400 <= status < 500
    return DeliveryError(f"Twilio {'refused' if permanent else 'error'}: {message}",
                         permanent=permanent, parts_sent=parts_sent, sent_ids=tuple(sent_ids))


def _describe(error: Exception) -> str:
    # str() of a TwilioRestException is a coloured multi-line text when stderr is a terminal.
    if isinstance(error, TwilioRestException):
        return f"HTTP {error.status}, code {error.code}: {error.msg}"
    if isinstance(error, TwilioServiceException):
        return f"HTTP {error.status}, code {error.code}: {error.detail or error.title}"
    return str(error) or type(error).__name__


async def remember_retry_after(session: ClientSession, context: SimpleNamespace,
                               params: TraceRequestEndParams) -> None:
    """Keep Twilio's latest Retry-After in this task: the library's error drops headers."""
    _retry_after.set(_seconds(params.response.headers.get(hdrs.RETRY_AFTER)))


def _seconds(retry_after: str | None) -> float | None:
    """A Retry-After in seconds; None when absent or an HTTP date (Twilio sends seconds)."""
    try:
        return max(0.0, float(retry_after)) if retry_after else None
    except ValueError:
        return None
