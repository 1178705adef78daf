"""The conversation store keeps conversations across restarts, without the personal data typed in forms."""
import sqlite3

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from sqlalchemy.engine import make_url

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


@pytest.fixture(params=["sqlite", "postgresql"])
def store_kwargs(request, tmp_path):
    """Rasa tracker-store settings for a fresh SQLite file or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return {"dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
    url = make_url(request.getfixturevalue("postgres_url"))
    return {"dialect": "postgresql", "host": url.host, "port": url.port, "db": url.database,
            "username": url.username, "query": dict(url.query)}


def stamped(events, start):
    for offset, event in enumerate(events):
        event.timestamp = float(start + offset)
    return events


async def play_two_sessions(store, sender):
    """What the Rasa server does: save the first session, read it back, start a second, save."""
    first = DialogueStateTracker(sender, DOMAIN.slots)
    for event in stamped([ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
                          UserUttered("first session", {"name": "inform"}), SlotSet("case_number", "EZ2026-0001")],
                         1_000):
        first.update(event)
        await store.save(first)  # a save per event: each adds only what is new
    tracker = await store.retrieve(sender)
    for event in stamped([ActionExecuted("action_session_start"), SessionStarted(), SlotSet("case_number", "EZ2026-0001"),
                          ActionExecuted("action_listen"), UserUttered("second session", {"name": "inform"})], 2_000):
        tracker.update(event)
    await store.save(tracker)  # one save per turn, as Rasa's processor does


async def test_reads_and_writes_the_same_conversation_as_rasas_own_store(store_kwargs):
    ours = RedactingSQLTrackerStore(DOMAIN, **store_kwargs)
    rasas = SQLTrackerStore(DOMAIN, **store_kwargs)
    await play_two_sessions(ours, "written-by-ours")
    await play_two_sessions(rasas, "written-by-rasa")
    for retrieve in ("retrieve", "retrieve_full_tracker"):
        for sender in ("written-by-ours", "written-by-rasa"):
            mine, theirs = await getattr(ours, retrieve)(sender), await getattr(rasas, retrieve)(sender)
            assert [e.as_dict() for e in mine.events] == [e.as_dict() for e in theirs.events]
        mine = await getattr(ours, retrieve)("written-by-ours")
        theirs = await getattr(rasas, retrieve)("written-by-rasa")
        assert [e.as_dict() for e in mine.events] == [e.as_dict() for e in theirs.events]
    latest = await ours.retrieve("written-by-ours")
    assert [e.text for e in latest.events if isinstance(e, UserUttered)] == ["second session"]
    full = await ours.retrieve_full_tracker("written-by-ours")
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == ["first session", "second session"]
    assert await ours.retrieve("nobody") is None
    ours.engine.dispose()
    rasas.engine.dispose()
