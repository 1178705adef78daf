"""Handoff tickets, the console's steps and the ledger on a real database (SQLite and PostgreSQL)."""
import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.db import migrate
from bot.db.models import HandoffTicket, LedgerEntry, TicketMessage
from bot.domain.booking_details import InvalidContact
from bot.domain.handoff import InvalidTransition
from bot.services import handoff, handoff_console as console, vault
from bot.services.ledger import ledger_report
from tests.handoff_fakes import MONDAY_10, RecordingConversations, member

SUNDAY_22 = dt.datetime(2026, 11, 22, 14, 0, tzinfo=dt.timezone.utc)  # 22:00 in Beijing, Sunday
MIN = dt.timedelta(minutes=1)
HOURS = Settings(staff_hours="09:00-17:00", handoff_minutes_per_ticket=8, handoff_desks=2)
KEY = b"test-secret-key-of-the-handoff-tests-0123456789"
TRANSCRIPT = [
    {"who": "user", "text": "My application was rejected, what now?", "at": "2026-11-23T01:59:00+00:00"},
    {"who": "bot", "text": "I'll pass you to a member of staff.", "at": "2026-11-23T01:59:01Z"},
    {"who": "robot", "text": "unknown speakers are dropped"},
    {"who": "user", "text": "   "},
]
SLOTS = {"service": "work_permit", "case_number": "EZ2026-0042", "case_passport": "E12345678",
         "applicant_name": "Lena Hoffmann", "booking_code": "K7MQ-2XHT", "unknown_slot": "x"}


@pytest.fixture
def rasa():
    return RecordingConversations()


def open_live(uow_factory, conversation="conv-1", now=MONDAY_10, **extra):
    return handoff.open_ticket(uow_factory(), conversation_id=conversation, reason="complex_case",
                               transcript=TRANSCRIPT, slots=SLOTS, now=now, settings=HOURS, **extra)


def count(uow_factory, model) -> int:
    with uow_factory() as uow:
        return uow.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_ticket_keeps_the_transcript_useful_slots_and_a_ledger_row(uow_factory):
    receipt = open_live(uow_factory)
    assert (receipt.in_hours, receipt.position, receipt.wait_minutes, receipt.reply_by) == (True, 1, 8, None)
    with uow_factory() as uow:
        ticket = uow.tickets.get(receipt.ticket_id)
        assert ticket.slots == {"service": "work_permit", "case_number": "EZ2026-0042", "booking_code": "K7MQ-2XHT"}
        assert [(m.who, m.text) for m in ticket.messages] == [
            ("user", "My application was rejected, what now?"), ("bot", "I'll pass you to a member of staff.")]
        assert ticket.messages[1].at == dt.datetime(2026, 11, 23, 1, 59, 1)
        assert ticket.ledger.received_at == MONDAY_10.replace(tzinfo=None)
        assert ticket.ledger.requester == "applicant" and ticket.ledger.reason == "complex_case"
    view = handoff.active_ticket(uow_factory(), "conv-1")
    assert (view.status, view.held, view.in_hours) == ("queued", False, True)
    assert handoff.active_ticket(uow_factory(), "someone-else") is None


def test_asking_twice_gives_the_same_ticket_and_queue_positions_count_up(uow_factory):
    first = open_live(uow_factory)
    again = open_live(uow_factory, now=MONDAY_10 + MIN)
    second = open_live(uow_factory, "conv-2")
    third = open_live(uow_factory, "conv-3")
    assert again.ticket_id == first.ticket_id and again.position == 1
    assert (second.position, third.position) == (2, 3)
    assert (second.wait_minutes, third.wait_minutes) == (8, 16)  # two desks, 8 minutes a ticket
    assert count(uow_factory, HandoffTicket) == 3 and count(uow_factory, LedgerEntry) == 3


def test_the_estimate_learns_from_handled_tickets_and_staff_at_the_desk(uow_factory, rasa):
    lena = member(uow_factory, "lena")  # one person logged in: one desk
    for i in range(3):
        ticket = open_live(uow_factory, f"done-{i}").ticket_id
        console.claim(uow_factory(), ticket, lena, MONDAY_10)
        console.hand_back(uow_factory(), ticket, lena, MONDAY_10 + 4 * MIN, rasa)
    waiting = open_live(uow_factory, "new-1", now=MONDAY_10 + 5 * MIN)
    assert (waiting.position, waiting.wait_minutes) == (1, 4)
    assert open_live(uow_factory, "new-2", now=MONDAY_10 + 5 * MIN).wait_minutes == 8


