"""Rasa's SQL tracker store, with personal data redacted before anything is written.

Configured in var/endpoints.yml as `type: bot.rasa_tracker_store.RedactingSQLTrackerStore`;
the rule itself is the pure bot.domain.privacy.redact_events.
"""
from __future__ import annotations

import json
import logging
from typing import Iterator

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot import rasa_speedups
from bot.domain.privacy import redact_events

logger = logging.getLogger(__name__)


class RedactingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Created once when the Rasa server starts: the place to speed up that process.
        rasa_speedups.install()
        if self.engine.dialect.name == "sqlite":
            # Write-ahead log: one sync per commit instead of a rollback journal's several, and
            # readers do not block the writer. Persistent in the file; durability is unchanged.
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")

    async def save(self, tracker: DialogueStateTracker) -> None:
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
