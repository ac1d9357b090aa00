"""Plain Rasa side by side: a plain Rasa Open Source bot and supportbot, driven by the same
closed-loop driver, on the same machine, in one run.

The plain bot is built from the same Rasa 3.6.21 venv and the same NLU pipeline and
training data as supportbot's NLU service (nlu/config.yml, nlu/data/nlu.yml), with a
RulePolicy, one response per intent, the REST channel and Rasa's in-memory tracker store;
it is trained once and cached by the content hash of what it is built from (like
nlu/setup.py). supportbot runs as `supportbot run` (a fresh SQLite database, or
PostgreSQL with --postgres) and is driven over the web chat; it stores every message.

Workloads: `new` (every message opens a new conversation) and `ten` (conversations of
10 turns); each at 1, 4 and 16 messages in flight (that many conversations at once).
Prints one JSON object: both bots' throughput and reply p50/p99 per level and workload,
and the ratios (supportbot over plain Rasa).

    .venv/bin/python bench/plain_rasa.py [--messages 320] [--levels 1,4,16]
        [--postgres ADMIN_DSN] [--output bench/results/plain_rasa.json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `tests.fakes`, `bench`

from bench.cost import closed_loop, percentiles
from bench.load_stack import (
    FakePlatforms,
    app_environment,
    app_process,
    free_port,
    fresh_database,
    machine,
)
from bot.config import PROJECT_ROOT, Settings
from cli.common import nlu_service
from nlu.runtime import RASA_REQUIREMENTS, RasaRuntime, content_hash, find_python310
from nlu.training import rasa_environment

NLU_CONFIG = PROJECT_ROOT / "nlu" / "config.yml"
NLU_DATA = PROJECT_ROOT / "nlu" / "data" / "nlu.yml"
COMPONENTS = PROJECT_ROOT / "nlu" / "rasa_components"
# Questions answered in one reply by both bots (no form, no handoff), so that a 10-turn
# conversation stays a run of questions in supportbot too.
QUESTIONS = [
    ("nl", "Wat zijn jullie openingstijden?"),
    ("nl", "Hoeveel kost een uur support op afstand?"),
    ("nl", "Zijn jullie ook op zaterdag bereikbaar?"),
    ("de", "Wann ist Ihr Support erreichbar?"),
    ("de", "Was kostet eine Stunde Support?"),
    ("de", "Wie richte ich mein E-Mail-Konto in Outlook ein?"),
    ("en", "What are your opening hours?"),
    ("en", "How much does remote support cost per hour?"),
    ("en", "How do I set up my mail on my Android phone?"),
]
READY_TIMEOUT_S = 240.0
Ask = Callable[[list[str], list[float]], Awaitable[None]]


def project_files() -> dict[str, str]:
    """The plain bot's project: config, domain, rules, NLU data, REST credentials."""
    config = yaml.safe_load(NLU_CONFIG.read_text())
    config["policies"] = [{"name": "RulePolicy"}]
    nlu = yaml.safe_load(NLU_DATA.read_text())
    intents = sorted({block["intent"] for block in nlu["nlu"] if "intent" in block})
    domain = {"version": "3.1", "intents": intents,
              "responses": {f"utter_{i}": [{"text": f"The answer about {i}."}]
                            for i in intents},
              "session_config": {"session_expiration_time": 60,
                                 "carry_over_slots_to_new_session": True}}
    rules = {"version": "3.1", "rules": [
        {"rule": f"answer {i}", "steps": [{"intent": i}, {"action": f"utter_{i}"}]}
        for i in intents]}
    return {"config.yml": yaml.safe_dump(config), "domain.yml": yaml.safe_dump(domain),
            "data/rules.yml": yaml.safe_dump(rules), "data/nlu.yml": NLU_DATA.read_text(),
            "credentials.yml": yaml.safe_dump({"rest": None})}


def trained_plain_bot(cache_dir: Path, runtime: RasaRuntime) -> Path:
    """The plain bot's project folder with its trained model, trained only when the cache
    has none for exactly these files (training takes minutes)."""
    files = project_files()
    components = [p.read_bytes() for p in sorted(COMPONENTS.glob("*.py"))]
    key = content_hash(*(f"{name}\n{text}".encode() for name, text in sorted(files.items())),
                       RASA_REQUIREMENTS.read_bytes(), *components)
    folder = cache_dir / "plain-rasa" / key
    model = folder / "models" / "plain.tar.gz"
    if model.exists():
        print(f"Plain Rasa bot is up to date (cached): {folder}", file=sys.stderr)
        return folder
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    print("Training the plain Rasa bot (several minutes)", file=sys.stderr)
    subprocess.run([str(runtime.rasa), "train", "--config", "config.yml", "--domain",
                    "domain.yml", "--data", "data", "--out", "models",
                    "--fixed-model-name", "plain"],
                   cwd=folder, env=rasa_environment(), check=True)
    return folder


