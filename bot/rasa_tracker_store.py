"""Rasa's SQL tracker store, with personal data redacted before anything is written.

Configured in var/endpoints.yml as `type: bot.rasa_tracker_store.RedactingSQLTrackerStore`;
the rule itself is the pure bot.domain.privacy.redact_events.

Rasa wraps every tracker store in its FailSafeTrackerStore, which swallows errors: a conversation
that cannot be read is started afresh, one that cannot be written is kept in memory only, and the
user gets a confident but wrong answer. This store therefore also notes each failure in
``store_failures`` (a context variable the REST channel sets per message, see bot/rasa_channels.py),
so the channel can answer "temporarily unavailable" instead.
"""
from __future__ import annotations

import contextlib
import json
import logging
from contextvars import ContextVar
from typing import Iterator, List, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot import rasa_speedups
from bot.domain.privacy import redact_events

logger = logging.getLogger(__name__)

# The failures of the tracker store while one message is handled; None outside a watched message.
store_failures: ContextVar[Optional[List[Exception]]] = ContextVar("etown_tracker_store_failures", default=None)


@contextlib.contextmanager
def noting_failures() -> Iterator[None]:
    """Re-raise any error, after noting it for the channel handling the current message."""
    try:
        yield
    except Exception as exc:
        failures = store_failures.get()
        if failures is not None:
            failures.append(exc)
        raise


class RedactingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Rasa's engine keeps pooled connections without checking them: after a database restart the
        # first request on each would fail. pool_pre_ping tests a connection before handing it out,
        # so the store recovers by itself once the database is back.
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        # Created once when the Rasa server starts: the place to speed up that process.
        rasa_speedups.install()
        if self.engine.dialect.name == "sqlite":
            # Write-ahead log: one sync per commit instead of a rollback journal's several, and
            # readers do not block the writer. Persistent in the file; durability is unchanged.
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        with noting_failures():
            return await super().retrieve(sender_id)

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        with noting_failures():
            return await super().retrieve_full_tracker(conversation_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        with noting_failures():
            await self._save(tracker)

    async def _save(self, tracker: DialogueStateTracker) -> None:
        """Store the events not stored yet, with answers to sensitive questions redacted."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            stored = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
            for data in self._new_event_dicts(tracker, stored):
                session.add(self.SQLEvent(
                    sender_id=tracker.sender_id,
                    type_name=data.get("event"),
                    timestamp=data.get("timestamp"),
                    intent_name=(data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                    action_name=data.get("name"),
                    data=json.dumps(data),
                ))
            session.commit()

    @staticmethod
    def _new_event_dicts(tracker: DialogueStateTracker, stored: int) -> Iterator[dict]:
        # The whole session (what the tracker holds) is walked so the requested slot is known
        # at each event; only the events after the ``stored`` ones are new.
        for index, data in enumerate(redact_events(e.as_dict() for e in tracker.events)):
            if index >= stored:
                yield data