def test_outside_hours_the_contact_and_question_are_kept_and_a_reply_day_promised(uow_factory):
    receipt = handoff.open_ticket(uow_factory(), conversation_id="night", reason="outside_hours", transcript=[],
                                  slots={"credit_code": "91110302MA01ABCD2X"}, now=SUNDAY_22,
                                  contact="HR@Example.com", question="Can we change employer?", settings=HOURS, key=KEY)
    assert (receipt.in_hours, receipt.position, receipt.wait_minutes) == (False, None, None)
    assert receipt.reply_by == dt.date(2026, 11, 23)
    assert not handoff.staff_on_duty(SUNDAY_22, HOURS) and handoff.staff_on_duty(MONDAY_10, HOURS)
    with uow_factory() as uow:
        ticket = uow.tickets.get(receipt.ticket_id)
        assert (ticket.question, ticket.ledger.requester) == ("Can we change employer?", "enterprise")
        assert "example.com" not in ticket.contact  # sealed at rest
        assert vault.unseal(KEY, handoff.CONTACT_PURPOSE, ticket.contact) == "HR@example.com"


def test_bad_tickets_change_nothing(uow_factory):
    for bad in ({"conversation_id": ""}, {"conversation_id": "x" * 256}, {"reason": "bored"}):
        args = {"conversation_id": "c", "reason": "asked_for_human", **bad}
        with pytest.raises(handoff.InvalidTicket):
            handoff.open_ticket(uow_factory(), transcript=[], slots={}, now=MONDAY_10, settings=HOURS, **args)
    with pytest.raises(InvalidContact):
        handoff.open_ticket(uow_factory(), conversation_id="c", reason="outside_hours", transcript=[], slots={},
                            now=SUNDAY_22, contact="not a contact", settings=HOURS, key=KEY)
    assert count(uow_factory, HandoffTicket) == 0


def test_one_open_ticket_per_conversation_under_concurrent_handoffs(uow_factory):
    with ThreadPoolExecutor(max_workers=8) as pool:
        receipts = list(pool.map(lambda _: open_live(uow_factory, "racing"), range(16)))
    assert len({r.ticket_id for r in receipts}) == 1
    assert count(uow_factory, HandoffTicket) == 1 and count(uow_factory, LedgerEntry) == 1


def test_only_one_of_two_staff_claims_a_ticket_and_others_cannot_see_it(uow_factory):
    lena, wang, boss = member(uow_factory, "lena"), member(uow_factory, "wang"), member(uow_factory, "boss", "supervisor")
    ticket = open_live(uow_factory).ticket_id
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(lambda m: _try_claim(uow_factory, ticket, m), [lena, wang]))
    assert sorted(outcomes) == ["claimed", "taken"]
    holder, other = (lena, wang) if outcomes[0] == "claimed" else (wang, lena)
    assert handoff.active_ticket(uow_factory(), "conv-1").held
    with pytest.raises(console.TicketNotFound):
        console.detail(uow_factory(), ticket, other, MONDAY_10, KEY)
    assert console.detail(uow_factory(), ticket, holder, MONDAY_10, KEY).can_act
    seen = console.detail(uow_factory(), ticket, boss, MONDAY_10, KEY)
    assert seen.can_act and seen.summary.staff_username == holder.username
    view = console.queue(uow_factory(), boss, MONDAY_10, KEY)
    assert [t.id for t in view.others] == [ticket] and view.queued == []
    assert console.queue(uow_factory(), other, MONDAY_10, KEY).others == []
    with uow_factory() as uow:
        assert uow.ledger.for_ticket(ticket).claimed_at == MONDAY_10.replace(tzinfo=None)


def _try_claim(uow_factory, ticket, who):
    try:
        console.claim(uow_factory(), ticket, who, MONDAY_10)
        return "claimed"
    except InvalidTransition:
        return "taken"


def test_a_reply_is_stored_first_and_survives_rasa_being_down(uow_factory, rasa):
    lena = member(uow_factory, "lena")
    ticket = open_live(uow_factory).ticket_id
    with pytest.raises(InvalidTransition):
        console.reply(uow_factory(), ticket, lena, "hello", MONDAY_10, rasa)  # not claimed yet
    console.claim(uow_factory(), ticket, lena, MONDAY_10)
    with pytest.raises(console.TicketNotFound):
        console.reply(uow_factory(), ticket, member(uow_factory, "wang"), "mine now", MONDAY_10, rasa)
    rasa.down = True
    line = console.reply(uow_factory(), ticket, lena, "  Hello, I am Lena from the hall.  ", MONDAY_10 + MIN, rasa)
    assert (line.delivery, line.text, line.staff_username) == ("pending", "Hello, I am Lena from the hall.", "lena")
    with uow_factory() as uow:
        assert uow.ledger.for_ticket(ticket).first_response_at is None  # the person has not seen it
    assert [m.id for m in console.detail(uow_factory(), ticket, lena, MONDAY_10, KEY).pending_messages] == [line.id]
    assert console.retry_delivery(uow_factory(), ticket, line.id, lena, MONDAY_10 + 2 * MIN, rasa).delivery == "pending"
    rasa.down = False
    assert console.retry_delivery(uow_factory(), ticket, line.id, lena, MONDAY_10 + 3 * MIN, rasa).delivery == "delivered"
    assert rasa.sent() == [("send_staff_message", "conv-1", "Hello, I am Lena from the hall.")]
    assert console.retry_delivery(uow_factory(), ticket, line.id, lena, MONDAY_10 + 4 * MIN, rasa).delivery == "delivered"
    assert len(rasa.sent()) == 1  # a delivered reply is not sent twice
    with uow_factory() as uow:
        assert uow.ledger.for_ticket(ticket).first_response_at == (MONDAY_10 + 3 * MIN).replace(tzinfo=None)
    for empty in ("", "   ", "x" * 4001):
        with pytest.raises(console.EmptyText):
            console.reply(uow_factory(), ticket, lena, empty, MONDAY_10, rasa)


