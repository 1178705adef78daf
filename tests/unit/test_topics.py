import pytest

from bot.domain.topics import (
    DEFAULT_SERVICE, Topic, adjust_for_location, detect_issuing_region, detect_location, resolve_question,
)

KNOWN = ["work_permit", "work_permit_notification", "residence_permit", "joint_application", "health_check",
         "accommodation_registration"]


def test_service_named_in_the_message_wins():
    q = resolve_question("ask_fees", ["work_permit"], "residence_permit", "materials", None, KNOWN)
    assert (q.topic, q.service_id, q.assumed) == (Topic.FEES, "work_permit", False)


def test_follow_up_uses_the_service_from_context():
    q = resolve_question("ask_fees", [], "residence_permit", "materials", None, KNOWN)
    assert (q.service_id, q.assumed) == ("residence_permit", False)


def test_without_any_service_the_most_likely_one_is_assumed():
    q = resolve_question("ask_fees", [], None, None, None, KNOWN)
    assert (q.service_id, q.assumed) == (DEFAULT_SERVICE[Topic.FEES], True)


def test_intent_that_names_its_service():
    q = resolve_question("ask_health_check", ["residence_permit"], "work_permit", None, None, KNOWN)
    assert (q.topic, q.service_id) == (Topic.OVERVIEW, "health_check")


def test_inform_repeats_the_previous_topic_for_the_new_service():
    q = resolve_question("inform", ["residence_permit"], "work_permit", "fees", None, KNOWN)
    assert (q.topic, q.service_id) == (Topic.FEES, "residence_permit")


def test_inform_without_previous_topic_gives_an_overview():
    assert resolve_question("inform", ["z_visa"], None, None, None, KNOWN + ["z_visa"]).topic is Topic.OVERVIEW


def test_unknown_services_are_ignored():
    q = resolve_question("ask_fees", ["no_such_service"], None, None, None, KNOWN)
    assert q.assumed


@pytest.mark.parametrize("service, location, expected", [
    ("work_permit", "outside_china", "work_permit_notification"),
    ("work_permit_notification", "inside_china", "work_permit"),
    ("residence_permit", "outside_china", "residence_permit"),
    ("work_permit", None, "work_permit"),
])
def test_location_switches_between_notification_letter_and_permit(service, location, expected):
    assert adjust_for_location(service, location) == expected


@pytest.mark.parametrize("text, expected", [
    ("I'm already in China on a Z visa", "inside_china"),
    ("our new hire is currently living in Beijing", "inside_china"),
    ("he is still abroad", "outside_china"),
    ("the candidate is outside China", "outside_china"),
    ("not yet in China", "outside_china"),
    ("what documents do I need", None),
])
def test_detect_location(text, expected):
    assert detect_location(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("my degree is from Hong Kong", "hk_macao_taiwan"),
    ("diploma from a university in Macau", "hk_macao_taiwan"),
    ("I studied in mainland China", "mainland"),
    ("degree from Germany", None),
])
def test_detect_issuing_region(text, expected):
    assert detect_issuing_region(text) == expected
