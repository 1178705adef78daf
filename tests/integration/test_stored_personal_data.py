"""What a person types outside the form questions is stored without their personal data: the
conversation store (SQLite and PostgreSQL) and the handoff tickets are read back row by row."""
import json

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.db.models import HandoffTicket, TicketMessage
from bot.domain.handoff_chat import transcript
from bot.rasa_tracker_store import RedactingSQLTrackerStore
from bot.services import handoff
from bot.services.handoff_console import copy_user_messages
from tests.handoff_fakes import MONDAY_10

DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [inform, check_case_status, book_appointment, human_handoff]
entities: [case_number, booking_code]
slots:
  case_number: {type: text, mappings: [{type: custom}]}
  case_passport: {type: text, mappings: [{type: custom}]}
  handoff_question: {type: text, mappings: [{type: custom}]}
forms:
  case_status_form: {required_slots: [case_number, case_passport]}
""")
SECRETS = ["X9000001", "S1230001", "alice@example.com", "E4417302", "13800138000", "138 0013 8000",
           "Lena Hoffmann"]
KEPT = ["EZ2026-0900", "K7MQ-2XHT"]
MESSAGES = [
    ("check_case_status", "where is my application EZ2026-0900? my passport number is X9000001"),
    ("book_appointment", "book for Alice Secmann, passport S1230001, email alice@example.com"),
    ("inform", "move K7MQ-2XHT please, call me at 138 0013 8000 or 13800138000"),
    ("human_handoff", "I want to talk to a person about passport E4417302, my name is Lena Hoffmann"),
]


def said(intent, text):
    entities = []
    for kind, value in (("case_number", "EZ2026-0900"), ("booking_code", "K7MQ-2XHT")):
        if value in text:
            entities.append({"entity": kind, "value": value, "start": text.index(value),
                             "end": text.index(value) + len(value)})
    return UserUttered(text, {"name": intent, "confidence": 0.9}, entities,
                       metadata={"client_ip": "203.0.113.9"})


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        kwargs = {"dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
    else:
        url = make_url(request.getfixturevalue("postgres_url"))
        kwargs = {"dialect": "postgresql", "host": url.host, "port": url.port, "db": url.database,
                  "username": url.username, "query": dict(url.query)}
    store = RedactingSQLTrackerStore(DOMAIN, **kwargs)
    yield store
    store.engine.dispose()


async def test_the_conversation_store_keeps_no_personal_data_typed_anywhere(store):
    tracker = DialogueStateTracker("person-1", DOMAIN.slots)
    tracker.update(ActionExecuted("action_listen"))
    for intent, text in MESSAGES:
        tracker.update(said(intent, text))
        await store.save(tracker)  # a save per turn, as Rasa's processor does
        assert tracker.latest_message.text == text  # the turn itself still has what was typed
    for event in [ActiveLoop("case_status_form"), SlotSet("requested_slot", "case_passport"),
                  UserUttered("E4417302", {"name": "inform"}), SlotSet("requested_slot", None), ActiveLoop(None),
                  SlotSet("handoff_question", "my passport S1230001 was not returned")]:
        tracker.update(event)
    await store.save(tracker)

    with store.engine.connect() as connection:
        rows = connection.execute(select(store.SQLEvent.__table__)).mappings().all()
    stored = json.dumps([dict(row) for row in rows], default=str)
    for value in SECRETS + ["203.0.113.9"]:
        assert value not in stored
    for value in KEPT:
        assert value in stored
    again = await store.retrieve("person-1")
    texts = [e.text for e in again.events if isinstance(e, UserUttered)]
    assert texts[0] == "where is my application EZ2026-0900? my passport number is [passport]"
    assert texts[1] == "book for Alice Secmann, passport [passport], email [email]"
    assert again.events[1].entities[0]["value"] == "EZ2026-0900"
    assert again.get_slot("handoff_question") == "my passport [passport] was not returned"


def test_a_ticket_keeps_no_personal_data_in_its_transcript_question_or_later_lines(uow_factory):
    events = [said(intent, text).as_dict() for intent, text in MESSAGES]
    for offset, event in enumerate(events):
        event["timestamp"] = MONDAY_10.timestamp() - 60 + offset
    receipt = handoff.open_ticket(uow_factory(), conversation_id="person-1", reason="asked_for_human",
                                  transcript=transcript(events), slots={"case_number": "EZ2026-0900"}, now=MONDAY_10,
                                  settings=Settings(staff_hours="00:00-23:59"),
                                  question="please call 13800138000 about passport X9000001")
    later = [{"event": "user", "text": "my email is alice@example.com, passport S1230001",
              "timestamp": MONDAY_10.timestamp() + 30, "parse_data": {"text": "", "entities": []}}]
    copy_user_messages(uow_factory(), receipt.ticket_id, later)
    # a transcript built elsewhere, unredacted, is cleaned when stored too
    other = handoff.open_ticket(uow_factory(), conversation_id="person-2", reason="asked_for_human",
                                transcript=[{"who": "user", "text": MESSAGES[1][1]}], slots={}, now=MONDAY_10,
                                settings=Settings(staff_hours="00:00-23:59"))
    with uow_factory() as uow:
        lines = uow.session.execute(select(TicketMessage.text)).scalars().all()
        questions = uow.session.execute(select(HandoffTicket.question)).scalars().all()
    stored = json.dumps([lines, questions])
    assert len(lines) == len(MESSAGES) + 2 and other.ticket_id != receipt.ticket_id
    for value in SECRETS:
        assert value not in stored
    for value in KEPT:
        assert value in stored
    assert "my email is [email], passport [passport]" in lines
