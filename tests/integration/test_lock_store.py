"""The atomic Redis lock store (bot/rasa_lock_store.py) on the machine's real Redis, as several replicas."""
from __future__ import annotations

import asyncio
import threading
import uuid

import pytest
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_lock_store import AtomicRedisLockStore

REDIS = EndpointConfig(url="127.0.0.1", port=6379, db=0)


@pytest.fixture
def stores():
    """Eight lock stores sharing one key prefix, like eight Rasa processes."""
    prefix = "etowntest" + uuid.uuid4().hex[:8]
    made = [AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=6379, db=0, key_prefix=prefix))
            for _ in range(8)]
    yield made
    for key in made[0].red.keys(prefix + ":*"):
        made[0].red.delete(key)


def test_simultaneous_tickets_from_many_replicas_are_all_different(stores):
    conversation = uuid.uuid4().hex
    start = threading.Barrier(len(stores) * 4)
    tickets = []

    def take(store):
        start.wait()
        tickets.append(store.issue_ticket(conversation))

    threads = [threading.Thread(target=take, args=(s,)) for s in stores for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(tickets) == list(range(len(threads)))
    lock = stores[0].get_lock(conversation)
    assert lock.now_serving == 0 and lock.last_issued == len(threads) - 1


async def test_turns_of_one_conversation_run_one_at_a_time_and_leave_no_lock(stores):
    conversation = uuid.uuid4().hex
    inside, overlaps = [], []

    async def turn(store):
        async with store.lock(conversation, wait_time_in_seconds=0.01):
            if inside:
                overlaps.append(True)
            inside.append(True)
            await asyncio.sleep(0.02)
            inside.pop()

    await asyncio.gather(*(turn(s) for s in stores))
    assert not overlaps
    assert stores[0].get_lock(conversation) is None


def test_built_by_rasa_from_the_endpoints_file():
    from rasa.core.lock_store import LockStore

    store = LockStore.create(EndpointConfig(url="127.0.0.1", port=6379, db=0, key_prefix="etowntest",
                                            type="bot.rasa_lock_store.AtomicRedisLockStore"))
    assert isinstance(store, AtomicRedisLockStore) and store.key_prefix == "etowntest:lock:"