def test_answers_to_a_call_back_are_recorded_not_sent(uow_factory, rasa):
    lena = member(uow_factory, "lena")
    ticket = handoff.open_ticket(uow_factory(), conversation_id="night", reason="outside_hours", transcript=[],
                                 slots={}, now=SUNDAY_22, contact="+86 138 1234 5678", question="?",
                                 settings=HOURS, key=KEY).ticket_id
    console.claim(uow_factory(), ticket, lena, MONDAY_10)
    line = console.reply(uow_factory(), ticket, lena, "Called back; explained the change of employer.",
                         MONDAY_10 + MIN, rasa)
    assert line.delivery == "recorded" and rasa.sent() == []
    assert console.close(uow_factory(), ticket, lena, "Answered by phone.", MONDAY_10 + 2 * MIN, rasa)
    assert rasa.sent() == []  # the bot was never paused in that conversation
    poll = console.poll(uow_factory(), ticket, lena, 0, MONDAY_10, rasa)
    assert poll.status == "closed" and not poll.resume_pending


def test_hand_back_is_recorded_even_when_rasa_is_down_and_resumed_later(uow_factory, rasa):
    lena = member(uow_factory, "lena")
    ticket = open_live(uow_factory).ticket_id
    console.claim(uow_factory(), ticket, lena, MONDAY_10)
    rasa.down = True
    assert console.hand_back(uow_factory(), ticket, lena, MONDAY_10 + 5 * MIN, rasa) is False
    detail = console.detail(uow_factory(), ticket, lena, MONDAY_10, KEY)
    assert detail.summary.status == "handed_back" and detail.resume_pending
    assert handoff.active_ticket(uow_factory(), "conv-1") is None
    rasa.down = False
    assert console.retry_resume(uow_factory(), ticket, lena, rasa) is True
    assert rasa.sent() == [("hand_back", "conv-1")]
    assert console.retry_resume(uow_factory(), ticket, lena, rasa) is True and len(rasa.sent()) == 1
    with pytest.raises(InvalidTransition):
        console.hand_back(uow_factory(), ticket, lena, MONDAY_10, rasa)
    # the conversation can be handed over again: a new ticket
    assert open_live(uow_factory, now=MONDAY_10 + 10 * MIN).ticket_id != ticket


def test_close_needs_a_note_and_only_supervisors_close_unclaimed_tickets(uow_factory, rasa):
    lena, boss = member(uow_factory, "lena"), member(uow_factory, "boss", "supervisor")
    ticket = open_live(uow_factory).ticket_id
    with pytest.raises(console.NotYourTicket):
        console.close(uow_factory(), ticket, lena, "spam", MONDAY_10, rasa)
    with pytest.raises(console.EmptyText):
        console.close(uow_factory(), ticket, boss, "  ", MONDAY_10, rasa)
    assert console.close(uow_factory(), ticket, boss, "Duplicate of ticket 7.", MONDAY_10 + MIN, rasa)
    assert rasa.sent() == [("hand_back", "conv-1")]
    with uow_factory() as uow:
        ledger = uow.ledger.for_ticket(ticket)
        assert (ledger.outcome, ledger.resolved_at) == ("closed", (MONDAY_10 + MIN).replace(tzinfo=None))
        assert uow.tickets.get(ticket).resolution_note == "Duplicate of ticket 7."


