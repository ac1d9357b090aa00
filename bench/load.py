"""Load benchmark: the running app driven through its real webhooks at a fixed rate.

Signed Telegram updates, signed Twilio WhatsApp forms and widget WebSocket messages, in a
mix, are sent open loop (message i at t0 + i/rate, whether or not earlier ones were
answered) to `supportbot run` in a subprocess, with the real NLU service and the fake
Telegram and Twilio APIs from `tests/fakes/` on localhost. Prints one JSON object:
acknowledgement and reply latency, throughput, errors, app and NLU memory, bare Rasa
`/model/parse` latency from the same run, and the targets with pass/fail.

Reply latency is measured from the moment the webhook request was sent (so it includes
the acknowledgement) to the moment the fake platform API received the first send call for
that chat; for the widget, from the message frame being sent to the reply frame arriving.
Every message has its own chat (chat id, phone number or widget visitor), so each reply
is matched to its message.

    .venv/bin/python bench/load.py [--phase reply|ack|both] [--rate R] [--duration S]
        [--mix telegram:0.4,whatsapp:0.4,webchat:0.2] [--postgres ADMIN_DSN] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `tests.fakes`, `bench`

from bench.load_stack import (
    TELEGRAM_SECRET,
    TWILIO_AUTH_TOKEN,
    FakePlatforms,
    TimedTwilioApi,
    app_environment,
    app_process,
    cpu_seconds,
    free_port,
    fresh_database,
    listening_pid,
    machine,
    memory_mb,
    tree_memory_mb,
)
from bot.config import PROJECT_ROOT, Settings
from cli.common import nlu_service
from tests.fakes.telegram_api import FakeTelegramApi, text_update
from tests.fakes.twilio_api import inbound_form, sign

CHANNELS = ("telegram", "whatsapp", "webchat")
PHASES = {"reply": (50.0, 20.0), "ack": (200.0, 10.0)}  # default rate (msg/s), duration (s)
TARGETS_MS = {"reply_p50": 150.0, "reply_p99": 500.0, "ack_p99": 50.0}
APP_RSS_TARGET_MB = 200.0
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=30)

# What customers write, in the three languages the bot speaks: (language, text).
TEXTS = [
    ("nl", "Wat zijn jullie openingstijden?"),
    ("nl", "Hoeveel kost een uur support op afstand?"),
    ("nl", "Mijn laptop start niet meer op, valt dat nog onder de garantie?"),
    ("nl", "Hoe stel ik mijn zakelijke e-mail in op mijn iPhone?"),
    ("nl", "Kunnen jullie mij vandaag nog terugbellen?"),
    ("nl", "Ik wil een klacht indienen over de reparatie van mijn printer"),
    ("nl", "Zijn jullie ook op zaterdag bereikbaar?"),
    ("nl", "Is er op dit moment een storing bij jullie?"),
    ("de", "Wann ist Ihr Support erreichbar?"),
    ("de", "Was kostet eine Stunde Support?"),
    ("de", "Mein Drucker ist nach drei Monaten kaputt, ist das ein Garantiefall?"),
    ("de", "Wie richte ich mein E-Mail-Konto in Outlook ein?"),
    ("de", "Können Sie mich bitte zurückrufen?"),
    ("de", "Ich möchte mich über die lange Wartezeit beschweren"),
    ("de", "Brauche ich einen Wartungsvertrag für meine Server?"),
    ("de", "Helfen Sie auch bei Software-Updates?"),
    ("en", "What are your opening hours?"),
    ("en", "How much does remote support cost per hour?"),
    ("en", "My monitor stopped working, is it still under warranty?"),
    ("en", "How do I set up my work mail on Android?"),
    ("en", "Can someone call me back please?"),
    ("en", "Is there an outage right now? Nothing loads."),
    ("en", "I would like to speak to a person"),
    ("en", "Do you also support customers who bought through a reseller?"),
]


@dataclass
class Sent:
    """One customer message and what happened to it; times are `time.time()` seconds."""

    index: int
    channel: str
    recipient: str  # where the reply goes: chat id, phone number, or "" for the widget
    language: str
    text: str
    offered_at: float = 0.0  # when the scheduler started sending it
    lag_ms: float = 0.0  # how late that was
    sent_at: float | None = None
    ack_ms: float | None = None  # webhook answer, or the widget's "ack" frame
    replied_at: float | None = None
    reply_text: str | None = None
    error: str | None = None

    @property
    def reply_ms(self) -> float | None:
        if self.replied_at is None or self.sent_at is None:
            return None
        return (self.replied_at - self.sent_at) * 1000


class ReplyWatch:
    """Matches the send calls the fake platforms received to the messages awaiting them."""

    def __init__(self, telegram: FakeTelegramApi, twilio: TimedTwilioApi) -> None:
        self.telegram, self.twilio = telegram, twilio
        self.telegram_seen, self.twilio_seen = len(telegram.calls), len(twilio.arrived)
        self.waiting: dict[tuple[str, str], Sent] = {}

    def poll(self) -> None:
        calls = self.telegram.calls[self.telegram_seen:]
        self.telegram_seen += len(calls)
        for call in calls:
            if call.method == "sendMessage":
                self._match("telegram", str(call.params.get("chat_id")), call.at,
                            str(call.params.get("text")))
        arrived = self.twilio.arrived[self.twilio_seen:]
        self.twilio_seen += len(arrived)
        for at, to, body in arrived:
            self._match("whatsapp", to.removeprefix("whatsapp:"), at, body)

    def _match(self, channel: str, recipient: str, at: float, text: str) -> None:
        sent = self.waiting.pop((channel, recipient), None)
        if sent is not None:
            sent.replied_at, sent.reply_text = at, text


class Traffic:
    """Sends one message on its channel and records its acknowledgement (and, for the
    widget, its reply)."""

    def __init__(self, http: aiohttp.ClientSession, app_url: str) -> None:
        self.http, self.app_url = http, app_url

    async def send(self, sent: Sent) -> None:
        try:
            if sent.channel == "webchat":
                await self._widget(sent)
            else:
                await self._webhook(sent)
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            sent.error = sent.error or f"exception_{type(error).__name__}"

    async def _webhook(self, sent: Sent) -> None:
        if sent.channel == "telegram":
            path = "/webhooks/telegram"
            update = text_update(sent.index, int(sent.recipient), sent.text,
                                 language_code=sent.language)
            request = {"json": update,
                       "headers": {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}}
        else:
            path = "/webhooks/whatsapp"
            form = inbound_form(f"SM{uuid.uuid4().hex}", sent.recipient, sent.text)
            signature = sign(TWILIO_AUTH_TOKEN, f"{self.app_url}{path}", form)
            request = {"data": form, "headers": {"X-Twilio-Signature": signature}}
        sent.sent_at, started = time.time(), time.perf_counter()
        async with self.http.post(f"{self.app_url}{path}", timeout=HTTP_TIMEOUT,
                                  **request) as response:
            await response.read()
        sent.ack_ms = (time.perf_counter() - started) * 1000
        if response.status != 200:
            sent.error = f"http_{response.status}"

    async def _widget(self, sent: Sent) -> None:
        async with self.http.ws_connect(f"{self.app_url}/chat/ws",
                                        headers={"Origin": self.app_url}) as ws:
            await ws.send_json({"type": "hello", "token": None, "lang": sent.language})
            welcome = await ws.receive_json(timeout=30)
            if welcome.get("type") != "welcome":
                sent.error = f"ws_{welcome.get('type')}"
                return
            sent.sent_at, started = time.time(), time.perf_counter()
            await ws.send_json({"type": "message", "id": str(uuid.uuid4()), "text": sent.text})
            async for frame in ws:
                if frame.type != aiohttp.WSMsgType.TEXT:
                    break
                data = json.loads(frame.data)
                if data.get("type") == "ack" and sent.ack_ms is None:
                    sent.ack_ms = (time.perf_counter() - started) * 1000
                elif data.get("type") == "message":
                    sent.replied_at, sent.reply_text = time.time(), str(data.get("text"))
                    return
                elif data.get("type") == "error":
                    sent.error = f"ws_error_{data.get('code')}"
                    return
            sent.error = f"ws_closed_{ws.close_code}"


def plan(count: int, first_index: int, mix: dict[str, float], seed: int) -> list[Sent]:
    """`count` messages with channels drawn by the mix and texts taken in turn."""
    rng = random.Random(seed)
    channels = rng.choices(list(mix), weights=list(mix.values()), k=count)
    messages = []
    for offset, channel in enumerate(channels):
        index = first_index + offset
        language, text = TEXTS[index % len(TEXTS)]
        recipient = {"telegram": str(5_000_000 + index), "whatsapp": f"+3162{index:07d}",
                     "webchat": ""}[channel]
        messages.append(Sent(index, channel, recipient, language, text))
    return messages


async def run_phase(traffic: Traffic, watch: ReplyWatch, messages: list[Sent], rate: float,
                    reply_timeout: float) -> None:
    """Send open loop at `rate`, then wait up to `reply_timeout` s for the last replies."""
    loop = asyncio.get_running_loop()
    watch.waiting.update({(m.channel, m.recipient): m for m in messages
                          if m.channel != "webchat"})
    tasks = []
    t0 = loop.time() + 0.1
    for position, sent in enumerate(messages):
        due = t0 + position / rate
        await asyncio.sleep(max(0.0, due - loop.time()))
        sent.lag_ms, sent.offered_at = (loop.time() - due) * 1000, time.time()
        tasks.append(asyncio.create_task(traffic.send(sent)))
    deadline = loop.time() + reply_timeout
    while loop.time() < deadline:
        watch.poll()
        if all(task.done() for task in tasks) and not any(
                m.replied_at is None and m.error is None for m in messages):
            break
        await asyncio.sleep(0.05)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    watch.poll()


def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50_ms": None, "p99_ms": None}
    ordered = sorted(values)
    return {"p50_ms": round(statistics.median(ordered), 1),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1)}


def summarise(messages: list[Sent], rate: float, duration: float,
              apologies: list[str]) -> dict[str, object]:
    """The phase's figures; unanswered messages and NLU-down apologies count as errors."""
    for sent in messages:
        if sent.error is None and sent.replied_at is None:
            sent.error = "no_reply"
        if sent.reply_text and any(sent.reply_text.startswith(a) for a in apologies):
            sent.error = sent.error or "nlu_down_reply"
    started = min((m.offered_at for m in messages), default=0.0)
    last_send = max((m.offered_at for m in messages), default=started)
    last_reply = max((m.replied_at for m in messages if m.replied_at), default=started)
    replied = [m for m in messages if m.replied_at is not None]
    errors: dict[str, int] = {}
    for sent in messages:
        if sent.error:
            errors[sent.error] = errors.get(sent.error, 0) + 1
    per_channel = {}
    for channel in sorted({m.channel for m in messages}):
        mine = [m for m in messages if m.channel == channel]
        per_channel[channel] = {
            "messages": len(mine), "replied": sum(m.replied_at is not None for m in mine),
            "ack": percentiles([m.ack_ms for m in mine if m.ack_ms is not None]),
            "reply": percentiles([m.reply_ms for m in mine if m.reply_ms is not None])}
    return {
        "rate_msg_per_s": rate, "duration_s": duration, "messages": len(messages),
        "sent_per_s": round((len(messages) - 1) / (last_send - started), 1)
        if last_send > started else None,
        "send_lag_p99_ms": percentiles([m.lag_ms for m in messages])["p99_ms"],
        "replied": len(replied),
        "sustained_msg_per_s": round(len(replied) / (last_reply - started), 1)
        if last_reply > started else None,
        "errors": sum(errors.values()), "error_kinds": errors,
        "webhook_ack": percentiles([m.ack_ms for m in messages
                                    if m.ack_ms is not None and m.channel != "webchat"]),
        "reply": percentiles([m.reply_ms for m in replied if m.reply_ms is not None]),
        "per_channel": per_channel,
    }


