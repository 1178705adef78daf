"""The handoff's housekeeping on a real database (SQLite and PostgreSQL): the queue time-out, resuming
conversations Rasa could not take back at once, and erasing transcripts after the retention period."""
import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.db.models import HandoffTicket, LedgerEntry, TicketMessage
from bot.domain.handoff import InvalidTransition
from bot.services import handoff, handoff_console as console
from bot.services.handoff_lifecycle import expire_overdue, purge_old, resume_waiting, sweep
from bot.services.ledger import ledger_report
from tests.handoff_fakes import MONDAY_10, RecordingConversations, member

MIN = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)
SETTINGS = Settings(staff_hours="09:00-17:00", handoff_queue_timeout_minutes=20, handoff_retention_days=90)
TRANSCRIPT = [{"who": "user", "text": "My application was rejected, what now?", "at": "2026-11-23T01:59:00+00:00"}]
SLOTS = {"service": "work_permit", "case_number": "EZ2026-0042"}


@pytest.fixture
def rasa():
    return RecordingConversations()


def open_live(uow_factory, conversation="conv-1", now=MONDAY_10):
    return handoff.open_ticket(uow_factory(), conversation_id=conversation, reason="asked_for_human",
                               transcript=TRANSCRIPT, slots=SLOTS, now=now, settings=SETTINGS).ticket_id


def open_call_back(uow_factory, conversation="conv-cb", now=MONDAY_10):
    return handoff.open_ticket(uow_factory(), conversation_id=conversation, reason="outside_hours",
                               transcript=TRANSCRIPT, slots=SLOTS, now=now, contact="lena@example.com",
                               question="Which hall handles a change of employer?", settings=SETTINGS,
                               key=b"test-secret-key-of-the-lifecycle-tests-0123456").ticket_id


def status(uow_factory, ticket_id):
    with uow_factory() as uow:
        ticket = uow.tickets.get(ticket_id)
        return ticket.status, ticket.resume_pending


def test_an_unclaimed_live_ticket_expires_after_the_time_out_and_the_bot_takes_over(uow_factory, rasa):
    ticket = open_live(uow_factory)
    call_back = open_call_back(uow_factory)
    assert expire_overdue(uow_factory(), SETTINGS, MONDAY_10 + 19 * MIN) == []
    rasa.user_says("conv-1", "Is anyone there?", (MONDAY_10 + 5 * MIN).timestamp())
    rasa.tracker_events["conv-1"].append({"event": "user", "text": "EXTERNAL: EXTERNAL_handback",
                                          "timestamp": (MONDAY_10 + 6 * MIN).timestamp(),
                                          "metadata": {"is_external": True}})  # not the person's words
    report = sweep(uow_factory(), SETTINGS, rasa, MONDAY_10 + 20 * MIN)
    assert report.expired == [ticket] and report.resumed == [ticket] and report.waiting == []
    assert rasa.sent() == [("expire_handoff", "conv-1")]
    assert status(uow_factory, ticket) == ("expired", False)
    assert status(uow_factory, call_back) == ("queued", False)  # call-backs left with a contact never expire
    with uow_factory() as uow:
        texts = [(m.who, m.text) for m in uow.tickets.get(ticket).messages]
        ledger = uow.ledger.for_ticket(ticket)
        assert (ledger.outcome, ledger.first_response_at, ledger.resolved_at) == ("expired", None, None)
    # what the person wrote while waiting is kept in the ticket
    assert texts == [("user", "My application was rejected, what now?"), ("user", "Is anyone there?")]
    assert handoff.active_ticket(uow_factory(), "conv-1") is None  # asking again opens a new ticket
    assert open_live(uow_factory, now=MONDAY_10 + 21 * MIN) != ticket


def test_the_ledger_counts_an_expired_demand_as_received_not_responded_not_resolved(uow_factory, rasa):
    lena = member(uow_factory, "lena")
    expired = open_live(uow_factory, "conv-1")
    answered = open_live(uow_factory, "conv-2")
    console.claim(uow_factory(), answered, lena, MONDAY_10 + MIN)
    console.reply(uow_factory(), answered, lena, "Hello, how can I help?", MONDAY_10 + 2 * MIN, rasa)
    console.close(uow_factory(), answered, lena, "Answered.", MONDAY_10 + 3 * MIN, rasa)
    sweep(uow_factory(), SETTINGS, rasa, MONDAY_10 + 30 * MIN)
    figures = ledger_report(uow_factory(), "today", MONDAY_10 + 31 * MIN, "Asia/Shanghai").figures
    assert (figures.received, figures.responded, figures.resolved, figures.expired, figures.open) == (2, 1, 1, 1, 0)
    assert (figures.response_rate, figures.completion_rate) == (0.5, 0.5)
    assert status(uow_factory, expired)[0] == "expired"