def test_the_persons_new_messages_are_copied_once_and_personal_answers_redacted(uow_factory, rasa):
    lena = member(uow_factory, "lena")
    ticket = open_live(uow_factory).ticket_id
    console.claim(uow_factory(), ticket, lena, MONDAY_10)
    start = MONDAY_10.timestamp()
    rasa.user_says("conv-1", "before the handoff", start - 30)
    rasa.user_says("conv-1", "Are you there? <script>alert(1)</script>", start + 5)
    first = console.poll(uow_factory(), ticket, lena, 0, MONDAY_10, rasa)
    assert first.live and [m.text for m in first.messages if m.who == "user"][-1] == \
        "Are you there? <script>alert(1)</script>"
    last = first.messages[-1].id
    rasa.tracker_events["conv-1"].append({"event": "slot", "name": "requested_slot", "value": "case_passport"})
    rasa.user_says("conv-1", "E12345678", start + 9)
    again = console.poll(uow_factory(), ticket, lena, last, MONDAY_10, rasa)
    assert [(m.who, m.text) for m in again.messages] == [("user", "[redacted]")]
    assert console.poll(uow_factory(), ticket, lena, again.messages[-1].id, MONDAY_10, rasa).messages == []
    rasa.down = True
    assert console.poll(uow_factory(), ticket, lena, 0, MONDAY_10, rasa).live is False
    with uow_factory() as uow:
        texts = uow.session.execute(select(TicketMessage.text)).scalars().all()
    assert "before the handoff" not in texts and "E12345678" not in texts


def test_ledger_report_over_a_period(uow_factory, rasa):
    lena = member(uow_factory, "lena")
    answered = open_live(uow_factory, "a").ticket_id
    open_live(uow_factory, "b")
    console.claim(uow_factory(), answered, lena, MONDAY_10 + MIN)
    console.reply(uow_factory(), answered, lena, "Hello", MONDAY_10 + 4 * MIN, rasa)
    console.hand_back(uow_factory(), answered, lena, MONDAY_10 + 9 * MIN, rasa)
    report = ledger_report(uow_factory(), "today", MONDAY_10 + 10 * MIN, "Asia/Shanghai")
    figures = report.figures
    assert (figures.received, figures.claimed, figures.responded, figures.resolved) == (2, 1, 1, 1)
    assert (figures.response_rate, figures.completion_rate) == (0.5, 0.5)
    assert figures.median_first_response == 4 * MIN
    assert [r.outcome for r in report.rows] == [None, "handed_back"]
    assert report.by_reason["a complex case"].received == 2
    assert ledger_report(uow_factory(), "today", MONDAY_10 + dt.timedelta(days=1), "Asia/Shanghai").figures.received == 0
    assert ledger_report(uow_factory(), "7d", MONDAY_10 + dt.timedelta(days=1), "Asia/Shanghai").figures.received == 2


def test_migration_0006_downgrades_and_upgrades(settings):
    url = settings.resolved_database_url
    migrate.upgrade(url)
    from alembic import command

    command.downgrade(migrate.alembic_config(url), "0005")
    assert migrate.current(url) == "0005"
    migrate.upgrade(url, "0006")
    assert migrate.current(url) == "0006"


def test_staff_read_service_names_from_the_live_knowledge_base(uow_factory, kb):
    from bot.services import knowledge

    lena = member(uow_factory, "lena")
    ticket = open_live(uow_factory).ticket_id
    assert console.detail(uow_factory(), ticket, lena, MONDAY_10, KEY).slots["service"] == "work_permit"  # no KB yet
    knowledge.load(uow_factory(), kb)
    detail = console.detail(uow_factory(), ticket, lena, MONDAY_10, KEY)
    assert detail.slots["service"] == detail.summary.service == "Foreigner's Work Permit"
    assert detail.slots["case_number"] == "EZ2026-0042"
    assert console.queue(uow_factory(), lena, MONDAY_10, KEY).queued[0].service == "Foreigner's Work Permit"


def test_out_of_range_ids_are_simply_not_found(uow_factory, rasa):
    lena = member(uow_factory, "lena")
    ticket = open_live(uow_factory).ticket_id
    for huge in (0, -1, 2**31, 10**20):
        with pytest.raises(console.TicketNotFound):
            console.detail(uow_factory(), huge, lena, MONDAY_10, KEY)
        with pytest.raises(console.TicketNotFound):
            console.claim(uow_factory(), huge, lena, MONDAY_10)
        with pytest.raises(console.TicketNotFound):
            console.retry_delivery(uow_factory(), ticket, huge, lena, MONDAY_10, rasa)
    assert console.poll(uow_factory(), ticket, lena, 10**20, MONDAY_10, rasa).messages == []


def test_a_contact_left_just_after_opening_time_still_asks_for_a_call_back(uow_factory):
    receipt = handoff.open_ticket(uow_factory(), conversation_id="early", reason="outside_hours", transcript=[],
                                  slots={}, now=MONDAY_10, contact="lena@example.com", question="Fees?",
                                  settings=HOURS, key=KEY)
    assert (receipt.in_hours, receipt.position, receipt.reply_by) == (False, None, dt.date(2026, 11, 23))
    assert open_live(uow_factory).position == 1  # call-backs do not count in the live queue
