"""Keeps the servers of `make run` up: a server that exits is started again, alone, after a back-off.

One crashed process (say, the Rasa server killed by the kernel) must not take the others down: the
action server and the web app go on answering while the crashed one comes back. Repeated crashes wait
longer each time (1 s, 2 s, 5 s, 10 s, 30 s, then every 60 s), so a server that cannot start does not
spin; one that stayed up for STABLE_SECONDS counts as recovered and starts the back-off afresh.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Dict, Sequence

BACKOFF_SECONDS: Sequence[float] = (1, 2, 5, 10, 30, 60)
STABLE_SECONDS = 120.0


def backoff(crashes_in_a_row: int) -> float:
    """Seconds to wait before restarting after the ``crashes_in_a_row``-th crash (1 = the first)."""
    return BACKOFF_SECONDS[min(max(crashes_in_a_row, 1), len(BACKOFF_SECONDS)) - 1]


@dataclass
class _Watch:
    started_at: float
    crashes: int = 0
    restart_at: float = -1.0  # >= 0 while a restart is pending


@dataclass
class Supervisor:
    """Call ``check()`` now and then; it restarts exited servers through ``servers.launch(name)``.

    ``servers`` needs ``named`` (name -> process with ``poll()``) and ``launch(name)``, as
    bot.ops.runner.Servers has them.
    """

    servers: object
    log: Callable[[str], None] = print
    clock: Callable[[], float] = time.monotonic
    watched: Dict[str, _Watch] = field(default_factory=dict)

    def __post_init__(self) -> None:
        now = self.clock()
        self.watched = {name: _Watch(started_at=now) for name in self.servers.named}

    def check(self) -> None:
        now = self.clock()
        for name, watch in self.watched.items():
            code = self.servers.named[name].poll()
            if code is None:
                if watch.crashes and now - watch.started_at >= STABLE_SECONDS:
                    watch.crashes = 0
                continue
            if watch.restart_at < 0:
                watch.crashes += 1
                watch.restart_at = now + backoff(watch.crashes)
                self.log(f"The {name} server stopped (exit code {code}); starting it again in "
                         f"{backoff(watch.crashes):.0f} s (restart {watch.crashes} in a row). "
                         "The other servers keep running.")
            elif now >= watch.restart_at:
                self.servers.launch(name)
                watch.started_at, watch.restart_at = now, -1.0
                self.log(f"The {name} server was started again.")
