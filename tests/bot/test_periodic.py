"""The gateway's background rounds: on time, woken early, alive after a failure, stopped for good."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.periodic import Periodic


async def test_rounds_repeat_and_a_wake_runs_one_at_once() -> None:
    rounds: list[float] = []

    async def round_() -> None:
        rounds.append(asyncio.get_running_loop().time())

    job = Periodic("test", round_, interval=3600)
    job.start()
    await asyncio.sleep(0.05)
    assert len(rounds) == 1  # the first at once, the next in an hour
    job.wake()
    await asyncio.sleep(0.05)
    assert len(rounds) == 2  # woken: now
    job.interval = 0.01
    job.wake()
    await asyncio.sleep(0.2)
    assert len(rounds) > 4  # the new interval is read before each wait
    await job.stop()


async def test_a_failing_round_is_logged_by_type_and_the_next_one_comes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls = 0

    async def round_() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("secret details of the database")

    job = Periodic("outbox", round_, interval=0.01, failure_level=logging.ERROR)
    with caplog.at_level(logging.ERROR, logger="bot.periodic"):
        job.start()
        await asyncio.sleep(0.1)
        await job.stop()
    assert calls > 1
    assert "outbox round failed: ConnectionError" in caplog.text
    assert "secret details" not in caplog.text


async def test_first_delay_then_stop_ends_it_for_good() -> None:
    ran = asyncio.Event()

    async def round_() -> None:
        ran.set()

    job = Periodic("later", round_, interval=0.01, first_delay=3600)
    job.start()
    await asyncio.sleep(0.05)
    assert job.running and not ran.is_set()
    await job.stop()
    assert not job.running
    await asyncio.sleep(0.05)
    assert not ran.is_set()


async def test_stop_while_a_wake_arrives_does_not_hang() -> None:
    """Python 3.10's wait_for can swallow a cancel that meets a set event: the flag stops it."""

    async def round_() -> None:
        await asyncio.sleep(0)

    for _ in range(50):
        job = Periodic("race", round_, interval=0.001)
        job.start()
        await asyncio.sleep(0.002)
        job.wake()
        await asyncio.wait_for(job.stop(), timeout=2)
        assert not job.running
