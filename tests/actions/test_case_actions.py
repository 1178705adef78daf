"""The case-status and HR forms, turn by turn, against a fresh database with imported cases."""
from rasa_sdk.executor import CollectingDispatcher

from actions.cases import ActionFinishCaseStatus, ValidateCaseStatusForm, ValidateHrCasesForm
from bot import wiring
from bot.services import knowledge
from bot.services.cases import import_cases
from bot.services.enterprise_cases import issue_access_code
from bot.services.keys import case_hasher
from tests.case_data import CREDIT_CODE, LENA, WANG, csv_text
from tests.conftest import make_tracker

DOMAIN = {"forms": {}, "slots": {}}


def seed(settings):
    kb = knowledge.read(wiring.uow_factory()())
    import_cases(wiring.uow_factory()(), kb, case_hasher(settings), csv_text([LENA, WANG]))
    return issue_access_code(wiring.uow_factory()(), CREDIT_CODE, LENA["enterprise_name"])


async def run(action, slots, text, intent="inform", entities=None, sender="conv-1"):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent, entities, slots=slots, sender=sender)
    events = await action.run(dispatcher, tracker, DOMAIN)
    said = "\n".join(m.get("text") or m.get("response") or "" for m in dispatcher.messages)
    return {e["name"]: e["value"] for e in events}, said


async def test_case_number_in_the_opening_message_then_verified_status(loaded):
    seed(loaded)
    slots, _ = await run(ValidateCaseStatusForm(), {"requested_slot": None}, "where is my application EZ2026-0042?",
                         "ask_case_status", [{"entity": "case_number", "value": "EZ2026-0042"}])
    assert slots["case_number"] == "EZ2026-0042"
    slots, said = await run(ValidateCaseStatusForm(), {"requested_slot": "case_passport",
                                                       "case_number": "EZ2026-0042"}, "0T47")
    assert slots["case_passport"] == "verified"
    assert "Case EZ2026-0042" in said and "Under review" in said or "under review" in said.lower()
    assert "Hoffmann" not in said and "C01X00T47" not in said


async def test_wrong_passport_and_unknown_case_get_the_same_answer(loaded):
    seed(loaded)
    wrong, said_wrong = await run(ValidateCaseStatusForm(), {"requested_slot": "case_passport",
                                                             "case_number": "EZ2026-0042"}, "9999")
    unknown, said_unknown = await run(ValidateCaseStatusForm(), {"requested_slot": "case_passport",
                                                                 "case_number": "EZ2026-9999"}, "9999",
                                      sender="conv-2")
    assert said_wrong == said_unknown == "utter_case_not_verified"
    assert wrong["case_number"] is None


async def test_five_failures_lock_the_conversation(loaded):
    seed(loaded)
    for _ in range(5):
        slots, said = await run(ValidateCaseStatusForm(), {"requested_slot": "case_passport",
                                                           "case_number": "EZ2026-0042"}, "1111")
    assert slots["case_passport"] == "locked" and "blocked until" in said
    slots, said = await run(ValidateCaseStatusForm(), {"requested_slot": "case_passport",
                                                       "case_number": "EZ2026-0042"}, "0T47")
    assert slots["case_passport"] == "locked"  # even the right passport is refused now


async def test_bad_case_number_is_explained_without_echoing(loaded):
    slots, said = await run(ValidateCaseStatusForm(), {"requested_slot": "case_number"}, "<b>12345</b>")
    assert slots["case_number"] is None and "EZ2026-0042" in said and "<b>" not in said


async def test_a_question_in_the_middle_fills_nothing(loaded):
    slots, said = await run(ValidateCaseStatusForm(), {"requested_slot": "case_number"},
                            "how long does it take?", "ask_processing_time")
    assert "case_number" not in slots and said == ""


async def test_finish_forgets_the_case(loaded):
    slots, _ = await run(ActionFinishCaseStatus(), {"case_number": "EZ2026-0042", "case_passport": "verified"}, "")
    assert slots == {"case_number": None, "case_passport": None}


async def test_hr_list(loaded):
    code = seed(loaded)
    slots, _ = await run(ValidateHrCasesForm(), {"requested_slot": "credit_code"}, CREDIT_CODE.lower())
    assert slots["credit_code"] == CREDIT_CODE
    slots, said = await run(ValidateHrCasesForm(), {"requested_slot": "hr_access_code", "credit_code": CREDIT_CODE},
                            code)
    assert slots["hr_access_code"] == "verified"
    assert "L. Hoffmann" in said and "Lena Hoffmann" not in said and "C01X00T47" not in said
    assert "EZ2026-0043" in said and "/hr/cases" in said


async def test_hr_wrong_code(loaded):
    seed(loaded)
    slots, said = await run(ValidateHrCasesForm(), {"requested_slot": "hr_access_code", "credit_code": CREDIT_CODE},
                            "WRONG-CODE-1234")
    assert said == "utter_hr_not_verified" and slots["credit_code"] is None
