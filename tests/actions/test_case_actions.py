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


async def run(action, slots, text, intent="inform", entities=None, sender="conv-1", metadata=None):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent, entities, slots=slots, sender=sender, metadata=metadata)
    events = await action.run(dispatcher, tracker, DOMAIN)
    said = "\n".join(m.get("text") or m.get("response") or "" for m in dispatcher.messages)
    return {e["name"]: e["value"] for e in events}, said


async def test_case_number_in_the_opening_message_then_verified_status(loaded):
    seed(loaded)
    slots, _ = await run(ValidateCaseStatusForm(), {"requested_slot": None}, "where is my application EZ2026-0042?",
                         "ask_case_status", [{"entity": "case_number", "value": "EZ2026-0042"}])
    assert slots["case_number"] == "EZ2026-0042"
    slots, said = await run(ValidateCaseStatusForm(), {"requested_slot": "case_passport",
                                                       "case_number": "EZ2026-0042"},
                            "my passport ends with 0T47, family name Hoffmann")
    assert slots["case_passport"] == "verified"
    assert "Case EZ2026-0042" in said and "Under review" in said or "under review" in said.lower()
    assert "Hoffmann" not in said and "C01X00T47" not in said


async def test_wrong_passport_and_unknown_case_get_the_same_answer(loaded):
    seed(loaded)
    wrong, said_wrong = await run(ValidateCaseStatusForm(), {"requested_slot": "case_passport",
                                                             "case_number": "EZ2026-0042"}, "9999 Hoffmann")
    unknown, said_unknown = await run(ValidateCaseStatusForm(), {"requested_slot": "case_passport",
                                                                 "case_number": "EZ2026-9999"}, "9999 Hoffmann",
                                      sender="conv-2")
    assert said_wrong == said_unknown == "utter_case_not_verified"
    assert wrong["case_number"] is None


async def test_five_failures_lock_the_conversation(loaded):
    seed(loaded)
    for _ in range(5):
        slots, said = await run(ValidateCaseStatusForm(), {"requested_slot": "case_passport",
                                                           "case_number": "EZ2026-0042"}, "1111 Hoffmann")
    assert slots["case_passport"] == "locked" and "blocked until" in said and "staff at the service hall" in said
    slots, said = await run(ValidateCaseStatusForm(), {"requested_slot": "case_passport",
                                                       "case_number": "EZ2026-0042"}, "C01X00T47")
    assert slots["case_passport"] == "locked"  # even the right passport is refused now


async def test_words_at_the_passport_question_are_answered_and_never_counted(loaded):
    seed(loaded)
    asking = {"requested_slot": "case_passport", "case_number": "EZ2026-0042"}
    slots, said = await run(ValidateCaseStatusForm(), asking, "stop")
    assert slots == {"case_passport": "stopped"} and said == "utter_form_abandoned"
    slots, said = await run(ValidateCaseStatusForm(), asking, "cancel", "stop")
    assert slots == {"case_passport": "stopped"}
    for text, expected in (("help", "only the applicant"), ("why do you need it?", "once this check is done"),
                           ("hello there", "not count as a failed attempt"), ("0T47", "family name")):
        for _ in range(3):  # more often than any limit allows
            slots, said = await run(ValidateCaseStatusForm(), asking, text, "inform")
            assert slots == {"case_passport": None} and expected in said
    slots, said = await run(ValidateCaseStatusForm(), asking, "my passport number is C01X00T47.")
    assert slots["case_passport"] == "verified"  # nothing above was counted


async def test_the_client_address_from_the_channel_is_limited_across_conversations(loaded):
    seed(loaded)
    asking = {"requested_slot": "case_passport", "case_number": "EZ2026-0042"}
    for i in range(3):
        await run(ValidateCaseStatusForm(), asking, "1111 Hoffmann", sender=f"conv-{i}",
                  metadata={"client_ip": "203.0.113.5"})
    slots, said = await run(ValidateCaseStatusForm(), asking, "C01X00T47", sender="conv-new",
                            metadata={"client_ip": "203.0.113.5"})
    assert slots["case_passport"] == "locked" and "from your network" in said
    slots, _ = await run(ValidateCaseStatusForm(), asking, "C01X00T47", sender="conv-new",
                         metadata={"client_ip": "198.51.100.1"})
    assert slots["case_passport"] == "verified"


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
