"""The checklist form's validation action and the final checklist, against a fresh database."""
import re

from rasa_sdk.executor import CollectingDispatcher

from actions.checklists import ActionShowChecklist, ValidateChecklistForm
from actions.estimates import ActionEstimateDate
from tests.conftest import make_tracker

DOMAIN = {"forms": {"checklist_form": {"required_slots": ["checklist_services"]}}, "slots": {}}


async def validate(slots, text, intent, entities=None):
    tracker = make_tracker(text, intent, entities, slots=slots)
    dispatcher = CollectingDispatcher()
    events = await ValidateChecklistForm().run(dispatcher, tracker, DOMAIN)
    return {e["name"]: e["value"] for e in events}, dispatcher.messages


async def test_opening_message_fills_what_it_says(loaded):
    slots, _ = await validate({"requested_slot": None}, "make me a checklist for the joint application, category B",
                              "request_checklist")
    assert slots["checklist_services"] == ["joint_application"] and slots["category"] == "B"
    assert slots["requested_slot"] == "degree_country"


async def test_context_from_earlier_questions_is_used(loaded):
    slots, _ = await validate({"requested_slot": None, "service": "residence_permit"}, "make me a checklist",
                              "request_checklist")
    assert slots["checklist_services"] == ["residence_permit"] and slots["requested_slot"] == "family"


async def test_answer_fills_the_requested_slot_and_asks_the_next(loaded):
    slots, _ = await validate({"requested_slot": "category", "checklist_services": ["joint_application"]},
                              "category C", "inform")
    assert slots == {"category": "C", "requested_slot": "degree_country"}


async def test_not_sure_is_remembered_and_not_asked_again(loaded):
    slots, _ = await validate({"requested_slot": "degree_country", "checklist_services": ["work_permit"],
                               "location": "outside_china", "category": "B"}, "no idea", "not_sure")
    assert slots == {"degree_country": "unknown", "requested_slot": "record_country"}


async def test_a_question_in_the_middle_fills_nothing(loaded):
    slots, messages = await validate({"requested_slot": "category", "checklist_services": ["joint_application"]},
                                     "wait, how much does it cost?", "ask_fees")
    assert "category" not in slots and messages == []


async def test_an_answer_that_is_not_understood_is_asked_again_with_help(loaded):
    slots, messages = await validate({"requested_slot": "category", "checklist_services": ["joint_application"]},
                                     "the big one", "inform")
    assert slots["category"] is None and slots["requested_slot"] == "category"
    assert messages[0]["response"] == "utter_not_understood_category"


async def test_country_typed_as_an_apostille_question_is_still_an_answer(loaded):
    slots, _ = await validate({"requested_slot": "degree_country", "checklist_services": ["joint_application"],
                               "category": "B"}, "Germany", "ask_apostille", [{"entity": "country", "value": "Germany"}])
    assert slots["degree_country"] == "de"


async def show(slots):
    dispatcher = CollectingDispatcher()
    events = await ActionShowChecklist().run(dispatcher, make_tracker("", "inform", slots=slots), {})
    return dispatcher.messages[0], {e["name"]: e["value"] for e in events}


async def test_checklist_with_stable_links(loaded):
    slots = {"checklist_services": ["joint_application"], "category": "B", "degree_country": "de",
             "record_country": "unknown", "family": "spouse", "employer_change": "no"}
    message, events = await show(slots)
    text = message["text"]
    link = re.search(r"(http://\S+/checklists/[0-9a-f]{16})\b", text).group(1)
    assert f"{link}.pdf" in text and re.search(r"^1\. ", text, re.M)
    assert events["checklist_ids"] == [link.rsplit("/", 1)[1]]
    assert all(events[name] is None for name in ("checklist_services", "category", "family"))
    again, _ = await show(slots)
    assert link in again["text"]  # same answers, same link


async def test_second_checklist_links_all_of_them(loaded):
    first, events = await show({"checklist_services": ["residence_permit"], "family": "none"})
    second, _ = await show({"checklist_services": ["residence_permit"], "family": "child",
                            "checklist_ids": events["checklist_ids"]})
    assert "All 2 checklists of this conversation together" in second["text"]
    assert "/checklists/batch.pdf?ids=" in second["text"]
    assert second["text"].splitlines()[-1].startswith("Source")


async def test_date_estimate(loaded):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("if E-Town accepts my work permit application on 2026-12-01, when will it be concluded?",
                           "ask_date_estimate")
    await ActionEstimateDate().run(dispatcher, tracker, {})
    text = dispatcher.messages[0]["text"]
    assert "4 December 2026" in text and "working day" in text