@contextlib.contextmanager
def plain_bot(folder: Path, runtime: RasaRuntime) -> Iterator[str]:
    """Serve the plain bot's REST channel; yield its webhook URL."""
    port = free_port()
    log = folder / f"serve-{port}.log"
    with log.open("ab") as output:
        process = subprocess.Popen(
            [str(runtime.rasa), "run", "--model", "models/plain.tar.gz", "--credentials",
             "credentials.yml", "--interface", "127.0.0.1", "--port", str(port)],
            cwd=folder, env=rasa_environment(), stdout=output, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    try:
        asyncio.run(_wait_answering(url, process, log))
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


async def _wait_answering(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the plain Rasa bot exited; see {log}")
            with contextlib.suppress(aiohttp.ClientError, OSError):
                async with http.post(url, json={"sender": "probe", "message": "hi"}) as reply:
                    if reply.status == 200 and await reply.json():
                        return
            await asyncio.sleep(1.0)
    raise RuntimeError(f"the plain Rasa bot did not answer within {READY_TIMEOUT_S:.0f} s")


def rasa_asker(http: aiohttp.ClientSession, url: str) -> Ask:
    async def ask(texts: list[str], latencies: list[float]) -> None:
        sender = uuid.uuid4().hex
        for text in texts:
            started = time.perf_counter()
            async with http.post(url, json={"sender": sender, "message": text}) as reply:
                await reply.read()
                if reply.status != 200:
                    raise RuntimeError(f"plain Rasa answered {reply.status}")
            latencies.append((time.perf_counter() - started) * 1000)
    return ask


def widget_asker(http: aiohttp.ClientSession, base: str) -> Ask:
    """One widget conversation: a reply is the first bot message frame after the message
    (supportbot answers each of QUESTIONS with one reply)."""
    async def ask(texts: list[str], latencies: list[float]) -> None:
        async with http.ws_connect(f"{base}/chat/ws", headers={"Origin": base}) as ws:
            await ws.send_json({"type": "hello", "token": None, "lang": "en"})
            while (await ws.receive_json(timeout=30)).get("type") != "welcome":
                pass
            for text in texts:
                started = time.perf_counter()
                await ws.send_json({"type": "message", "id": uuid.uuid4().hex,
                                    "text": text})
                while True:
                    frame = await ws.receive_json(timeout=30)
                    if frame.get("type") == "error":
                        raise RuntimeError(f"widget error: {frame}")
                    if frame.get("type") == "message" and frame.get("from") == "bot":
                        break
                latencies.append((time.perf_counter() - started) * 1000)
    return ask


async def drive(ask: Ask, messages: int, turns: int, in_flight: int) -> dict[str, Any]:
    """About `messages` messages (at least two conversations per one in flight) in
    conversations of `turns`, `in_flight` conversations at once."""
    count = max(2 * in_flight, messages // turns)  # every level keeps its conversations busy
    conversations = [[QUESTIONS[(c * turns + t) % len(QUESTIONS)][1] for t in range(turns)]
                     for c in range(count)]
    latencies: list[float] = []
    await ask(conversations[0][:1], [])  # warm-up
    elapsed = await closed_loop(conversations, in_flight,
                                lambda texts: ask(texts, latencies))
    return {"messages": len(latencies), "per_s": round(len(latencies) / elapsed, 1),
            **percentiles(latencies)}


async def compare(rasa_url: str, app_url: str, args: argparse.Namespace) -> dict[str, Any]:
    rows = []
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        bots = {"plain_rasa": rasa_asker(http, rasa_url),
                "supportbot": widget_asker(http, app_url)}
        for workload, turns in (("new", 1), ("ten", 10)):
            for level in args.levels:
                row: dict[str, Any] = {"workload": workload, "in_flight": level}
                for name, ask in bots.items():
                    row[name] = await drive(ask, args.messages, turns, level)
                plain, ours = row["plain_rasa"], row["supportbot"]
                row["throughput_ratio"] = round(ours["per_s"] / plain["per_s"], 2)
                row["p50_ratio"] = round(ours["p50_ms"] / plain["p50_ms"], 2)
                row["p99_ratio"] = round(ours["p99_ms"] / plain["p99_ms"], 2)
                rows.append(row)
                print(json.dumps(row), file=sys.stderr)
    at_16 = [r for r in rows if r["in_flight"] == max(args.levels)]
    return {"machine": machine(), "database": "postgresql" if args.postgres else "sqlite",
            "rows": rows,
            "targets": {
                "throughput_at_most_in_flight_at_least_2x": all(
                    r["throughput_ratio"] >= 2 for r in at_16),
                "lower_p50_and_p99_everywhere": all(
                    r["p50_ratio"] < 1 and r["p99_ratio"] < 1 for r in rows)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=320,
                        help="messages per bot, workload and level")
    parser.add_argument("--levels", default="1,4,16",
                        type=lambda v: [int(x) for x in v.split(",")])
    parser.add_argument("--postgres", metavar="ADMIN_DSN")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    settings = Settings()
    runtime = RasaRuntime.for_cache(settings.cache_dir, find_python310())
    folder = trained_plain_bot(settings.cache_dir, runtime)
    log_file = Path(tempfile.gettempdir()) / f"supportbot-plain-rasa-{int(time.time())}.log"
    with nlu_service(settings) as (settings, _), FakePlatforms() as (telegram, twilio), \
            fresh_database(args.postgres) as database_url, \
            plain_bot(folder, runtime) as rasa_url:
        port = free_port()
        env = app_environment(database_url, port, settings.resolved_nlu_url,
                              settings.nlu_token.get_secret_value(), telegram, twilio)
        with app_process(env, port, log_file) as app:
            result = asyncio.run(compare(rasa_url, app.url, args))
    text = json.dumps(result, indent=2)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
