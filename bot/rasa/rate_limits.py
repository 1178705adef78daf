"""The chat channels' gate: the client address of a message and the rate limits per address and sender.

Counts are kept by the `limits` library (moving windows) in the lock store's Redis when one is
configured, so every Rasa replica and worker sees the same counts, and in the process's memory
otherwise (development, one process). Keys live under "<lock store key prefix>-ratelimit/".
Only messages that would reach Rasa are counted: what the channels refuse unread (malformed, too
long) costs nothing and is answered before this gate.
"""
from __future__ import annotations

import logging
import time
from functools import lru_cache
from typing import Callable, List, Optional, Sequence

from bot.config import Settings, get_settings
from bot.domain.abuse.rate_limits import parse_rate_limits, retry_after_seconds
from bot.domain.staff import client_address, parse_trusted_proxies

logger = logging.getLogger(__name__)

REDIS_TIMEOUT_SECONDS = 1.0  # a slow Redis must not hold a message longer than the lock store would


def _namespaced(items: Sequence, namespace: str) -> List:
    return [type(item)(item.amount, item.multiples, namespace=namespace) for item in items]


class ChatGate:
    """Where a chat message comes from, and whether its address and sender may send another now."""

    def __init__(self, storage, per_address: Sequence, per_sender: Sequence, trusted_proxies: str = "",
                 namespace: str = "etown-ratelimit", clock: Callable[[], float] = time.time) -> None:
        from limits.strategies import MovingWindowRateLimiter

        self.storage = storage  # the limiter only keeps a weak reference to it
        self.limiter = MovingWindowRateLimiter(storage)
        self.per_address = _namespaced(per_address, namespace)
        self.per_sender = _namespaced(per_sender, namespace)
        self.proxies = parse_trusted_proxies(trusted_proxies)
        self.clock = clock

    @classmethod
    def from_settings(cls, settings: Settings) -> "ChatGate":
        """The gate the settings describe: Redis storage on the lock store's URL, else memory."""
        from limits.storage import MemoryStorage, RedisStorage

        if settings.lock_store_url:
            storage = RedisStorage(settings.lock_store_url, socket_timeout=REDIS_TIMEOUT_SECONDS,
                                   socket_connect_timeout=REDIS_TIMEOUT_SECONDS)
        else:
            storage = MemoryStorage()
        return cls(storage, parse_rate_limits(settings.rate_limit_per_address),
                   parse_rate_limits(settings.rate_limit_per_sender), settings.trusted_proxies,
                   namespace=f"{settings.lock_store_key_prefix}-ratelimit")

    def address(self, peer: Optional[str], forwarded_for: Optional[str]) -> str:
        """The client address: the peer, or X-Forwarded-For's client when the peer is a trusted proxy."""
        return client_address(peer, forwarded_for, self.proxies)

    def wait_seconds(self, address: str, sender: str) -> Optional[int]:
        """None when a message from ``address`` and ``sender`` may be handled now (it is then counted);
        else the seconds until it may. A store that cannot be reached lets the message through (the
        lock store, on the same Redis, then refuses it with its own clear answer)."""
        from redis.exceptions import RedisError

        try:
            for scope, key, items in (("address", address, self.per_address), ("sender", sender, self.per_sender)):
                for item in items:
                    if not self.limiter.hit(item, scope, key):
                        reset_at, _ = self.limiter.get_window_stats(item, scope, key)
                        return retry_after_seconds(reset_at, self.clock())
        except (RedisError, OSError) as exc:
            logger.warning("Chat rate limits not checked: the store cannot be reached (%s)", type(exc).__name__)
        return None


@lru_cache(maxsize=1)
def process_gate() -> ChatGate:
    """The gate of this Rasa process, from its settings: the REST and socket.io channels count in the
    same store, so a client cannot double its allowance by using both."""
    return ChatGate.from_settings(get_settings())
