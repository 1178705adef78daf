"""The chat side of the handoff, with real tickets in a fresh database. Staff hours come from
Settings (open all day, or a minute half a day away), never from patching the clock."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionDefaultFallback
from actions.handoff import (ActionHandback, ActionHandoffExpired, ActionStartHandoff, ActionSubmitHandoff,
                             ValidateHandoffForm)
from bot import wiring
from bot.db.models import HandoffTicket
from bot.domain import handoff as rules
from bot.services import handoff, vault
from bot.services.keys import secret_key
from tests.conftest import make_tracker


def staff_on_duty(settings):
    return settings.copy(update={"staff_hours": "00:00-24:00", "staff_every_day": True})


def staff_away(settings):
    """Staff hours of one minute, twelve hours from now: closed whenever the test runs."""
    start = dt.datetime.now(ZoneInfo(settings.timezone)) + dt.timedelta(hours=12)
    return settings.copy(update={"staff_hours": f"{start:%H}:00-{start:%H}:01", "staff_every_day": False})


@pytest.fixture
def on_duty(loaded):
    settings = staff_on_duty(loaded)
    wiring.configure(settings)
    yield settings
    wiring.configure(None)


@pytest.fixture
def away(loaded):
    settings = staff_away(loaded)
    wiring.configure(settings)
    yield settings
    wiring.configure(None)


async def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


def slots_of(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def history(sender="web-1"):
    """A tracker whose conversation had a question, an answer and now asks for a person."""
    tracker = make_tracker("I want to talk to a person", "request_human", sender=sender,
                           slots={"service": "residence_permit", "case_number": "EZ2026-0042"})
    tracker.events[:0] = [
        {"event": "user", "text": "how much is a residence permit?", "timestamp": 1_790_000_000.0,
         "parse_data": {"intent": {"name": "ask_fees"}}},
        {"event": "bot", "text": "A residence permit costs CNY 400 to 1,000.", "timestamp": 1_790_000_001.0},
    ]
    return tracker


def tickets(settings):
    uow = wiring.uow_factory()()
    with uow:
        return [(t.id, t.reason, t.status, t.in_hours, t.contact, t.question, dict(t.slots or {}),
                 [(m.who, m.text) for m in t.messages]) for t in uow.session.query(HandoffTicket).all()]


async def test_inside_hours_a_request_opens_a_ticket_says_the_queue_and_pauses(on_duty):
    messages, events = await run(ActionStartHandoff(), history())
    text = messages[0]["text"]
    assert "request #" in text and "You are next in the queue" in text and "minutes" in text
    assert "I'll stay quiet" in text
    assert slots_of(events)["handoff_path"] == "queued"
    assert events[-1]["event"] == "pause"
    [(_, reason, status, in_hours, contact, _, slots, lines)] = tickets(on_duty)
    assert (reason, status, in_hours, contact) == ("asked_for_human", "queued", True, None)
    assert slots == {"service": "residence_permit", "case_number": "EZ2026-0042"}
    assert lines[:2] == [("user", "how much is a residence permit?"), ("bot", "A residence permit costs CNY 400 to 1,000.")]


async def test_a_second_request_keeps_the_one_ticket(on_duty):
    await run(ActionStartHandoff(), history())
    messages, events = await run(ActionStartHandoff(), history())
    assert "already with the hall's staff" in messages[0]["text"]
    assert events[-1]["event"] == "pause"
    assert len(tickets(on_duty)) == 1


async def test_the_second_person_in_the_queue_is_told_so(on_duty):
    await run(ActionStartHandoff(), history("web-1"))
    messages, _ = await run(ActionStartHandoff(), history("web-2"))
    assert "number 2 in the queue" in messages[0]["text"]


async def test_a_rejected_application_flagged_by_the_knowledge_base_goes_to_staff(on_duty):
    tracker = make_tracker("my work permit application was rejected, what can I do now?", "report_complex_case",
                           entities=[{"entity": "service", "value": "work permit"}])
    messages, events = await run(ActionStartHandoff(), tracker)
    assert messages[0]["text"].startswith("This sounds like a rejected application")
    assert events[-1]["event"] == "pause"
    assert tickets(on_duty)[0][1] == "complex_case"


async def test_a_change_of_employer_with_a_pending_case_is_flagged(on_duty):
    tracker = make_tracker("I want to change employer but my case is still pending", "report_complex_case")
    messages, _ = await run(ActionStartHandoff(), tracker)
    assert "a change of employer while a case is pending" in messages[0]["text"]


async def test_a_situation_the_knowledge_base_does_not_flag_gets_an_offer(on_duty):
    messages, events = await run(ActionStartHandoff(), make_tracker("my case is complicated", "report_complex_case"))
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/request_human", "/deny"]
    assert slots_of(events) == {"handoff_path": "offered"}
    assert tickets(on_duty) == []


async def test_outside_hours_the_form_path_promises_the_next_working_day(away):
    messages, events = await run(ActionStartHandoff(), history())
    expected = rules.reply_by(handoff.staff_hours(away), dt.datetime.now(ZoneInfo(away.timezone)))
    assert "not here right now" in messages[0]["text"]
    assert f"{expected.day} {expected:%B %Y}" in messages[0]["text"]
    assert slots_of(events)["handoff_path"] == "after_hours"
    assert not any(e["event"] == "pause" for e in events)
    assert tickets(away) == []


async def validate(slot, text, sender="web-1", intent="inform"):
    tracker = make_tracker(text, intent, slots={"requested_slot": slot}, sender=sender)
    dispatcher = CollectingDispatcher()
    extract = getattr(ValidateHandoffForm(), f"extract_{slot}")
    values = await extract(dispatcher, tracker, {})
    return dispatcher.messages, values


@pytest.mark.parametrize("text", ["", "   ", "ok", "12345678", "/request_human", "x" * 1001],
                         ids=["empty", "blank", "short", "digits", "payload", "too-long"])
async def test_a_question_for_staff_must_be_words_of_reasonable_length(away, text):
    messages, values = await validate("handoff_question", text)
    assert values == {"handoff_question": None} and messages[0]["text"].startswith("Please")


@pytest.mark.parametrize("slot", ["handoff_question", "handoff_contact"])
@pytest.mark.parametrize("text, intent", [("stop", "stop"), ("bye", "goodbye"), ("a human please", "request_human")])
async def test_leaving_or_asking_again_is_not_taken_as_an_answer(away, slot, text, intent):
    messages, values = await validate(slot, text, intent=intent)
    assert values == {} and messages == []  # Rasa rejects the form's turn; the form rules answer


async def test_a_question_that_looks_like_a_question_for_the_bot_is_taken(away):
    _, values = await validate("handoff_question", "How much does the residence permit cost for my family?",
                               intent="ask_fees")
    assert values == {"handoff_question": "How much does the residence permit cost for my family?"}


@pytest.mark.parametrize("text", ["not an address", "lena@", "abc", "+86 12", "<script>x</script>"])
async def test_a_contact_must_be_an_email_or_phone_and_is_not_echoed(away, text):
    messages, values = await validate("handoff_contact", text)
    assert values == {"handoff_contact": None}
    assert messages[0]["text"].startswith("Sorry, that doesn't look right") and text not in messages[0]["text"]


async def test_outside_hours_question_and_contact_open_a_ticket_with_both(away):
    _, question = await validate("handoff_question", "  My degree is from two countries;   which one legalises it? ")
    assert question == {"handoff_question": "My degree is from two countries; which one legalises it?"}
    _, contact = await validate("handoff_contact", "Lena@Example.com")
    assert contact == {"handoff_contact": "L•••@example.com"}

    tracker = history()
    tracker.slots.update({**question, **contact, "handoff_reason": "asked_for_human"})
    messages, events = await run(ActionSubmitHandoff(), tracker)
    text = messages[0]["text"]
    assert "request #" in text and "L•••@example.com" in text and "Lena@example.com" not in text
    assert slots_of(events)["handoff_path"] is None
    [(_, reason, status, in_hours, stored_contact, stored_question, _, _)] = tickets(away)
    assert (reason, status, in_hours) == ("asked_for_human", "queued", False)
    assert "Lena@example.com" not in stored_contact  # sealed at rest
    assert vault.unseal(secret_key(away), handoff.CONTACT_PURPOSE, stored_contact) == "Lena@example.com"
    assert stored_question == "My degree is from two countries; which one legalises it?"


async def test_a_contact_is_used_once(away):
    await validate("handoff_contact", "+86 139 1234 5678")
    tracker = history()
    tracker.slots.update({"handoff_question": "Which hall handles a change of employer?"})
    await run(ActionSubmitHandoff(), tracker)
    messages, events = await run(ActionSubmitHandoff(), tracker)  # the vault gave the contact out once
    assert "no longer have your contact" in messages[0]["text"]
    assert len(tickets(away)) == 1


async def test_handback_greets_with_the_context(loaded):
    tracker = make_tracker("", "EXTERNAL_handback", slots={"service": "residence_permit", "handoff_path": "queued"})
    messages, events = await run(ActionHandback(), tracker)
    text = messages[0]["text"]
    assert text.startswith("You're back with the assistant") and "residence permit" in text.lower()
    assert slots_of(events)["handoff_path"] is None
    # the rule for EXTERNAL_handback predicts action_listen after it: the action adds none itself
    assert [e["event"] for e in events] == ["slot", "slot"]


async def test_an_expired_handoff_says_no_one_was_free_and_offers_the_call_back_form(on_duty):
    tracker = make_tracker("", "EXTERNAL_handoff_expired", slots={"handoff_path": "queued"})
    messages, events = await run(ActionHandoffExpired(), tracker)
    text = messages[0]["text"]
    tomorrow = dt.datetime.now(ZoneInfo(on_duty.timezone)).date() + dt.timedelta(days=1)
    assert "no one on the hall's staff was free" in text and "last 20 minutes" in text
    assert "Nothing you wrote is lost" in text and f"{tomorrow:%A}" in text and "next working day" in text
    assert slots_of(events) == {"handoff_path": "after_hours", "handoff_question": None, "handoff_contact": None}
    assert all(e["event"] != "pause" for e in events)  # the bot answers again


async def submit_after(events, question="Which documents does my employer sign?", contact="lena@example.com"):
    """Finish the call-back form after ``events`` (the steps that offered it) and return the confirmation."""
    await validate("handoff_contact", contact)
    tracker = history()
    tracker.events.extend(events)
    tracker.slots.update({"handoff_question": question, "handoff_reason": "asked_for_human"})
    messages, _ = await run(ActionSubmitHandoff(), tracker)
    return messages[0]["text"]


EXPIRY_STEPS = [{"event": "action", "name": "action_start_handoff"}, {"event": "pause"}, {"event": "resume"},
                {"event": "user", "text": "", "parse_data": {"intent": {"name": "EXTERNAL_handoff_expired"}}},
                {"event": "action", "name": "action_handoff_expired"}, {"event": "action", "name": "handoff_form"}]


async def test_after_an_expiry_the_confirmation_promises_the_next_working_day_not_today(on_duty):
    local = dt.datetime.now(ZoneInfo(on_duty.timezone))
    promised = rules.next_working_day_after(handoff.staff_hours(on_duty), local)
    expired_text = (await run(ActionHandoffExpired(), make_tracker("", "EXTERNAL_handoff_expired")))[0][0]["text"]
    text = await submit_after(EXPIRY_STEPS)
    assert f"{promised:%A}" in expired_text and f"{promised:%A}" in text  # the form keeps the expiry's promise
    assert f"{local:%A}" not in text  # staff are in, yet no "today" promise


async def test_outside_hours_the_confirmation_promises_the_day_staff_are_next_in(away):
    local = dt.datetime.now(ZoneInfo(away.timezone))
    promised = rules.reply_by(handoff.staff_hours(away), local)
    text = await submit_after([{"event": "action", "name": "action_start_handoff"},
                               {"event": "action", "name": "handoff_form"}])
    assert f"they will reply to l•••@example.com on {promised:%A}" in text


async def test_an_earlier_expiry_does_not_change_a_later_call_back_in_hours(on_duty):
    later = EXPIRY_STEPS + [{"event": "action", "name": "action_submit_handoff"},
                            {"event": "action", "name": "action_start_handoff"}]
    text = await submit_after(later)
    today = dt.datetime.now(ZoneInfo(on_duty.timezone))
    assert f"on {today:%A}" in text


async def test_two_fallbacks_in_a_row_inside_hours_bring_in_staff(on_duty):
    messages, events = await run(ActionDefaultFallback(), make_tracker("blorp", "nlu_fallback"))
    assert messages[0]["text"].startswith("Sorry, I still couldn't understand you")
    assert [e["event"] for e in events][-2:] == ["pause", "rewind"]
    assert tickets(on_duty)[0][1] == "repeated_fallback"
