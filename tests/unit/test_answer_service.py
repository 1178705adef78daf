"""The answer use case: entities, free-text mentions and context decide what is answered."""
import pytest

from bot.services.answers import QuestionContext, UnknownQuestion, answer_question


def test_follow_up_cost_refers_to_the_permit_just_discussed(live):
    first = answer_question(live, QuestionContext("ask_materials", "documents for a residence permit?",
                                                  [{"entity": "service", "value": "residence permit"}]))
    assert first.remember["service"] == "residence_permit"
    follow = answer_question(live, QuestionContext("ask_fees", "how much does it cost?",
                                                   service=first.remember["service"], topic="materials"))
    assert "Work-type residence permit" in follow.answer.text and "400" in follow.answer.text
    assert "You didn't say which permit" not in follow.answer.text


def test_service_found_in_text_even_without_a_rasa_entity(live):
    reply = answer_question(live, QuestionContext("ask_fees", "fees for the health check please"))
    assert reply.remember["service"] == "health_check"


def test_rasa_entity_with_a_typo_is_resolved(live):
    reply = answer_question(live, QuestionContext("ask_fees", "recidence permit fee",
                                                  [{"entity": "service", "value": "recidence permit"}]))
    assert reply.remember["service"] == "residence_permit"


def test_inform_switches_the_service_and_keeps_the_topic(live):
    reply = answer_question(live, QuestionContext("inform", "and for the Z visa?", service="residence_permit",
                                                  topic="fees"))
    assert reply.remember == {"service": "z_visa", "topic": "fees", "location": None}
    assert reply.answer.text.startswith("Fees — Z visa")


def test_being_in_china_switches_notification_letter_to_work_permit(live):
    reply = answer_question(live, QuestionContext("inform", "I'm already in China", service="work_permit_notification",
                                                  topic="materials"))
    assert reply.remember["service"] == "work_permit" and reply.remember["location"] == "inside_china"


def test_apostille_by_country_then_another_country(live):
    first = answer_question(live, QuestionContext("ask_apostille", "do I need an apostille for my degree from Canada?"))
    assert first.remember["country"] == "ca" and "apostille is enough" in first.answer.text
    second = answer_question(live, QuestionContext("inform", "and India?", topic=first.remember["topic"],
                                                   country="ca"))
    assert second.remember["country"] == "in" and "legalisation" in second.answer.text


def test_china_as_country_means_mainland_documents(live):
    reply = answer_question(live, QuestionContext("ask_apostille", "degree from China",
                                                  [{"entity": "country", "value": "China"}]))
    assert "mainland" in reply.answer.text.lower()


def test_hall_question(live):
    reply = answer_question(live, QuestionContext("ask_where", "what time does Andingmen open?"))
    assert "Andingmen" in reply.answer.text and "9:00" in reply.answer.text


@pytest.mark.parametrize("text", ["<script>alert('x')</script> fees?", "'; DROP TABLE kb_entries; -- fees",
                                  "fees 💸💸💸", "x" * 5000])
def test_hostile_text_is_never_echoed(live, text):
    reply = answer_question(live, QuestionContext("ask_fees", text))
    assert "<script>" not in reply.answer.text and "DROP TABLE" not in reply.answer.text
    assert "💸" not in reply.answer.text and "xxxxx" not in reply.answer.text


def test_non_question_intent_is_refused(live):
    with pytest.raises(UnknownQuestion):
        answer_question(live, QuestionContext("greet", "hi"))
