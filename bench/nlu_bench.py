"""NLU latency benchmark: bare Rasa `/model/parse` versus our client, in the same run.

Prints one JSON object: p50/p99 latency with one request in flight, and parses per second
with several in flight, for both paths. Starts the NLU service itself when none answers.

    .venv/bin/python bench/nlu_bench.py [--requests 300] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
from collections.abc import Awaitable, Callable

import aiohttp

from bot.config import Settings
from cli.common import nlu_service
from nlu.client import NluClient
from nlu.dataset import load_examples
from nlu.training import HELD_OUT_DATA

Parse = Callable[[str], Awaitable[object]]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure(parse: Parse, texts: list[str], concurrency: int) -> dict[str, float]:
    latencies = []
    for text in texts:
        started = time.perf_counter()
        await parse(text)
        latencies.append((time.perf_counter() - started) * 1000)
    limit = asyncio.Semaphore(concurrency)

    async def one(text: str) -> None:
        async with limit:
            await parse(text)

    started = time.perf_counter()
    await asyncio.gather(*(one(text) for text in texts))
    elapsed = time.perf_counter() - started
    return {"p50_ms": round(statistics.median(latencies), 2),
            "p99_ms": round(percentile(latencies, 0.99), 2),
            "parses_per_s": round(len(texts) / elapsed, 1)}


async def run(url: str, token: str, texts: list[str], concurrency: int) -> dict[str, object]:
    async with aiohttp.ClientSession() as session:
        async def bare(text: str) -> object:
            async with session.post(f"{url}/model/parse", params={"token": token},
                                    json={"text": text}) as response:
                return await response.json()

        for text in texts[:20]:  # warm-up
            await bare(text)
        rasa = await measure(bare, texts, concurrency)
    async with NluClient(url, token, timeout=10) as client:
        ours = await measure(client.parse, texts, concurrency)
    return {"requests": len(texts), "concurrency": concurrency, "bare_rasa": rasa,
            "client": ours,
            "client_overhead_p50_ms": round(ours["p50_ms"] - rasa["p50_ms"], 2),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    settings = Settings()
    texts = [e.text for e in load_examples(HELD_OUT_DATA)]
    texts = (texts * (args.requests // len(texts) + 1))[: args.requests]
    with nlu_service(settings) as (settings, _):
        result = asyncio.run(run(settings.resolved_nlu_url,
                                 settings.nlu_token.get_secret_value(), texts, args.concurrency))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