def test_a_ticket_claimed_between_the_check_and_the_expiry_is_not_expired(uow_factory):
    lena = member(uow_factory, "lena")
    ticket = open_live(uow_factory)
    cutoff = (MONDAY_10 + 30 * MIN - 20 * MIN).replace(tzinfo=None)
    with uow_factory() as uow:
        assert uow.tickets.overdue(cutoff) == [ticket]  # the sweep saw it queued ...
        console.claim(uow_factory(), ticket, lena, MONDAY_10 + 30 * MIN)  # ... a staff member claims it ...
        assert uow.tickets.expire(ticket, cutoff, cutoff) is False  # ... and the expiry loses
        uow.commit()
    assert status(uow_factory, ticket) == ("claimed", False)
    with uow_factory() as uow:
        assert uow.ledger.for_ticket(ticket).outcome is None


def test_claim_and_expiry_at_the_same_moment_have_one_winner(uow_factory, rasa):
    lena = member(uow_factory, "lena")
    tickets = [open_live(uow_factory, f"race-{n}") for n in range(6)]
    late = MONDAY_10 + 25 * MIN

    def claim(ticket_id):
        try:
            console.claim(uow_factory(), ticket_id, lena, late)
            return ticket_id
        except InvalidTransition:
            return None

    with ThreadPoolExecutor(max_workers=4) as pool:
        expiry = pool.submit(expire_overdue, uow_factory(), SETTINGS, late)
        claimed = {t for t in pool.map(claim, tickets) if t is not None}
        expired = set(expiry.result())
    assert claimed.isdisjoint(expired) and claimed | expired == set(tickets)
    with uow_factory() as uow:
        states = {t.id: t.status for t in uow.session.execute(select(HandoffTicket)).scalars()}
    assert {t for t, s in states.items() if s == "claimed"} == claimed
    assert {t for t, s in states.items() if s == "expired"} == expired


def test_an_expired_ticket_stays_to_resume_while_rasa_is_down_and_is_resumed_by_the_next_sweep(uow_factory, rasa):
    ticket = open_live(uow_factory)
    rasa.down = True
    report = sweep(uow_factory(), SETTINGS, rasa, MONDAY_10 + 21 * MIN)
    assert report.expired == [ticket] and report.waiting == [ticket] and report.resumed == []
    assert status(uow_factory, ticket) == ("expired", True)
    rasa.down = False
    report = sweep(uow_factory(), SETTINGS, rasa, MONDAY_10 + 22 * MIN)
    assert report.expired == [] and report.resumed == [ticket]
    assert rasa.sent() == [("expire_handoff", "conv-1")] and status(uow_factory, ticket) == ("expired", False)
    assert sweep(uow_factory(), SETTINGS, rasa, MONDAY_10 + 23 * MIN).resumed == []  # once


def test_the_sweep_also_resumes_a_hand_back_that_rasa_missed(uow_factory, rasa):
    lena = member(uow_factory, "lena")
    ticket = open_live(uow_factory)
    console.claim(uow_factory(), ticket, lena, MONDAY_10 + MIN)
    rasa.down = True
    assert console.hand_back(uow_factory(), ticket, lena, MONDAY_10 + 2 * MIN, rasa) is False
    rasa.down = False
    assert resume_waiting(uow_factory(), rasa).resumed == [ticket]
    assert rasa.sent() == [("hand_back", "conv-1")] and status(uow_factory, ticket) == ("handed_back", False)


