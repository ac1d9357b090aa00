"""What a message costs: CPU time of whole process trees read from /proc, the NLU service's
own saturated parse rate, and a closed-loop driver (a fixed number of messages in flight).

CPU is counted for a process and all its descendants, so an app run with `--workers N` (a
supervisor and its workers) and a Rasa service with Sanic workers are each one figure.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TypeVar

import aiohttp

T = TypeVar("T")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _process_table() -> dict[int, tuple[int, float]]:
    """Every process: pid -> (parent pid, CPU seconds used, user plus system)."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            table[int(stat.parent.name)] = (int(fields[1]),
                                            (int(fields[11]) + int(fields[12])) / CLOCK_TICKS)
    return table


def tree_pids(root: int) -> list[int]:
    """`root` and all its descendants that are alive now."""
    table = _process_table()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        if pid in table:
            found.append(pid)
            pending += children.get(pid, [])
    return found


class CpuMeter:
    """CPU seconds of process trees between `start` and `stop`. Descendants are
    remembered as they are seen, so a worker that exits keeps its last count."""

    def __init__(self, roots: dict[str, int]) -> None:
        self.roots = roots
        self._before: dict[str, dict[int, float]] = {}
        self.used: dict[str, float] = {}

    def _snapshot(self) -> dict[str, dict[int, float]]:
        table = _process_table()
        return {who: {pid: table[pid][1] for pid in tree_pids(root) if pid in table}
                for who, root in self.roots.items()}

    def start(self) -> None:
        self._before, self._started = self._snapshot(), time.monotonic()

    def stop(self) -> dict[str, float]:
        """CPU seconds each tree used since `start` (new processes from zero)."""
        after = self._snapshot()
        self.elapsed = time.monotonic() - self._started
        self.used = {who: sum(cpu - self._before[who].get(pid, 0.0)
                              for pid, cpu in after[who].items())
                     for who in self.roots}
        return self.used

    def per_message(self, who: str, answered: int) -> float | None:
        """CPU milliseconds of `who` per answered message."""
        if who not in self.used or not answered:
            return None
        return round(self.used[who] * 1000 / answered, 2)

    def percent_of_one_core(self) -> dict[str, int]:
        return {who: round(used / self.elapsed * 100) for who, used in self.used.items()}


def percentiles(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"p50_ms": None, "p99_ms": None}
    ordered = sorted(values)
    return {"p50_ms": round(statistics.median(ordered), 1),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1)}


async def parse_capacity(url: str, token: str, texts: Sequence[str], nlu_pid: int | None, *,
                         concurrency: int = 8, seconds: float = 5.0) -> dict[str, object]:
    """The NLU service's own saturated rate: `concurrency` bare `/model/parse` requests
    kept in flight for `seconds`, after a short warm-up; with its CPU per parse."""
    meter = CpuMeter({"nlu": nlu_pid} if nlu_pid else {})
    latencies: list[float] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def parse(index: int) -> None:
            async with session.post(f"{url}/model/parse", params={"token": token},
                                    json={"text": texts[index % len(texts)]}) as response:
                await response.read()

        await asyncio.gather(*(parse(i) for i in range(concurrency * 2)))  # warm-up
        deadline = time.monotonic() + seconds
        meter.start()
        started = time.monotonic()

        async def keep_busy(offset: int) -> None:
            index = offset
            while time.monotonic() < deadline:
                begun = time.perf_counter()
                await parse(index)
                latencies.append((time.perf_counter() - begun) * 1000)
                index += concurrency

        await asyncio.gather(*(keep_busy(i) for i in range(concurrency)))
        elapsed = time.monotonic() - started
        meter.stop()
    return {"concurrency": concurrency, "seconds": round(elapsed, 1), "parses": len(latencies),
            "parses_per_s": round(len(latencies) / elapsed, 1),
            "nlu_cpu_ms_per_parse": meter.per_message("nlu", len(latencies)),
            "saturated": percentiles(latencies)}


async def closed_loop(items: Sequence[T], in_flight: int,
                      answer: Callable[[T], Awaitable[None]]) -> float:
    """Answer `items` keeping `in_flight` of them outstanding (the next one starts when one
    is answered); returns the seconds it took."""
    queue = list(reversed(items))
    started = time.monotonic()

    async def worker() -> None:
        while queue:
            await answer(queue.pop())

    await asyncio.gather(*(worker() for _ in range(max(1, in_flight))))
    return time.monotonic() - started
