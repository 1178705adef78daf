"""The web app's handoff sweep: an asyncio task started with the app, every ``handoff_sweep_seconds``
(bot.services.handoff_lifecycle.sweep; old transcripts are erased at most once an hour). A failing
round is logged and the next one runs as usual; the task stops with the app.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from typing import Callable, Optional

from fastapi import FastAPI

from bot.services import clock
from bot.services.handoff_lifecycle import SweepReport, sweep

logger = logging.getLogger(__name__)
PURGE_EVERY = dt.timedelta(hours=1)


class Sweeper:
    """Runs sweep() on the app's database and Rasa client; ``now`` is the clock (tests pass their own)."""

    def __init__(self, app: FastAPI, now: Callable[[], dt.datetime] = clock.now):
        self.app = app
        self.now = now
        self.last_purge: Optional[dt.datetime] = None

    def run_once(self) -> SweepReport:
        state = self.app.state
        at = self.now()
        purge = self.last_purge is None or at - self.last_purge >= PURGE_EVERY
        report = sweep(state.uow_factory(), state.settings, conversations(self.app), at, purge=purge)
        if purge:
            self.last_purge = at
        return report

    async def loop(self, interval: float) -> None:
        while True:
            try:
                # database and HTTP calls are blocking: off the event loop
                await asyncio.to_thread(self.run_once)
            except Exception:  # noqa: BLE001 - one failed round (database down, ...) must not end the sweep
                logger.exception("handoff sweep failed; trying again in %.0f s", interval)
            await asyncio.sleep(interval)


def conversations(app: FastAPI):
    """The app's Rasa client (app.state.rasa_conversations, made from bot.wiring when first needed)."""
    state = app.state
    client = getattr(state, "rasa_conversations", None)
    if client is None:
        from bot.integrations.rasa_api import rasa_conversations

        client = state.rasa_conversations = rasa_conversations(state.settings)
    return client


def install(app: FastAPI) -> None:
    """Start the sweep with the app and stop it on shutdown (nothing when handoff_sweep_seconds is 0)."""
    app.state.handoff_sweeper = Sweeper(app)

    @app.on_event("startup")
    async def _start_sweep() -> None:
        interval = app.state.settings.handoff_sweep_seconds
        if interval > 0:
            app.state.handoff_sweep_task = asyncio.create_task(app.state.handoff_sweeper.loop(interval))

    @app.on_event("shutdown")
    async def _stop_sweep() -> None:
        task = getattr(app.state, "handoff_sweep_task", None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            app.state.handoff_sweep_task = None
