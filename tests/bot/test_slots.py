"""Turns answered at once follow the acknowledgement latency: as many as the traffic
needs while acknowledging is quick, fewer while it is slow, and the whole backlog's worth
(up to the most) once nothing arrives."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

from bot import slots
from bot.slots import AdaptiveSlots


def test_quick_acknowledgements_raise_the_limit_only_while_every_slot_is_taken() -> None:
    async def scenario() -> None:
        limit = AdaptiveSlots(most=3, target_s=0.025)
        limit.observe(0.001)
        assert limit.limit == 1  # nothing running: no need for more
        async with AsyncExitStack() as held:
            seen = []
            for _ in range(4):
                if limit.busy < limit.limit:
                    await held.enter_async_context(limit.slot())
                limit.observe(0.001)
                seen.append(limit.limit)
            assert seen == [2, 3, 3, 3]  # never past the most
            limit.observe(0.020)  # neither slow nor quick (quick is under half the target)
            assert limit.limit == 3
            limit.observe(0.030)
            assert limit.limit == 1
            limit.observe(0.100)
            assert limit.limit == 1

    asyncio.run(scenario())


def test_a_backlog_waits_while_acknowledging_is_slow_then_runs_in_arrival_order() -> None:
    async def scenario() -> None:
        limit = AdaptiveSlots(most=3, target_s=0.025)
        limit.observe(0.2)
        running, most_at_once, started = 0, 0, []

        async def turn(number: int) -> None:
            nonlocal running, most_at_once
            async with limit.slot():
                started.append(number)
                running += 1
                most_at_once = max(most_at_once, running)
                await asyncio.sleep(0.05)
                running -= 1

        turns = [asyncio.create_task(turn(number)) for number in range(9)]
        await asyncio.sleep(0.12)
        assert most_at_once == 1  # flooded: one at a time
        await asyncio.gather(*turns)
        assert started == list(range(9))
        assert most_at_once == 3  # nothing stored for a moment: as many as the most

    asyncio.run(scenario())


def test_with_nothing_waiting_a_quiet_moment_brings_the_limit_back_to_what_runs() -> None:
    async def scenario() -> None:
        limit = AdaptiveSlots(most=4, target_s=0.025)
        limit.limit = 4  # after draining a backlog
        limit.observe(0.001)
        await asyncio.sleep(slots.QUIET_S + 0.05)
        assert limit.limit == 1

    asyncio.run(scenario())


def test_a_turn_given_up_while_waiting_does_not_keep_a_slot() -> None:
    async def scenario() -> None:
        limit = AdaptiveSlots(most=1, target_s=0.025)
        first_done = asyncio.Event()

        async def first() -> None:
            async with limit.slot():
                await first_done.wait()

        holder = asyncio.create_task(first())
        await asyncio.sleep(0)
        waiter = asyncio.create_task(first())
        await asyncio.sleep(0)
        waiter.cancel()
        first_done.set()
        await holder
        assert waiter.cancelled()
        async with limit.slot():
            assert limit.busy == 1
        assert limit.busy == 0

    asyncio.run(scenario())
