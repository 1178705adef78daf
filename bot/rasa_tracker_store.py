"""Rasa's SQL tracker store, with personal data redacted before anything is written.

Configured in var/endpoints-<port>.yml as `type: bot.rasa_tracker_store.RedactingSQLTrackerStore`;
the rule itself is the pure bot.domain.privacy.redact_event: answers to personal-data questions are
removed, and e-mail addresses, phone numbers and passport-like tokens in any other message are
replaced by markers. Only what is written is redacted: the tracker in memory, which the forms read
in the turn, keeps what was typed.

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
from rasa.shared.core.events import ActiveLoop, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.domain.privacy import RequestedSlot, redact_event

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


def sqlite_engine(url) -> sa.engine.Engine:
    """The development tracker store's engine: pooled connections to a write-ahead-logged file.

    SQLAlchemy 1.4 opens and closes a SQLite file connection per session (NullPool); closing the
    last connection of a WAL database checkpoints it with its own syncs, and a rollback-journal
    commit syncs several times. Measured on a tracker save, that was about 30 ms of a turn, on
    Rasa's event loop. Kept-open connections, WAL and synchronous=NORMAL (the WAL is synced at
    checkpoints) make it about a millisecond. A committed turn survives a crash or restart of the
    server; only an operating-system crash or power cut can lose the last turns (production uses
    PostgreSQL).
    """
    engine = sa.create_engine(url, poolclass=sa.pool.QueuePool, pool_size=2, max_overflow=8,
                              connect_args={"check_same_thread": False, "timeout": 30})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


class RedactingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Rasa's engine keeps pooled connections without checking them: after a database restart the
        # first request on each would fail. pool_pre_ping tests a connection before handing it out,
        # so the store recovers by itself once the database is back.
        url = self.engine.url
        self.engine.dispose()
        if url.get_backend_name() == "sqlite":
            self.engine = sqlite_engine(url)
        else:
            self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        with noting_failures():
            return await self._retrieve(sender_id, fetch_events_from_all_sessions=False)

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        with noting_failures():
            return await self._retrieve(conversation_id, fetch_events_from_all_sessions=True)

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        """Rasa's query (the latest session's events, or all, by id), as one Core statement: the
        stored JSON only, without building an ORM object per event (a quarter of a turn's CPU)."""
        events_table = self.SQLEvent.__table__
        query = sa.select(events_table.c.data).where(self._in_conversation(sender_id, fetch_events_from_all_sessions))
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(events_table.c.id)).scalars().all()
        if not (self.domain and rows):
            return None
        return DialogueStateTracker.from_dict(sender_id, [json.loads(data) for data in rows], self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        with noting_failures():
            await self._save(tracker)

    async def _save(self, tracker: DialogueStateTracker) -> None:
        """Store the events not stored yet, with answers to sensitive questions redacted, in one
        transaction (a count, then one multi-row insert)."""
        await self.stream_events(tracker)
        events_table = self.SQLEvent.__table__
        counting = sa.select(sa.func.count()).select_from(events_table).where(
            self._in_conversation(tracker.sender_id, fetch_events_from_all_sessions=False))
        with self.engine.begin() as connection:
            stored = connection.execute(counting).scalar_one()
            rows = [{"sender_id": tracker.sender_id,
                     "type_name": data.get("event"),
                     "timestamp": data.get("timestamp"),
                     "intent_name": (data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                     "action_name": data.get("name"),
                     "data": json.dumps(data)}
                    for data in self._new_event_dicts(tracker, stored)]
            if rows:
                connection.execute(events_table.insert(), rows)

    def _in_conversation(self, sender_id: Text, fetch_events_from_all_sessions: bool):
        """Rasa's _event_query condition: the sender's events, from its latest session start on
        (or all of them when it has none, or when all sessions are asked for)."""
        events_table = self.SQLEvent.__table__
        condition = events_table.c.sender_id == sender_id
        if fetch_events_from_all_sessions:
            return condition
        session_start = (sa.select(sa.func.max(events_table.c.timestamp))
                         .where(events_table.c.sender_id == sender_id,
                                events_table.c.type_name == SessionStarted.type_name)
                         .scalar_subquery())
        return sa.and_(condition, sa.or_(events_table.c.timestamp >= session_start, session_start.is_(None)))

    @staticmethod
    def _new_event_dicts(tracker: DialogueStateTracker, stored: int) -> Iterator[dict]:
        # The whole session (what the tracker holds) is walked so the requested slot is known at
        # each event, from the event objects' fields; only the events after the ``stored`` ones are
        # new, and only they are turned into dicts and redacted.
        requested = RequestedSlot()
        for index, event in enumerate(tracker.events):
            if index >= stored:
                data = event.as_dict()
                requested.see(data)
                yield redact_event(data, requested.value)
            elif isinstance(event, SlotSet):
                requested.see_slot(event.key, event.value)
            elif isinstance(event, ActiveLoop) and event.name is None:
                requested.value = None
