"""Rasa's Redis lock store, with each change of a conversation's lock made atomic.

Configured in the rendered endpoints file as ``type: bot.rasa_lock_store.AtomicRedisLockStore``.
Rasa 3.6's RedisLockStore issues, updates and removes tickets by GET, change, SET: two replicas that
receive messages of one conversation at the same moment can both read "no lock", both take ticket 0
and handle both turns at once, and one turn is then missing from the conversation. Here each of
those changes runs in a Redis transaction (WATCH / MULTI / EXEC, retried on a concurrent change).
Everything else, key layout and prefix included, is Rasa's.
"""
from __future__ import annotations

import json
from typing import Callable, Optional, Text, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")
# What a change does with the stored lock: write it back, delete it, or leave the key alone.
SAVE, DELETE, KEEP = "save", "delete", "keep"
Change = Callable[[Optional[TicketLock]], Tuple[str, Optional[TicketLock], T]]


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs) -> None:
        # Rasa builds a lock store named by module path with ``endpoint_config`` only.
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs}
        super().__init__(**kwargs)

    def _change(self, conversation_id: Text, change: Change) -> T:
        import redis

        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    action, new, result = change(lock)
                    pipe.multi()
                    if action == SAVE and new is not None:
                        pipe.set(key, new.dumps())
                    elif action == DELETE:
                        pipe.delete(key)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another process changed the lock in between: read it again

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: Optional[TicketLock]):
            lock = lock or TicketLock(conversation_id)
            return SAVE, lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, issue)
        except Exception as exc:  # noqa: BLE001 - Rasa's contract: any failure is a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    def update_lock(self, conversation_id: Text) -> None:
        def expire(lock: Optional[TicketLock]):
            if lock is None:
                return KEEP, None, None
            lock.remove_expired_tickets()
            return SAVE, lock, None

        self._change(conversation_id, expire)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def finish(lock: Optional[TicketLock]):
            if lock is None:
                return KEEP, None, None
            lock.remove_ticket_for(ticket_number)
            return SAVE, lock, None

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Remove the ticket; delete the lock when no one is waiting, in the same transaction."""
        def clean(lock: Optional[TicketLock]):
            if lock is None:
                return KEEP, None, None
            lock.remove_ticket_for(ticket_number)
            return (SAVE, lock, None) if lock.is_someone_waiting() else (DELETE, None, None)

        self._change(conversation_id, clean)
