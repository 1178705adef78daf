"""A small asyncio load client for Rasa's REST webhook: N conversations at once, bounded in time and count.

Each of the N workers plays a scripted conversation with a fresh sender id, then starts the next
one, until the time budget or the message budget is used up. A message's latency is from sending
the request to having read the whole JSON answer.
"""
from __future__ import annotations

import asyncio
import itertools
import time
import uuid
import zlib
from dataclasses import dataclass, field
from typing import Dict, List, Sequence

import aiohttp

TIMEOUT = aiohttp.ClientTimeout(total=120)


@dataclass
class LoadResult:
    concurrency: int
    latencies_ms: List[float] = field(default_factory=list)
    by_turn: Dict[int, List[float]] = field(default_factory=dict)  # script position -> latencies
    errors: int = 0
    empty: int = 0
    seconds: float = 0.0
    cpu_seconds: Dict[str, float] = field(default_factory=dict)  # server process -> CPU time used

    def figures(self) -> dict:
        done = sorted(self.latencies_ms)
        per_msg = {name: round(used * 1000 / len(done), 1) for name, used in self.cpu_seconds.items()} if done else {}
        return {
            "concurrency": self.concurrency,
            "messages": len(done),
            "errors": self.errors,
            "empty_answers": self.empty,
            "seconds": round(self.seconds, 2),
            "msg_per_s": round(len(done) / self.seconds, 2) if self.seconds else None,
            "p50_ms": percentile(done, 50),
            "p95_ms": percentile(done, 95),
            "p99_ms": percentile(done, 99),
            "mean_ms": round(sum(done) / len(done), 1) if done else None,
            "max_ms": round(done[-1], 1) if done else None,
            "cpu_ms_per_msg": round(sum(per_msg.values()), 1) if per_msg else None,
            "cpu_ms_per_msg_by_process": per_msg,
            "p50_ms_by_turn": {str(k): percentile(sorted(v), 50) for k, v in sorted(self.by_turn.items())},
        }


def percentile(ordered: Sequence[float], pct: float):
    """Nearest-rank percentile of an ordered list (None when empty)."""
    if not ordered:
        return None
    rank = max(1, -(-len(ordered) * pct // 100))
    return round(ordered[int(rank) - 1], 1)


def replica_for(sender: str, webhooks: Sequence[str]) -> str:
    """A sender always goes to the same replica, as a hashing load balancer would send it."""
    return webhooks[zlib.crc32(sender.encode()) % len(webhooks)]


async def run_load(webhooks: Sequence[str], script: Sequence[str], concurrency: int,
                   seconds: float, max_messages: int, tag: str) -> LoadResult:
    """Play ``script`` in ``concurrency`` parallel conversations for ``seconds`` or ``max_messages``."""
    result = LoadResult(concurrency)
    sent = itertools.count()
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=TIMEOUT) as session:
        started = time.perf_counter()
        deadline = started + seconds

        async def worker() -> None:
            while True:
                sender = f"bench-{tag}-{uuid.uuid4().hex[:12]}"
                url = replica_for(sender, webhooks)
                for turn, text in enumerate(script):
                    if time.perf_counter() >= deadline or next(sent) >= max_messages:
                        return
                    t = time.perf_counter()
                    try:
                        async with session.post(url, json={"sender": sender, "message": text}) as resp:
                            body = await resp.json(content_type=None)
                            ok = resp.status == 200
                    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                        ok, body = False, None
                    if not ok:
                        result.errors += 1
                        continue
                    elapsed = (time.perf_counter() - t) * 1000
                    result.latencies_ms.append(elapsed)
                    result.by_turn.setdefault(turn, []).append(elapsed)
                    if not body:
                        result.empty += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result.seconds = time.perf_counter() - started
    return result


async def converse(webhook: str, script: Sequence[str]) -> List[list]:
    """One whole conversation, serially: the answers, for warming up and for the record."""
    sender = f"bench-sample-{uuid.uuid4().hex[:12]}"
    answers = []
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        for text in script:
            async with session.post(webhook, json={"sender": sender, "message": text}) as resp:
                answers.append(await resp.json(content_type=None))
    return answers