async def bare_rasa(url: str, token: str, parses: int) -> dict[str, object]:
    """Sequential `/model/parse` latency, one request in flight, after a short warm-up."""
    texts = [text for _, text in TEXTS]
    latencies = []
    async with aiohttp.ClientSession() as session:
        for index in range(20 + parses):
            started = time.perf_counter()
            async with session.post(f"{url}/model/parse", params={"token": token},
                                    json={"text": texts[index % len(texts)]}) as response:
                await response.json()
            if index >= 20:
                latencies.append((time.perf_counter() - started) * 1000)
    return {"parses": parses, **percentiles(latencies)}


def nlu_down_texts() -> list[str]:
    """The start of the bot's "technical problem" apology in every language."""
    folder = PROJECT_ROOT / "bot" / "catalogue"
    return [str(yaml.safe_load(path.read_text())["nlu_down"])[:40]
            for path in sorted(folder.glob("*.yml"))]


def judge(phases: dict[str, dict[str, object]], app_rss: float) -> list[dict[str, object]]:
    """Each target with the figure it is judged on; `pass` is null when its phase did not run.
    A latency target also fails when any message of its phase went unanswered or erred."""
    checks = [("reply_p50", "reply", "reply", "p50_ms"), ("reply_p99", "reply", "reply", "p99_ms"),
              ("ack_p99", "ack", "webhook_ack", "p99_ms")]
    verdicts: list[dict[str, object]] = []
    for name, phase_name, figure, key in checks:
        phase = phases.get(phase_name)
        measured = phase[figure][key] if phase else None  # type: ignore[index]
        clean = bool(phase) and phase["errors"] == 0  # type: ignore[index]
        verdicts.append({
            "target": name, "limit_ms": TARGETS_MS[name],
            "at_rate_msg_per_s": phase["rate_msg_per_s"] if phase else None,
            "measured_ms": measured,
            "pass": None if measured is None else clean and measured <= TARGETS_MS[name]})
    verdicts.append({"target": "app_peak_rss", "limit_mb": APP_RSS_TARGET_MB,
                     "measured_mb": app_rss, "pass": app_rss <= APP_RSS_TARGET_MB})
    return verdicts


