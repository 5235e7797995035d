"""The Redis lock store several Rasa replicas share, against a real redis-server on loopback."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.core.lock_store import RedisLockStore

from runtime.locks import ReplicaLockStore
from scripts.scale.services import ServiceError, ensure_installed, free_port


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    binary = shutil.which("redis-server")
    if binary is None:
        try:
            binary = ensure_installed()[1]  # Debian's redis-server, as `make test-scale` does
        except ServiceError as exc:
            pytest.skip(f"no redis-server: {exc}")
    port = free_port()
    folder: Path = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )
    store = ReplicaLockStore(host="127.0.0.1", port=port, db=0)
    for _ in range(100):
        try:
            store.red.ping()
            break
        except Exception:
            time.sleep(0.1)
    yield port
    process.terminate()
    process.wait(timeout=10)


def replica(port: int) -> ReplicaLockStore:
    return ReplicaLockStore(host="127.0.0.1", port=port, db=0)


async def test_turns_of_one_conversation_run_one_at_a_time(redis_port: int) -> None:
    a, b = replica(redis_port), replica(redis_port)
    order: list[str] = []

    async def turn(store: ReplicaLockStore, name: str) -> None:
        async with store.lock("c-serial", lock_lifetime=5):
            order.append(f"{name} in")
            await asyncio.sleep(0.3)
            order.append(f"{name} out")

    await asyncio.gather(turn(a, "first"), turn(b, "second"))
    assert order in (
        ["first in", "first out", "second in", "second out"],
        ["second in", "second out", "first in", "first out"],
    )
    assert a.get_lock("c-serial") is None  # nothing left behind


async def test_a_dead_replicas_lock_frees_and_the_waiter_goes_on(redis_port: int) -> None:
    dead, alive = replica(redis_port), replica(redis_port)
    dead.issue_ticket("c-dead", lock_lifetime=1.0)  # its replica is killed: never cleaned up
    started = time.monotonic()
    async with alive.lock("c-dead", lock_lifetime=1.0):
        waited = time.monotonic() - started
    assert 0.8 < waited < 3.0


async def test_rasas_own_store_waits_forever_there(redis_port: int) -> None:
    """The bug the replica store fixes: Rasa's waiter expires with the dead ticket."""
    dead = RedisLockStore(host="127.0.0.1", port=redis_port, db=0)
    dead.issue_ticket("c-rasa", lock_lifetime=1.0)
    waiter = RedisLockStore(host="127.0.0.1", port=redis_port, db=0)

    async def take() -> None:
        async with waiter.lock("c-rasa", lock_lifetime=1.0):
            pass

    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(take(), timeout=4)
    waiter.delete_lock("c-rasa")


async def test_a_waiter_whose_ticket_vanished_joins_the_line_again(redis_port: int) -> None:
    store, other = replica(redis_port), replica(redis_port)
    holder = other.issue_ticket("c-lost", lock_lifetime=30)

    async def wait_then_take() -> float:
        started = time.monotonic()
        async with store.lock("c-lost", lock_lifetime=30, wait_time_in_seconds=0.05):
            return time.monotonic() - started

    task = asyncio.ensure_future(wait_then_take())
    await asyncio.sleep(0.3)
    lock = store.get_lock("c-lost")
    assert lock is not None and len(lock.tickets) == 2
    lock.tickets.pop()  # the waiter's ticket disappears (a stall, or an old replica's write)
    store.save_lock(lock)
    await asyncio.sleep(0.3)
    other.cleanup("c-lost", holder)
    assert await asyncio.wait_for(task, timeout=5) < 5


def test_tickets_are_unique_across_replicas(redis_port: int) -> None:
    numbers: list[int] = []
    guard = threading.Lock()

    def issue() -> None:
        store = replica(redis_port)
        for _ in range(25):
            number = store.issue_ticket("c-race", lock_lifetime=60)
            with guard:
                numbers.append(number)

    threads = [threading.Thread(target=issue) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(numbers) == 200 and len(set(numbers)) == 200
    lock = replica(redis_port).get_lock("c-race")
    assert lock is not None and len(lock.tickets) == 200
    replica(redis_port).delete_lock("c-race")
