"""The conversation store keeps conversations across restarts, without the personal data typed in forms."""
import sqlite3

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.domain.privacy import REDACTED
from bot.rasa_tracker_store import RedactingSQLTrackerStore

DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [inform]
slots:
  case_number: {type: text, mappings: [{type: custom}]}
  case_passport: {type: text, mappings: [{type: custom}]}
forms:
  case_status_form: {required_slots: [case_number, case_passport]}
""")


def store_at(path):
    return RedactingSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(path))


async def test_passport_answer_is_stored_redacted_and_the_rest_kept(tmp_path):
    path = tmp_path / "tracker.db"
    store = store_at(path)
    tracker = DialogueStateTracker("user-1", DOMAIN.slots)
    for event in [UserUttered("status of EZ2026-0042", {"name": "inform"}), ActiveLoop("case_status_form"),
                  SlotSet("requested_slot", "case_passport"), UserUttered("E12345678", {"name": "inform"}),
                  SlotSet("case_number", "EZ2026-0042"), SlotSet("requested_slot", None), ActiveLoop(None)]:
        tracker.update(event)
    await store.save(tracker)
    tracker.update(UserUttered("thanks", {"name": "inform"}))
    await store.save(tracker)  # a second save adds only the new event

    again = await store_at(path).retrieve("user-1")  # a new store: as after a restart
    texts = [e.text for e in again.events if isinstance(e, UserUttered)]
    assert texts == ["status of EZ2026-0042", REDACTED, "thanks"]
    assert again.get_slot("case_number") == "EZ2026-0042"
    raw = sqlite3.connect(path).execute("select group_concat(data) from events").fetchone()[0]
    assert "E12345678" not in raw


async def test_sqlite_store_keeps_connections_in_wal_mode_and_a_new_store_reads_every_turn(tmp_path):
    path = tmp_path / "tracker.db"
    store = store_at(path)
    assert store.engine.pool.__class__.__name__ == "QueuePool"  # not a new connection per session
    tracker = DialogueStateTracker("user-2", DOMAIN.slots)
    for turn in range(3):
        tracker.update(UserUttered(f"question {turn}", {"name": "inform"}))
        await store.save(tracker)
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    again = await store_at(path).retrieve("user-2")
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["question 0", "question 1", "question 2"]
