"""Telegram: webhook updates in (secret header checked), replies out through
python-telegram-bot, with inline keyboards for quick replies.

PTB's `Application` (built with `updater(None)`) owns the Bot's lifecycle inside our aiohttp
app. Updates are decoded with PTB's `Update.de_json` in our route and stored before we
answer 200, so a database error yields a 5xx and Telegram delivers the update again
(PTB's own handler dispatch would swallow such an error). A Bot API that does not answer
at start does not stop the app: the channel keeps trying in the background while updates
are stored and replies wait in the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from datetime import timedelta

import httpx
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram import Message as TelegramMessage
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application, ApplicationBuilder
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential

from bot.channel import (
    ChannelContext,
    ChannelStartError,
    Delivery,
    DeliveryError,
    outcome_unknown,
)
from bot.config import Settings
from bot.conversation import Attachment
from bot.file_stores import file_store
from bot.files import INLINE_TYPES, FileMissingError, FileStore, keep_files
from bot.intake import Intake
from channels.telegram_messages import CHANNEL, to_inbound
from channels.text import split_text

MAX_TEXT = 4096
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
POLL_TIMEOUT_S = 25
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
POLL_RETRY_S = 2.0
START_RETRY_MAX_S = 60.0  # the longest wait between tries to reach the Bot API at start
log = logging.getLogger(__name__)


class TelegramChannel:
    """The Telegram webhook route and the sender behind it."""

    channel = CHANNEL

    def __init__(self, token: str, secret: str,
                 api_base_url: str = "https://api.telegram.org/bot",
                 polling: bool = False, send_timeout_s: float = 30.0) -> None:
        self.secret = secret
        self.polling = polling
        self._intake: Intake | None = None
        self._files: FileStore | None = None
        self._fetch_timeout_s = send_timeout_s
        self._poller: asyncio.Task[None] | None = None
        self._starter: asyncio.Task[None] | None = None
        self.application: Application = (  # type: ignore[type-arg]
            ApplicationBuilder().token(token).base_url(api_base_url)
            .base_file_url(file_url(api_base_url)).updater(None)
            .read_timeout(send_timeout_s).write_timeout(send_timeout_s).build()
        )

    @staticmethod
    def enabled(settings: Settings) -> bool:
        """On when the bot token is configured."""
        return settings.telegram_token is not None

    @classmethod
    def from_settings(cls, settings: Settings) -> TelegramChannel:
        assert settings.telegram_token is not None
        secret = settings.telegram_secret.get_secret_value() if settings.telegram_secret else ""
        return cls(settings.telegram_token.get_secret_value(), secret,
                   api_base_url=settings.telegram_api_base_url,
                   polling=settings.telegram_polling,
                   send_timeout_s=settings.send_timeout_s)

    @property
    def intake(self) -> Intake:
        if self._intake is None:
            raise web.HTTPServiceUnavailable(text="the Telegram channel is starting")
        return self._intake

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/webhooks/telegram", self.webhook)

    async def start(self, context: ChannelContext) -> None:
        self._intake = context.intake
        self._files = file_store(context.settings)
        self._fetch_timeout_s = context.settings.file_fetch_timeout_s
        try:
            await self.application.initialize()  # asks Telegram who the bot is
        except InvalidToken:  # PTB's message holds the token: not for the logs
            await self.application.bot.shutdown()
            raise ChannelStartError(
                "Telegram rejected the bot token (SUPPORTBOT_TELEGRAM_TOKEN); copy it again "
                "from @BotFather") from None
        except NetworkError as error:  # the other channels start all the same
            log.warning("the Telegram Bot API does not answer (%s); updates are stored and "
                        "replies wait in the outbox while the channel tries again", error)
            self._starter = asyncio.create_task(self._start_later(), name="telegram-start")
            return
        await self._run()

    async def _start_later(self) -> None:
        async for attempt in AsyncRetrying(retry=retry_if_exception_type(NetworkError),
                                           wait=wait_exponential(max=START_RETRY_MAX_S)):
            with attempt:
                await self.application.initialize()
        log.info("the Telegram Bot API answers again")
        await self._run()

    async def _run(self) -> None:
        await self.application.start()
        if self.polling:
            await self.application.bot.delete_webhook()
            self._poller = asyncio.create_task(self._poll(), name="telegram-polling")

    async def stop(self) -> None:
        for task in (self._starter, self._poller):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        await self.application.bot.shutdown()  # its connections, if it never got started

    async def webhook(self, request: web.Request) -> web.Response:
        """`POST /webhooks/telegram`: verify the secret, store the message, then 200."""
        given = request.headers.get(SECRET_HEADER, "")
        if not self.secret or not hmac.compare_digest(given.encode(), self.secret.encode()):
            raise web.HTTPUnauthorized(text="missing or wrong secret token")
        try:
            data = json.loads(await request.read())
            if not isinstance(data, dict):
                raise TypeError(f"expected a JSON object, got {type(data).__name__}")
            update = Update.de_json(data, self.application.bot)
        except (ValueError, TypeError, KeyError) as error:
            raise web.HTTPBadRequest(text=f"not a Telegram update: {error}") from error
        if update is None:
            raise web.HTTPBadRequest(text="not a Telegram update")
        await self._accept(update)
        return web.json_response({"ok": True})

    async def _accept(self, update: Update) -> None:
        """Store the update's message (raises if it cannot), then answer a button press."""
        inbound = to_inbound(update)
        if inbound is not None and inbound.attachments and self._files is not None:
            inbound = await keep_files(inbound, self.fetch, self._files, self._fetch_timeout_s)
        if inbound is not None:
            await self.intake.receive(inbound)
        if update.callback_query is not None:
            # If answering fails the button spinner stops by itself; the press is stored.
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer()

    async def _send_file(self, recipient: str, file: Attachment) -> TelegramMessage:
        """One of an agent's files; FileMissingError when the store no longer has it."""
        if self._files is None:
            raise FileMissingError("the Telegram channel is not started")
        content = await self._files.get(file.file)
        sent: TelegramMessage
        if file.mime_type in INLINE_TYPES:
            sent = await self.application.bot.send_photo(chat_id=int(recipient), photo=content)
        else:
            sent = await self.application.bot.send_document(
                chat_id=int(recipient), document=content, filename=file.name or "file")
        return sent

    async def fetch(self, reference: str) -> bytes:
        """The content of a file a customer sent (`telegram:<file_id>`), via getFile."""
        file = await self.application.bot.get_file(reference.removeprefix("telegram:"))
        return bytes(await file.download_as_bytearray())

    async def _poll(self) -> None:
        """`--telegram-polling`: fetch updates with getUpdates; the offset only moves past
        an update once it is stored, so nothing is lost when storing fails."""
        offset = 0
        while True:
            try:
                updates = await self.application.bot.get_updates(
                    offset=offset, timeout=POLL_TIMEOUT_S,
                    allowed_updates=ALLOWED_UPDATES)
                for update in updates:
                    await self._accept(update)
                    offset = update.update_id + 1
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Telegram polling failed; trying again shortly")
                await asyncio.sleep(POLL_RETRY_S)

    async def send(self, delivery: Delivery) -> str:
        """Send a reply; buttons become an inline keyboard under the last chunk; an agent's
        files follow as photos (raster images) or documents."""
        files = delivery.reply.files
        text = delivery.reply.text
        chunks = split_text(text, MAX_TEXT) if text.strip() or not files else []
        keyboard = None
        if delivery.reply.buttons:
            keyboard = InlineKeyboardMarkup(
                [[InlineKeyboardButton(b.title, callback_data=b.payload)]
                 for b in delivery.reply.buttons])
        sent_ids = list(delivery.sent_ids)
        try:
            for index in range(delivery.parts_sent, len(chunks) + len(files)):
                if index >= len(chunks):
                    message = await self._send_file(delivery.recipient,
                                                    files[index - len(chunks)])
                else:
                    last = index == len(chunks) - 1
                    message = await self.application.bot.send_message(
                        chat_id=int(delivery.recipient), text=chunks[index],
                        reply_markup=keyboard if last else None,
                    )
                sent_ids.append(str(message.message_id))
        except RetryAfter as error:
            wait = error.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            raise DeliveryError(f"Telegram rate limit: {error}", retry_after=seconds,
                                parts_sent=len(sent_ids), sent_ids=tuple(sent_ids)) from error
        except FileMissingError as error:
            raise DeliveryError(f"the agent's file cannot be sent: {error}", permanent=True,
                                parts_sent=len(sent_ids), sent_ids=tuple(sent_ids)) from error
        except (BadRequest, Forbidden) as error:
            raise DeliveryError(f"Telegram refused: {error}", permanent=True,
                                parts_sent=len(sent_ids), sent_ids=tuple(sent_ids)) from error
        except TelegramError as error:
            if isinstance(error, TimedOut) and isinstance(error.__cause__, httpx.ReadTimeout):
                # sent, but no answer in time: it may have arrived
                raise outcome_unknown("Telegram", error, len(sent_ids), sent_ids) from error
            raise DeliveryError(f"Telegram error: {error}", parts_sent=len(sent_ids),
                                sent_ids=tuple(sent_ids)) from error
        return ",".join(sent_ids)


def file_url(api_base_url: str) -> str:
    """Where the Bot API serves files: `https://api.telegram.org/file/bot` for the API at
    `https://api.telegram.org/bot` (a local Bot API server follows the same pattern)."""
    root, _, _ = api_base_url.rstrip("/").rpartition("/bot")
    return f"{root}/file/bot"


async def register_webhook(token: str, secret: str, public_base_url: str,
                           api_base_url: str = "https://api.telegram.org/bot") -> str:
    """Tell Telegram to post updates to our webhook with the secret header; returns the URL."""
    url = f"{public_base_url.rstrip('/')}/webhooks/telegram"
    async with Bot(token, base_url=api_base_url) as bot:
        await bot.set_webhook(url=url, secret_token=secret,
                              allowed_updates=ALLOWED_UPDATES)
    return url