async def measure(args: argparse.Namespace, app_url: str, app_pid: int, settings: Settings,
                  telegram: FakeTelegramApi, twilio: TimedTwilioApi) -> dict[str, object]:
    token = settings.nlu_token.get_secret_value()
    rasa = await bare_rasa(settings.resolved_nlu_url, token, args.parses)
    watch = ReplyWatch(telegram, twilio)
    phases: dict[str, dict[str, object]] = {}
    next_index = 1
    nlu_pid = listening_pid(urlsplit(settings.resolved_nlu_url).port or 80)
    busy = {"app": app_pid, "nlu": nlu_pid, "load_generator": os.getpid()}
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        traffic = Traffic(http, app_url)
        for name in ("reply", "ack") if args.phase == "both" else (args.phase,):
            rate = args.rate or PHASES[name][0]
            duration = args.duration or PHASES[name][1]
            messages = plan(max(1, round(rate * duration)), next_index, args.mix, args.seed)
            next_index += len(messages)
            before = {who: cpu_seconds(pid) for who, pid in busy.items() if pid}, time.time()
            await run_phase(traffic, watch, messages, rate, args.reply_timeout)
            phases[name] = summarise(messages, rate, duration, nlu_down_texts())
            elapsed = time.time() - before[1]
            phases[name]["cpu_percent_of_one_core"] = {
                who: round((cpu_seconds(busy[who]) - used) / elapsed * 100)
                for who, used in before[0].items()}
    app_memory = memory_mb(app_pid)
    reply_p50 = phases["reply"]["reply"]["p50_ms"] if "reply" in phases else None  # type: ignore[index]
    return {
        "machine": machine(),
        "database": "postgresql" if args.postgres else "sqlite",
        "mix": args.mix,
        "reply_latency": "webhook request sent -> first send call received by the fake "
                         "platform API; widget: message frame sent -> reply frame received",
        "bare_rasa_parse": rasa,
        "phases": phases,
        "reply_p50_over_bare_rasa_p50": round(reply_p50 / rasa["p50_ms"], 2)  # type: ignore[operator]
        if reply_p50 is not None and rasa["p50_ms"] else None,
        "errors": sum(int(p["errors"]) for p in phases.values()),  # type: ignore[call-overload]
        "app_memory": app_memory,
        "nlu_memory": tree_memory_mb(nlu_pid) if nlu_pid else None,
        "targets": judge(phases, app_memory["peak_rss_mb"]),
    }


