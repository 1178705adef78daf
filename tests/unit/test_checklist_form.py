"""The checklist conversation: what an answer means, and which questions are still worth asking."""
import pytest

from bot.domain.checklist_form import (
    UNKNOWN, Turn, expanded_services, interpret, prefill, profile_fields, questions_to_ask,
)


@pytest.mark.parametrize("slot, turn, expected", [
    ("checklist_services", Turn("inform", "residence permit", services=("residence_permit",)), ["residence_permit"]),
    ("checklist_services", Turn("inform", "both permits please"), ["joint_application"]),
    ("checklist_services", Turn("not_sure", "not sure"), None),  # the service cannot be skipped
    ("location", Turn("affirm", "/affirm"), "inside_china"),
    ("location", Turn("deny", "no"), "outside_china"),
    ("location", Turn("inform", "still in my home country"), "outside_china"),
    ("location", Turn("inform", "already in Beijing"), "inside_china"),
    ("category", Turn("inform", "category B"), "B"),
    ("category", Turn("inform", "I'm A"), "A"),
    ("category", Turn("inform", "c"), "C"),
    ("category", Turn("inform", "a lot of experience"), None),
    ("category", Turn("not_sure", "dunno"), UNKNOWN),
    ("category", Turn("deny", "not sure"), UNKNOWN),
    ("degree_country", Turn("inform", "Germany", countries=("de",)), "de"),
    ("degree_country", Turn("inform", "Hong Kong"), "hk_macao_taiwan"),
    ("degree_country", Turn("inform", "a Chinese university"), "mainland"),
    ("degree_country", Turn("inform", "Atlantis"), None),
    ("record_country", Turn("ask_apostille", "from the UK", countries=("gb",)), "gb"),
    ("family", Turn("inform", "my wife and two kids"), "spouse+child"),
    ("family", Turn("inform", "just me"), "none"),
    ("family", Turn("inform", "my husband"), "spouse"),
    ("employer_change", Turn("affirm", "yes"), "yes"),
    ("employer_change", Turn("inform", "first job in China"), "no"),
    ("employer_change", Turn("inform", "I'm switching companies"), "yes"),
])
def test_interpret(slot, turn, expected):
    assert interpret(slot, turn) == expected


def test_joint_application_asks_no_location_but_family_and_employer_change():
    assert questions_to_ask({"checklist_services": ["joint_application"]}) == [
        "checklist_services", "category", "degree_country", "record_country", "family", "employer_change"]


def test_work_permit_asks_where_the_applicant_is_first():
    asks = questions_to_ask({"checklist_services": ["work_permit"]})
    assert asks[:2] == ["checklist_services", "location"] and "family" not in asks


def test_applicant_abroad_is_not_asked_about_employer_change():
    assert "employer_change" not in questions_to_ask({"checklist_services": ["work_permit"],
                                                      "location": "outside_china"})


def test_residence_permit_alone_asks_only_family():
    assert questions_to_ask({"checklist_services": ["residence_permit"]}) == ["checklist_services", "family"]


def test_what_was_said_before_is_not_asked_again():
    turn = Turn("request_checklist", "checklist for our new hire from Brazil, category B, with his wife",
                countries=("br",))
    found = prefill({}, turn, context_service="residence_permit", context_location="inside_china")
    assert found == {"checklist_services": ["residence_permit"], "location": "inside_china", "category": "B",
                     "record_country": "br", "family": "spouse"}


def test_expanded_services():
    assert expanded_services(["joint_application"], None) == ["work_permit", "residence_permit"]
    assert expanded_services(["work_permit"], "outside_china") == ["work_permit_notification"]


def test_profile_fields_map_unknown_to_none():
    fields = profile_fields({"checklist_services": ["joint_application"], "category": UNKNOWN,
                             "degree_country": "de", "record_country": UNKNOWN, "family": "none",
                             "employer_change": "yes"})
    assert fields == {"services": ["work_permit", "residence_permit"], "location": "inside_china",
                      "category": None, "degree_country": "de", "record_country": None, "family": set(),
                      "employer_change": True}
    assert profile_fields({"checklist_services": ["residence_permit"], "family": UNKNOWN})["family"] is None
