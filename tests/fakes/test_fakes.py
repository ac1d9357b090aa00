"""The fakes speak the real protocols: the real python-telegram-bot and twilio clients work
against them, and the payload builders parse as real updates and signed webhooks."""

from __future__ import annotations

import datetime as dtm
from collections.abc import AsyncIterator

import pytest
import telegram
from telegram.error import BadRequest, RetryAfter
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from tests.fakes.telegram_api import (
    FakeTelegramApi,
    callback_update,
    photo_update,
    text_update,
)
from tests.fakes.twilio_api import ACCOUNT_SID, FakeTwilioApi, inbound_form, sign, status_form


@pytest.fixture
async def telegram_api() -> AsyncIterator[FakeTelegramApi]:
    async with FakeTelegramApi() as fake:
        yield fake


@pytest.fixture
async def twilio_api() -> AsyncIterator[FakeTwilioApi]:
    async with FakeTwilioApi() as fake:
        yield fake


@pytest.fixture
async def twilio_client(twilio_api: FakeTwilioApi) -> AsyncIterator[Client]:
    client = Client(ACCOUNT_SID, "auth-token", http_client=AsyncTwilioHttpClient())
    client.api.base_url = twilio_api.base_url
    try:
        yield client
    finally:
        await client.http_client.close()


def _bot(fake: FakeTelegramApi) -> telegram.Bot:
    return telegram.Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url)


async def test_real_bot_sends_a_message_the_fake_records(telegram_api: FakeTelegramApi) -> None:
    async with _bot(telegram_api) as bot:
        assert bot.username == "example_support_bot"
        sent = await bot.send_message(chat_id=4242, text="123")

    [call] = await telegram_api.wait_for("sendMessage")
    assert call.params["chat_id"] == 4242
    assert call.params["text"] == "123"
    assert sent.chat_id == 4242
    assert sent.text == "123"
    assert sent.message_id == 1


async def test_inline_keyboard_arrives_as_decoded_json(telegram_api: FakeTelegramApi) -> None:
    markup = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("Ja", callback_data="yes")]]
    )
    async with _bot(telegram_api) as bot:
        await bot.send_message(chat_id=7, text="Klopt dat?", reply_markup=markup)
        assert await bot.answer_callback_query("99") is True

    [call] = telegram_api.calls_of("sendMessage")
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "yes"
    assert telegram_api.calls_of("answerCallbackQuery")[0].params["callback_query_id"] == "99"


