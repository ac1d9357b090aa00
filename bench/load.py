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

Cost (issue 19): the NLU service's own saturated parse rate is measured first
(`nlu_parse_capacity_per_s`), and the open-loop phases are offered at shares of it:
`saturate` 125 % (what is sustained), `reply` 80 % (latency), `ack` 400 % (acknowledging
while a backlog is answered); `single` sends one message at a time (closed loop). Every
phase reports the CPU milliseconds per answered message of the app's process tree and of
the NLU service's (`app_cpu_ms_per_message`, `nlu_cpu_ms_per_message`); the targets are
ratios, judged in `targets` (see bench/targets.py).

    .venv/bin/python bench/load.py [--phase all|both|single,saturate,reply,ack]
        [--rate R] [--duration S] [--workers N] [--postgres ADMIN_DSN] [--quick]
        [--mix telegram:0.4,whatsapp:0.4,webchat:0.2] [--output bench/results/X.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `tests.fakes`, `bench`

from bench.cost import CpuMeter, closed_loop, parse_capacity, percentiles, tree_pids
from bench.load_stack import (
    TELEGRAM_SECRET,
    TWILIO_AUTH_TOKEN,
    FakePlatforms,
    TimedTwilioApi,
    app_environment,
    app_process,
    free_port,
    fresh_database,
    listening_pid,
    machine,
    memory_mb,
    tree_memory_mb,
)
from bench.targets import judge
from bot.config import PROJECT_ROOT, Settings
from cli.common import nlu_service
from tests.fakes.telegram_api import FakeTelegramApi, text_update
from tests.fakes.twilio_api import inbound_form, sign

CHANNELS = ("telegram", "whatsapp", "webchat")
# Open-loop phases: offered rate as a share of the NLU's saturated parse rate, seconds.
OPEN_PHASES = {"saturate": (1.25, 20.0), "reply": (0.8, 20.0), "ack": (4.0, 10.0)}
SINGLE_MESSAGES = 40  # the closed-loop phase with one message in flight
ALL_PHASES = ("single", "saturate", "reply", "ack")
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

    async def answer(self, sent: Sent, watch: ReplyWatch, within_s: float) -> None:
        """Send one message and wait for its reply (the closed-loop phases)."""
        if sent.channel != "webchat":
            watch.waiting[(sent.channel, sent.recipient)] = sent
        sent.offered_at = time.time()
        await self.send(sent)
        deadline = time.monotonic() + within_s
        while sent.replied_at is None and sent.error is None and time.monotonic() < deadline:
            watch.poll()
            await asyncio.sleep(0.001)

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


def summarise(messages: list[Sent], rate: float, duration: float,
              apologies: list[str]) -> dict[str, Any]:
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


async def bare_rasa(url: str, token: str, parses: int) -> dict[str, Any]:
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


def _apply_cost(phase: dict[str, Any], meter: CpuMeter) -> None:
    replied = int(phase["replied"])
    phase["app_cpu_ms_per_message"] = meter.per_message("app", replied)
    phase["nlu_cpu_ms_per_message"] = meter.per_message("nlu", replied)
    phase["cpu_percent_of_one_core"] = meter.percent_of_one_core()


async def run_named_phase(name: str, args: argparse.Namespace, traffic: Traffic,
                          watch: ReplyWatch, meter: CpuMeter, first_index: int,
                          capacity: float, parse_p50: float | None) -> dict[str, Any]:
    """One phase: `single` is closed loop with one message in flight, the others are open
    loop at a share of the NLU capacity (or at `--rate`)."""
    if name == "single":
        messages = plan(args.single_messages, first_index, args.mix, args.seed)
        meter.start()
        elapsed = await closed_loop(messages, 1, lambda sent: traffic.answer(
            sent, watch, args.reply_timeout))
        meter.stop()
        phase = summarise(messages, 0.0, elapsed, nlu_down_texts())
        phase["in_flight"] = 1
        reply_p50 = phase["reply"]["p50_ms"]
        phase["reply_p50_over_bare_parse_p50"] = round(reply_p50 / parse_p50, 2) \
            if reply_p50 and parse_p50 else None
    else:
        share, duration = OPEN_PHASES[name]
        rate = args.rate or max(1.0, round(share * capacity, 1))
        duration = args.duration or duration
        messages = plan(max(1, round(rate * duration)), first_index, args.mix, args.seed)
        meter.start()
        await run_phase(traffic, watch, messages, rate, args.reply_timeout)
        meter.stop()
        phase = summarise(messages, rate, duration, nlu_down_texts())
        phase["rate_share_of_nlu_capacity"] = None if args.rate else share
    _apply_cost(phase, meter)
    return phase


async def measure(args: argparse.Namespace, app_url: str, app_pid: int, settings: Settings,
                  telegram: FakeTelegramApi, twilio: TimedTwilioApi) -> dict[str, Any]:
    token = settings.nlu_token.get_secret_value()
    nlu_pid = listening_pid(urlsplit(settings.resolved_nlu_url).port or 80)
    rasa = await bare_rasa(settings.resolved_nlu_url, token, args.parses)
    capacity = await parse_capacity(settings.resolved_nlu_url, token, [t for _, t in TEXTS],
                                    nlu_pid, concurrency=args.capacity_concurrency,
                                    seconds=args.capacity_seconds)
    parses_per_s = float(capacity["parses_per_s"])  # type: ignore[arg-type]
    parse_p50 = rasa["p50_ms"]
    watch = ReplyWatch(telegram, twilio)
    phases: dict[str, dict[str, Any]] = {}
    next_index = 1
    meter = CpuMeter({"app": app_pid, **({"nlu": nlu_pid} if nlu_pid else {})})
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        traffic = Traffic(http, app_url)
        for name in args.phases:
            generator_before = time.process_time()
            phases[name] = await run_named_phase(name, args, traffic, watch, meter,
                                                 next_index, parses_per_s, parse_p50)
            phases[name]["load_generator_cpu_s"] = round(
                time.process_time() - generator_before, 1)
            next_index += int(phases[name]["messages"])
    app_processes = {pid: memory_mb(pid) for pid in tree_pids(app_pid)}
    app_rss = max((m["peak_rss_mb"] for m in app_processes.values()), default=0.0)
    return {
        "machine": machine(),
        "database": "postgresql" if args.postgres else "sqlite",
        "mix": args.mix,
        "reply_latency": "webhook request sent -> first send call received by the fake "
                         "platform API; widget: message frame sent -> reply frame received",
        "bare_rasa_parse": rasa,
        "nlu_parse_capacity_per_s": parses_per_s,
        "nlu_capacity_run": capacity,
        "phases": phases,
        "reply_p50_over_bare_parse_p50": phases.get("single", {}).get(
            "reply_p50_over_bare_parse_p50"),
        "errors": sum(int(p["errors"]) for p in phases.values()),
        "app_memory": {"processes": len(app_processes), "peak_rss_mb_per_process": app_rss,
                       "rss_mb_total": round(sum(m["rss_mb"] for m in app_processes.values()),
                                             1)},
        "nlu_memory": tree_memory_mb(nlu_pid) if nlu_pid else None,
        "targets": judge(phases, parses_per_s, parse_p50, app_rss),
    }


def parse_mix(value: str) -> dict[str, float]:
    mix = {}
    for part in value.split(","):
        channel, _, share = part.partition(":")
        if channel.strip() not in CHANNELS:
            raise argparse.ArgumentTypeError(f"unknown channel {channel!r}; use {CHANNELS}")
        mix[channel.strip()] = float(share)
    return mix


def parse_phases(value: str) -> tuple[str, ...]:
    if value == "all":
        return ALL_PHASES
    if value == "both":
        return ("reply", "ack")
    names = tuple(part.strip() for part in value.split(","))
    unknown = [name for name in names if name not in ALL_PHASES]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown phase {unknown[0]!r}; use {ALL_PHASES}")
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phase", dest="phases", type=parse_phases, default=ALL_PHASES,
                        help="all (default), both (reply,ack), or a list of "
                             "single,saturate,reply,ack")
    parser.add_argument("--rate", type=float, help="msg/s for every open-loop phase "
                        "(default: a share of the measured NLU capacity)")
    parser.add_argument("--duration", type=float, help="seconds of sending per open-loop "
                        "phase (default: 20, ack 10)")
    parser.add_argument("--single-messages", type=int, default=SINGLE_MESSAGES)
    parser.add_argument("--capacity-seconds", type=float, default=5.0)
    parser.add_argument("--capacity-concurrency", type=int, default=8)
    parser.add_argument("--mix", type=parse_mix, default="telegram:0.4,whatsapp:0.4,webchat:0.2")
    parser.add_argument("--reply-timeout", type=float, default=60.0,
                        help="seconds to wait for the last replies after the last send")
    parser.add_argument("--parses", type=int, default=200, help="bare Rasa parses")
    parser.add_argument("--postgres", metavar="ADMIN_DSN",
                        help="a fresh PostgreSQL database next to this one instead of SQLite")
    parser.add_argument("--workers", type=int, default=1,
                        help="app processes (`supportbot run --workers N`; more than one "
                             "needs --postgres and --redis)")
    parser.add_argument("--redis", metavar="URL", help="SUPPORTBOT_REDIS_URL for the app "
                        "(and the lock store of an NLU service with several workers)")
    parser.add_argument("--nlu-workers", type=int, default=1,
                        help="Sanic workers of the NLU service, if the benchmark starts one "
                             "(none answers at SUPPORTBOT_NLU_URL); more than one needs --redis")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", type=Path, help="also write the JSON to this file")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 2 s capacity, 8 single messages, 3 s phases "
                             "(ack 2 s), 30 bare parses")
    args = parser.parse_args()
    if args.quick:
        args.duration = args.duration or 3.0
        args.capacity_seconds, args.single_messages, args.parses = 2.0, 8, 30
    log_file = Path(tempfile.gettempdir()) / f"supportbot-load-{int(time.time())}.log"
    nlu_settings = Settings()
    if args.redis:
        nlu_settings = nlu_settings.model_copy(update={"redis_url": args.redis})
    with nlu_service(nlu_settings, args.nlu_workers) as (settings, _), \
            FakePlatforms() as (telegram, twilio), \
            fresh_database(args.postgres) as database_url:
        port = free_port()
        env = app_environment(database_url, port, settings.resolved_nlu_url,
                              settings.nlu_token.get_secret_value(), telegram, twilio)
        if args.redis:
            env["SUPPORTBOT_REDIS_URL"] = args.redis
            env["SUPPORTBOT_REDIS_CHANNEL_PREFIX"] = f"bench-{port}:"
        with app_process(env, port, log_file, args.workers) as app:
            result = asyncio.run(measure(args, app.url, app.pid, settings, telegram, twilio))
    result["app_log"] = str(log_file)
    result["workers"] = args.workers
    result["nlu_workers_requested"] = args.nlu_workers
    text = json.dumps(result, indent=2)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