def parse_mix(value: str) -> dict[str, float]:
    mix = {}
    for part in value.split(","):
        channel, _, share = part.partition(":")
        if channel.strip() not in CHANNELS:
            raise argparse.ArgumentTypeError(f"unknown channel {channel!r}; use {CHANNELS}")
        mix[channel.strip()] = float(share)
    return mix


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phase", choices=("reply", "ack", "both"), default="both")
    parser.add_argument("--rate", type=float, help="msg/s for every phase run "
                        "(default: 50 for reply, 200 for ack)")
    parser.add_argument("--duration", type=float, help="seconds of sending per phase "
                        "(default: 20 for reply, 10 for ack)")
    parser.add_argument("--mix", type=parse_mix, default="telegram:0.4,whatsapp:0.4,webchat:0.2")
    parser.add_argument("--reply-timeout", type=float, default=60.0,
                        help="seconds to wait for the last replies after the last send")
    parser.add_argument("--parses", type=int, default=200, help="bare Rasa parses")
    parser.add_argument("--postgres", metavar="ADMIN_DSN",
                        help="a fresh PostgreSQL database next to this one instead of SQLite")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 10 msg/s for 3 s, 50 bare parses")
    args = parser.parse_args()
    if args.quick:
        args.rate, args.duration, args.parses = 10.0, 3.0, 50
    log_file = Path(tempfile.gettempdir()) / f"supportbot-load-{int(time.time())}.log"
    with nlu_service(Settings()) as (settings, _), FakePlatforms() as (telegram, twilio), \
            fresh_database(args.postgres) as database_url:
        port = free_port()
        env = app_environment(database_url, port, settings.resolved_nlu_url,
                              settings.nlu_token.get_secret_value(), telegram, twilio)
        with app_process(env, port, log_file) as app:
            result = asyncio.run(measure(args, app.url, app.pid, settings, telegram, twilio))
    result["app_log"] = str(log_file)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
