"""WhatsApp through Twilio end to end: signed webhook forms posted to our app, the real
twilio library sending the answers to a fake Twilio API, with the real NLU model.

The app's public base URL (`https://bot.example.com`) differs from the test server's own
address, as behind a proxy: signatures must be checked against the public URL.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bot.channel import Delivery, DeliveryError
from bot.clock import Clock, FrozenClock
from bot.config import Settings
from bot.conversation import Button, Reply
from bot.storage.database import Database
from bot.storage.models import AuditEntry, Customer, Message, OutboxItem, Ticket
from channels.whatsapp import WhatsAppChannel
from tests.apps import app_clients
from tests.conftest import free_port
from tests.fakes.twilio_api import ACCOUNT_SID, FakeTwilioApi, inbound_form, sign, status_form
from wiring.app import CHANNELS, DATABASE, INTAKE

AUTH_TOKEN = "twilio-auth-token-for-tests"
PUBLIC_BASE_URL = "https://bot.example.com"
CUSTOMER = "+31612345678"
TEMPLATE_SID = "HX" + "0123456789abcdef" * 2
PHOTO_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM1/Media/ME1"

App = TestClient  # type: ignore[type-arg]


class StartApp(Protocol):
    async def __call__(self, clock: Clock | None = None, **settings: Any) -> App: ...


@pytest.fixture
async def twilio_api() -> AsyncIterator[FakeTwilioApi]:
    async with FakeTwilioApi() as api:
        yield api


@pytest.fixture
async def start_app(database: Database, nlu_service: tuple[str, str],
                    twilio_api: FakeTwilioApi) -> AsyncIterator[StartApp]:
    """Start the real app with WhatsApp configured against the fake Twilio API."""
    url, token = nlu_service
    async with app_clients() as start_client:

        async def start(clock: Clock | None = None, **overrides: Any) -> App:
            return await start_client(Settings(
                database_url=database.url, nlu_url=url, nlu_token=token,
                public_base_url=PUBLIC_BASE_URL, twilio_account_sid=ACCOUNT_SID,
                twilio_auth_token=AUTH_TOKEN, twilio_api_base_url=twilio_api.base_url,
                **overrides), clock)

        yield start


@pytest.fixture
async def client(start_app: StartApp) -> App:
    return await start_app()


def _sid(number: int) -> str:
    return f"SM{number:032x}"


async def _post(client: App, form: dict[str, str], path: str = "/webhooks/whatsapp",
                token: str = AUTH_TOKEN, signed_url: str | None = None) -> ClientResponse:
    """Post a webhook form signed as Twilio signs it: over the URL it was told to call."""
    signature = sign(token, signed_url or PUBLIC_BASE_URL + path, form)
    return await client.post(path, data=form, headers={"X-Twilio-Signature": signature})


async def _count(client: App, model: type[Any]) -> int:
    async with client.app[DATABASE].sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def _outbox(client: App) -> list[OutboxItem]:
    async with client.app[DATABASE].sessions() as session:
        return list((await session.execute(select(OutboxItem).order_by(OutboxItem.id))).scalars())


async def _settled(client: App) -> list[OutboxItem]:
    """The outbox rows once answering is over and every row is sent or failed."""
    await client.app[INTAKE].drain()
    for _ in range(200):  # the worker records each result right after the platform call
        rows = await _outbox(client)
        if rows and all(row.status in ("sent", "failed") for row in rows):
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError(f"outbox rows not settled: {[(r.id, r.status) for r in rows]}")


async def _row_that_sent(client: App, sid: str) -> OutboxItem:
    [row] = [row for row in await _outbox(client) if row.platform_message_id == sid]
    return row


def _whatsapp(client: App) -> WhatsAppChannel:
    channel = client.app[CHANNELS]["whatsapp"]
    assert isinstance(channel, WhatsAppChannel)
    return channel


def _delivery(reply: Reply | str, inbound_age: timedelta = timedelta(minutes=5),
              **progress: Any) -> Delivery:
    """A reply to the customer, who last wrote `inbound_age` ago."""
    now = datetime.now(UTC)
    reply = Reply(reply) if isinstance(reply, str) else reply
    return Delivery(CUSTOMER, reply, conversation_id=1, last_inbound_at=now - inbound_age,
                    now=now, **progress)


def _long_text() -> str:
    paragraph = "De NetBox 500 start opnieuw op na een firmware-update. " * 12
    return "\n\n".join(f"{n}. {paragraph.strip()}" for n in range(1, 7))


async def test_dutch_question_is_answered_through_the_twilio_api(
    client: App, twilio_api: FakeTwilioApi,
) -> None:
    form = inbound_form(_sid(1), CUSTOMER, "wanneer zijn jullie open op zaterdag?",
                        profile_name="Jan de Vries")
    response = await _post(client, form)
    assert response.status == 200
    assert response.content_type == "text/xml"
    assert (await response.text()).endswith("<Response/>")
    [sent] = await twilio_api.wait_for_messages()
    assert sent.params["To"] == f"whatsapp:{CUSTOMER}"
    assert sent.params["From"] == "whatsapp:+31205550123"
    assert "06:00" in sent.params["Body"]
    assert sent.params["StatusCallback"] == f"{PUBLIC_BASE_URL}/webhooks/whatsapp/status"
    async with client.app[DATABASE].sessions() as session:
        customer = (await session.execute(select(Customer))).scalar_one()
    assert (customer.channel, customer.external_id, customer.name) == (
        "whatsapp", CUSTOMER, "Jan de Vries")


async def test_forged_or_missing_signature_is_refused_and_nothing_stored(client: App) -> None:
    form = inbound_form(_sid(2), CUSTOMER, "hallo")
    forged = await _post(client, form, token="not-the-auth-token")
    # Signed over the address the app sees rather than the one Twilio was given.
    wrong_url = await _post(client, form, signed_url=str(client.make_url("/webhooks/whatsapp")))
    missing = await client.post("/webhooks/whatsapp", data=form)
    assert [forged.status, wrong_url.status, missing.status] == [403, 403, 403]
    assert await _count(client, Message) == 0


async def test_malformed_bodies_get_a_clear_400_and_nothing_stored(client: App) -> None:
    form = inbound_form(_sid(3), CUSTOMER, "hallo")
    as_json = await client.post("/webhooks/whatsapp", json=form,
                                headers={"X-Twilio-Signature": sign(AUTH_TOKEN, "x", form)})
    no_sender = await _post(client, {k: v for k, v in form.items() if k != "From"})
    bad_media = await _post(client, {**form, "NumMedia": "lots"})
    assert [as_json.status, no_sender.status, bad_media.status] == [400, 400, 400]
    assert "form-encoded" in await as_json.text()
    assert "missing From" in await no_sender.text()
    assert "NumMedia" in await bad_media.text()
    assert await _count(client, Message) == 0


async def test_duplicate_message_sid_is_processed_once(
    client: App, twilio_api: FakeTwilioApi,
) -> None:
    form = inbound_form(_sid(4), CUSTOMER, "wat kost een uur support?")
    for _ in range(3):
        assert (await _post(client, form)).status == 200
    rows = await _settled(client)
    async with client.app[DATABASE].sessions() as session:
        inbound = (await session.execute(select(func.count()).select_from(Message)
                                         .where(Message.direction == "in"))).scalar_one()
    assert inbound == 1
    assert len(twilio_api.messages) == len(rows) >= 1


async def test_long_reply_is_split_into_chunks_within_the_whatsapp_limit(
    client: App, twilio_api: FakeTwilioApi,
) -> None:
    text = _long_text()
    ids = await _whatsapp(client).send(_delivery(text))
    bodies = [message.params["Body"] for message in twilio_api.messages]
    assert len(bodies) > 2 and all(len(body) <= 1600 for body in bodies)
    assert ids == ",".join(message.sid for message in twilio_api.messages)
    assert " ".join(" ".join(bodies).split()) == " ".join(text.split())


async def test_partly_failed_long_reply_resumes_without_resending_sent_chunks(
    client: App, twilio_api: FakeTwilioApi,
) -> None:
    channel = _whatsapp(client)
    twilio_api.fail_next(status=500, after=1)
    with pytest.raises(DeliveryError) as raised:
        await channel.send(_delivery(_long_text()))
    failure = raised.value
    assert not failure.permanent and failure.parts_sent == 1
    assert failure.sent_ids == (twilio_api.messages[0].sid,)
    ids = await channel.send(_delivery(_long_text(), parts_sent=failure.parts_sent,
                                       sent_ids=failure.sent_ids))
    bodies = [message.params["Body"] for message in twilio_api.messages]
    assert len(bodies) == len(set(bodies)) > 2
    assert twilio_api.rejected[0]["Body"] == bodies[1]
    assert ids.split(",") == [message.sid for message in twilio_api.messages]


async def test_twilio_errors_become_delivery_errors_the_outbox_understands(
    client: App, twilio_api: FakeTwilioApi,
) -> None:
    channel = _whatsapp(client)
    outcomes = []
    for status in (429, 400, 503):
        twilio_api.fail_next(status=status)
        with pytest.raises(DeliveryError) as raised:
            await channel.send(_delivery("Hallo"))
        outcomes.append((raised.value.permanent, raised.value.retry_after))
    channel.client.api.base_url = f"http://127.0.0.1:{free_port()}"  # nothing listens
    with pytest.raises(DeliveryError) as unreachable:
        await channel.send(_delivery("Hallo"))
    assert outcomes == [(False, 1.0), (True, None), (False, None)]
    assert not unreachable.value.permanent and unreachable.value.parts_sent == 0


async def test_reply_within_the_window_is_free_text_with_buttons_as_numbers(
    client: App, twilio_api: FakeTwilioApi,
) -> None:
    reply = Reply("Klopt dat?", (Button("Ja", "/affirm"), Button("Nee", "/deny")))
    await _whatsapp(client).send(_delivery(reply, inbound_age=timedelta(hours=1)))
    [sent] = twilio_api.messages
    assert sent.params["Body"] == "Klopt dat?\n1. Ja\n2. Nee"
    assert "ContentSid" not in sent.params


async def test_reply_after_the_window_closed_goes_out_as_the_template(
    start_app: StartApp, twilio_api: FakeTwilioApi,
) -> None:
    client = await start_app(FrozenClock(datetime.now(UTC) - timedelta(hours=25)),
                             whatsapp_template_sid=TEMPLATE_SID)
    await _post(client, inbound_form(_sid(5), CUSTOMER, "wanneer zijn jullie open op zaterdag?"))
    [sent] = await twilio_api.wait_for_messages()
    assert sent.params["ContentSid"] == TEMPLATE_SID
    assert "Body" not in sent.params
    variable = json.loads(sent.params["ContentVariables"])["1"]
    assert "06:00" in variable and "\n" not in variable and len(variable) <= 1000


async def test_closed_window_without_a_template_fails_the_row_visibly(
    start_app: StartApp, twilio_api: FakeTwilioApi,
) -> None:
    client = await start_app(FrozenClock(datetime.now(UTC) - timedelta(hours=25)))
    await _post(client, inbound_form(_sid(6), CUSTOMER, "wat kost een uur support?"))
    rows = await _settled(client)
    assert {row.status for row in rows} == {"failed"}
    assert all("24-hour" in (row.last_error or "") and "no template" in (row.last_error or "")
               for row in rows)
    assert twilio_api.messages == [] and twilio_api.rejected == []


async def test_status_callbacks_record_delivery_on_the_outbox_row(
    client: App, twilio_api: FakeTwilioApi,
) -> None:
    await _post(client, inbound_form(_sid(7), CUSTOMER, "wanneer zijn jullie open op zaterdag?"))
    [sent] = await twilio_api.wait_for_messages()
    await _settled(client)
    path = "/webhooks/whatsapp/status"
    for status in ("delivered", "sent"):  # the late "sent" must not undo "delivered"
        assert (await _post(client, status_form(sent.sid, status), path)).status == 200
    row = await _row_that_sent(client, sent.sid)
    assert row.delivery_status == "delivered" and row.delivery_status_at is not None
    unknown = await _post(client, status_form(_sid(999), "read"), path)
    unsigned = await client.post(path, data=status_form(sent.sid, "read"))
    assert (unknown.status, unsigned.status) == (200, 403)
    assert (await _row_that_sent(client, sent.sid)).delivery_status == "delivered"


async def test_failed_delivery_report_is_audited_with_its_error_code(
    client: App, twilio_api: FakeTwilioApi,
) -> None:
    await _post(client, inbound_form(_sid(8), CUSTOMER, "wat kost een uur support?"))
    [sent] = await twilio_api.wait_for_messages()
    await _settled(client)
    form = status_form(sent.sid, "undelivered", error_code="63016")
    assert (await _post(client, form, "/webhooks/whatsapp/status")).status == 200
    async with client.app[DATABASE].sessions() as session:
        entry = (await session.execute(select(AuditEntry).where(
            AuditEntry.action == "delivery_failed"))).scalar_one()
    assert entry.after == {"delivery_status": "undelivered", "error_code": "63016",
                           "message_sid": sent.sid}


async def test_photo_is_stored_as_an_attachment_reference(client: App) -> None:
    form = inbound_form(_sid(9), CUSTOMER, "", media_url=PHOTO_URL, media_type="image/jpeg")
    assert (await _post(client, form)).status == 200
    async with client.app[DATABASE].sessions() as session:
        message = (await session.execute(select(Message))).scalars().first()
    assert message is not None
    assert message.payload["attachments"] == [
        {"kind": "photo", "reference": PHOTO_URL, "mime_type": "image/jpeg", "size": None,
         "name": "", "duration": None, "file": ""}]


async def test_photo_in_a_warranty_claim_ends_on_the_ticket(
    client: App, twilio_api: FakeTwilioApi,
) -> None:
    steps: list[tuple[str, str | None]] = [
        ("I want to file a warranty claim, my device is broken", None),
        ("NetBox 500", None), ("SN4K7Q2X91", None),
        ("It switches off after two seconds", None),
        ("1", None),  # the first numbered choice: bought directly from us
        ("", PHOTO_URL), ("1", None),  # the photo, then "1. Yes" to file the claim
    ]
    for number, (text, media) in enumerate(steps, start=100):
        seen = len(twilio_api.messages)
        await _post(client, inbound_form(_sid(number), CUSTOMER, text, media_url=media))
        await twilio_api.wait_for_messages(seen + 1)
        await _settled(client)
    async with client.app[DATABASE].sessions() as session:
        ticket = (await session.execute(select(Ticket))).scalar_one()
    assert ticket.kind == "warranty" and ticket.details["attachments"] == [PHOTO_URL]
    assert ticket.reference is not None
    assert ticket.reference in twilio_api.messages[-1].params["Body"]



CSAT_TEMPLATE_SID = "HX" + "c" * 32


async def test_survey_goes_out_as_the_quick_reply_template_and_a_press_comes_back(
    start_app: StartApp, twilio_api: FakeTwilioApi,
) -> None:
    client = await start_app(whatsapp_csat_template_sid=CSAT_TEMPLATE_SID)
    scores = tuple(Button(str(n), f"=csat:{n}") for n in range(1, 6))
    survey = Reply("Hoe tevreden ben je over de hulp die je kreeg?", scores)
    await _whatsapp(client).send(_delivery(survey, inbound_age=timedelta(hours=30)))
    [sent] = twilio_api.messages
    assert sent.params["ContentSid"] == CSAT_TEMPLATE_SID and "Body" not in sent.params
    assert json.loads(sent.params["ContentVariables"])["1"].startswith("Hoe tevreden")
    press = {**inbound_form(_sid(40), CUSTOMER, "4"), "ButtonPayload": "=csat:4",
             "ButtonText": "4"}
    assert (await _post(client, press)).status == 200
    async with client.app[DATABASE].sessions() as session:
        stored = (await session.execute(select(Message).where(
            Message.channel_message_id == _sid(40)))).scalar_one()
    assert stored.payload["button"] == "=csat:4" and stored.text == "4"