async def test_rate_limit_raises_retry_after_with_the_given_delay(
    telegram_api: FakeTelegramApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    telegram_api.fail_next("sendMessage", retry_after=3)
    async with _bot(telegram_api) as bot:
        with pytest.raises(RetryAfter) as raised:
            await bot.send_message(chat_id=1, text="hi")
        await bot.send_message(chat_id=1, text="hi again")

    assert raised.value.retry_after == dtm.timedelta(seconds=3)
    assert [call.status for call in telegram_api.calls_of("sendMessage")] == [429, 200]


async def test_other_statuses_raise_the_matching_telegram_error(
    telegram_api: FakeTelegramApi,
) -> None:
    telegram_api.fail_next("sendMessage", status=400)
    async with _bot(telegram_api) as bot:
        with pytest.raises(BadRequest, match="Injected failure"):
            await bot.send_message(chat_id=1, text="hi")


async def test_photo_upload_and_file_download_work(telegram_api: FakeTelegramApi) -> None:
    async with _bot(telegram_api) as bot:
        message = await bot.send_photo(chat_id=5, photo=b"\x89PNG-bytes", caption="Bon")
        file = await bot.get_file(message.photo[-1].file_id)
        content = await file.download_as_bytearray()

    [call] = telegram_api.calls_of("sendPhoto")
    assert call.params["photo"] == b"\x89PNG-bytes"
    assert call.params["caption"] == "Bon"
    assert bytes(content).startswith(b"\xff\xd8")


async def test_wait_for_reports_the_calls_seen_on_timeout(telegram_api: FakeTelegramApi) -> None:
    async with _bot(telegram_api):
        pass
    with pytest.raises(AssertionError, match="getMe"):
        await telegram_api.wait_for("sendMessage", timeout=0.05)


async def test_update_builders_parse_as_real_updates(telegram_api: FakeTelegramApi) -> None:
    bot = _bot(telegram_api)

    text = telegram.Update.de_json(text_update(1, 42, "/start nl"), bot)
    assert text.effective_message is not None and text.effective_message.text == "/start nl"
    assert text.effective_user is not None and text.effective_user.language_code == "nl"
    assert text.effective_message.entities[0].type == "bot_command"

    callback = telegram.Update.de_json(callback_update(2, 42, "yes", message_id=9), bot)
    assert callback.callback_query is not None and callback.callback_query.data == "yes"
    assert callback.effective_chat is not None and callback.effective_chat.id == 42
    assert callback.callback_query.message is not None
    assert callback.callback_query.message.message_id == 9

    photo = telegram.Update.de_json(photo_update(3, 42, caption="kapot"), bot)
    assert photo.effective_message is not None and photo.effective_message.caption == "kapot"
    assert [size.width for size in photo.effective_message.photo] == [90, 800]


async def test_real_twilio_client_creates_a_message(
    twilio_api: FakeTwilioApi, twilio_client: Client
) -> None:
    message = await twilio_client.messages.create_async(
        from_="whatsapp:+31205550123",
        to="whatsapp:+31612345678",
        body="hi",
        status_callback="https://example.test/twilio/status",
        media_url=["https://example.test/a.jpg", "https://example.test/b.jpg"],
    )

    [sent] = await twilio_api.wait_for_messages()
    assert message.sid == sent.sid
    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert message.status == "queued"
    assert sent.params["To"] == "whatsapp:+31612345678"
    assert sent.params["From"] == "whatsapp:+31205550123"
    assert sent.params["Body"] == "hi"
    assert sent.params["StatusCallback"] == "https://example.test/twilio/status"
    assert sent.media_urls == ["https://example.test/a.jpg", "https://example.test/b.jpg"]


async def test_twilio_rate_limit_raises_a_rest_exception(
    twilio_api: FakeTwilioApi, twilio_client: Client
) -> None:
    twilio_api.fail_next(status=429)
    with pytest.raises(TwilioRestException) as raised:
        await twilio_client.messages.create_async(from_="whatsapp:+1", to="whatsapp:+2", body="x")
    message = await twilio_client.messages.create_async(
        from_="whatsapp:+1", to="whatsapp:+2", body="y"
    )

    assert raised.value.status == 429
    assert raised.value.code == 20429
    assert twilio_api.rejected[0]["Body"] == "x"
    assert [sent.sid for sent in twilio_api.messages] == [message.sid]


async def test_twilio_requests_without_the_account_credentials_are_refused(
    twilio_api: FakeTwilioApi,
) -> None:
    client = Client(
        "AC" + "8" * 32,
        "token",
        account_sid="AC" + "9" * 32,
        http_client=AsyncTwilioHttpClient(),
    )
    client.api.base_url = twilio_api.base_url
    try:
        with pytest.raises(TwilioRestException) as raised:
            await client.messages.create_async(from_="whatsapp:+1", to="whatsapp:+2", body="x")
    finally:
        await client.http_client.close()
    assert raised.value.status == 401


def test_webhook_forms_validate_with_their_signature() -> None:
    url = "https://bot.example.test/webhooks/whatsapp"
    inbound = inbound_form(
        "SM" + "a" * 32, "+31612345678", "Mijn pakket?", media_url="https://x.test/m.jpg"
    )
    status = status_form("SM" + "b" * 32, "delivered")
    validator = RequestValidator("auth-token")

    assert validator.validate(url, inbound, sign("auth-token", url, inbound))
    assert validator.validate(url, status, sign("auth-token", url, status))
    assert not validator.validate(url, inbound, sign("other-token", url, inbound))
    assert inbound["From"] == "whatsapp:+31612345678"
    assert inbound["WaId"] == "31612345678"
    assert inbound["NumMedia"] == "1"
    assert inbound["MediaContentType0"] == "image/jpeg"
    assert "MessagingServiceSid" not in inbound
