"""Turns answered at once follow the acknowledgement latency: fewer while webhooks are
slow, all of them again once acknowledging is quick or nothing arrives."""

from __future__ import annotations

import asyncio

from bot import slots
from bot.slots import AdaptiveSlots


def test_slow_acknowledgements_halve_the_limit_and_quick_ones_raise_it_by_one() -> None:
    async def scenario() -> None:
        limit = AdaptiveSlots(most=16, target_s=0.025)
        seen = []
        for latency in (0.030, 0.100, 0.026, 0.050, 0.050, 0.050, 0.020, 0.010, 0.010):
            limit.observe(latency)
            seen.append(limit.limit)
        # 0.020 is neither slow nor quick (quick is under half the target)
        assert seen == [8, 4, 2, 1, 1, 1, 1, 2, 3]
        for _ in range(40):
            limit.observe(0.001)
        assert limit.limit == 16

    asyncio.run(scenario())


def test_waiting_turns_start_in_arrival_order_and_never_more_than_the_limit() -> None:
    async def scenario() -> None:
        limit = AdaptiveSlots(most=4, target_s=0.025)
        limit.observe(0.1)  # 4 -> 2
        running, most_at_once, started = 0, 0, []

        async def turn(number: int) -> None:
            nonlocal running, most_at_once
            async with limit.slot():
                started.append(number)
                running += 1
                most_at_once = max(most_at_once, running)
                await asyncio.sleep(0.01)
                running -= 1

        await asyncio.gather(*(turn(number) for number in range(8)))
        assert started == list(range(8))
        assert most_at_once == 2

    asyncio.run(scenario())


def test_a_quiet_moment_restores_the_full_concurrency() -> None:
    async def scenario() -> None:
        limit = AdaptiveSlots(most=3, target_s=0.025)
        for _ in range(3):
            limit.observe(0.2)
        assert limit.limit == 1
        release = asyncio.Event()
        running = 0

        async def turn() -> None:
            nonlocal running
            async with limit.slot():
                running += 1
                await release.wait()

        turns = [asyncio.create_task(turn()) for _ in range(3)]
        await asyncio.sleep(0.01)
        assert running == 1  # flooded: one at a time
        await asyncio.sleep(slots.QUIET_S + 0.05)
        assert limit.limit == 3 and running == 3  # nothing stored since: all at once
        release.set()
        await asyncio.gather(*turns)

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
        assert waiter.cancelled() or waiter.done()
        async with limit.slot():
            assert limit.busy == 1
        assert limit.busy == 0

    asyncio.run(scenario())