def test_finished_tickets_past_retention_lose_their_content_and_keep_the_ledger(uow_factory, rasa):
    lena = member(uow_factory, "lena")
    old = open_live(uow_factory, "conv-old")
    console.claim(uow_factory(), old, lena, MONDAY_10 + MIN)
    console.reply(uow_factory(), old, lena, "Your case number please?", MONDAY_10 + 2 * MIN, rasa)
    console.close(uow_factory(), old, lena, "Called Lena back on +86 139 1234 5678.", MONDAY_10 + 3 * MIN, rasa)
    old_call_back = open_call_back(uow_factory, "conv-cb")
    console.claim(uow_factory(), old_call_back, lena, MONDAY_10 + 4 * MIN)
    console.close(uow_factory(), old_call_back, lena, "Answered by e-mail.", MONDAY_10 + 5 * MIN, rasa)
    old_expired = open_live(uow_factory, "conv-exp")
    sweep(uow_factory(), SETTINGS, rasa, MONDAY_10 + 30 * MIN)
    recent = open_live(uow_factory, "conv-new", now=MONDAY_10 + 80 * DAY)
    console.claim(uow_factory(), recent, lena, MONDAY_10 + 80 * DAY)
    console.close(uow_factory(), recent, lena, "Done.", MONDAY_10 + 80 * DAY + MIN, rasa)
    still_open = open_live(uow_factory, "conv-open", now=MONDAY_10 + 80 * DAY)
    # the figures of the day the old tickets came in, read before and after the purge
    before = ledger_report(uow_factory(), "today", MONDAY_10 + 31 * MIN, "Asia/Shanghai")

    # 90 days after the first three finished: only those are erased
    assert purge_old(uow_factory(), SETTINGS, MONDAY_10 + 90 * DAY + 31 * MIN) == 3
    with uow_factory() as uow:
        for ticket_id in (old, old_call_back, old_expired):
            ticket = uow.tickets.get(ticket_id)
            assert (ticket.question, ticket.contact, ticket.resolution_note, ticket.slots) == (None, None, None, {})
            assert ticket.messages == [] and ticket.purged_at is not None
            assert ticket.reason in ("asked_for_human", "outside_hours") and ticket.created_at is not None
        assert uow.tickets.get(old).status == "closed" and uow.tickets.get(old_expired).status == "expired"
        assert uow.ledger.for_ticket(old).first_response_at is not None  # the ledger row is untouched
        for ticket_id in (recent, still_open):
            assert uow.tickets.get(ticket_id).messages and uow.tickets.get(ticket_id).purged_at is None
        assert uow.session.execute(select(func.count()).select_from(LedgerEntry)).scalar_one() == 5
        assert uow.session.execute(select(func.count()).select_from(TicketMessage)
                                   .where(TicketMessage.ticket_id.in_((old, old_call_back, old_expired)))
                                   ).scalar_one() == 0
    after = ledger_report(uow_factory(), "today", MONDAY_10 + 31 * MIN, "Asia/Shanghai")
    assert after == before and (after.figures.received, after.figures.expired, after.figures.resolved) == (3, 1, 2)
    assert purge_old(uow_factory(), SETTINGS, MONDAY_10 + 91 * DAY) == 0  # erased once


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_migration_0007_keeps_tickets_and_their_messages_both_ways(request, settings, database):
    from alembic import command
    from sqlalchemy import text

    from bot.db import migrate
    from bot.db.engine import make_engine

    url = settings.resolved_database_url if database == "sqlite" else request.getfixturevalue("postgres_url")
    migrate.upgrade(url, "0006")
    engine = make_engine(url)
    insert = ("INSERT INTO handoff_tickets (id, conversation_id, status, reason, in_hours, slots, resume_pending, "
              "created_at, updated_at) VALUES (:id, :conv, :status, 'asked_for_human', :live, '{}', :no, :at, :at)")
    at = MONDAY_10.replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(text(insert), {"id": 1, "conv": "c1", "status": "closed", "live": True, "no": False, "at": at})
        conn.execute(text("INSERT INTO ticket_messages (ticket_id, who, text, at) VALUES (1, 'user', 'hi', :at)"),
                     {"at": at})
    migrate.upgrade(url, "0007")
    assert migrate.current(url) == "0007"
    with engine.begin() as conn:
        conn.execute(text(insert), {"id": 2, "conv": "c2", "status": "expired", "live": True, "no": False, "at": at})
        assert conn.execute(text("SELECT count(*) FROM ticket_messages")).scalar_one() == 1  # nothing cascaded away
    command.downgrade(migrate.alembic_config(url), "0006")
    with engine.begin() as conn:
        assert conn.execute(text("SELECT status FROM handoff_tickets ORDER BY id")).scalars().all() == ["closed"] * 2
        assert conn.execute(text("SELECT count(*) FROM ticket_messages")).scalar_one() == 1
    migrate.upgrade(url)
    with engine.begin() as conn:  # one open ticket per conversation is still enforced after the round trip
        conn.execute(text(insert), {"id": 3, "conv": "c3", "status": "queued", "live": True, "no": False, "at": at})
        with pytest.raises(Exception, match="(?i)unique"):
            conn.execute(text(insert), {"id": 4, "conv": "c3", "status": "claimed", "live": True, "no": False,
                                        "at": at})
    engine.dispose()
