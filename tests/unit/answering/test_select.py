"""Choosing the facts that answer (bot/domain/answering/select.py), with given similarities."""
from bot.domain.answering.select import Signals, Weights, best_per_unit, choose, topics_in
from bot.domain.answering.units import build_units


def test_the_best_unit_above_the_threshold_answers(kb):
    units = build_units(kb)
    choice = choose(units, {"residence_permit.fees": 0.8, "work_permit.fees": 0.5}, Signals(text="how much?"))
    assert [s.unit.id for s in choice.answers] == ["residence_permit.fees"] and choice.nearest is None


def test_below_the_threshold_nothing_is_stated_but_the_nearest_fact_is_offered(kb):
    units = build_units(kb)
    w = Weights()
    choice = choose(units, {"residence_permit.fees": w.answer_at - 0.05}, Signals(), w)
    assert not choice.answered and choice.nearest.unit.id == "residence_permit.fees"
    assert not choose(units, {"residence_permit.fees": w.near_at - 0.1}, Signals(), w).nearest


def test_the_named_service_outweighs_a_slightly_better_match_of_another_service(kb):
    units = build_units(kb)
    sims = {"work_permit.fees": 0.74, "residence_permit.fees": 0.70}
    choice = choose(units, sims, Signals(services=("residence_permit",), text="fee?"))
    assert choice.answers[0].unit.id == "residence_permit.fees"


def test_the_conversation_service_decides_when_the_message_names_none(kb):
    units = build_units(kb)
    sims = {"work_permit.fees": 0.72, "residence_permit.fees": 0.70}
    choice = choose(units, sims, Signals(context_service="residence_permit", text="and how much is it?"))
    assert choice.answers[0].unit.id == "residence_permit.fees"


def test_a_named_document_or_hall_is_boosted(kb):
    units = build_units(kb)
    sims = {"residence_permit.materials": 0.72, "residence_permit.materials.photo": 0.64}
    choice = choose(units, sims, Signals(documents=("photo",), text="what photo?"))
    assert choice.answers[0].unit.id == "residence_permit.materials.photo"


def test_a_second_fact_answers_only_when_close_and_not_a_restatement(kb):
    units = build_units(kb)
    sims = {"residence_permit.deadlines.apply_after_entry": 0.80, "z_visa.summary": 0.79,
            "residence_permit.fees": 0.5}
    chosen = [s.unit.id for s in choose(units, sims, Signals()).answers]
    assert chosen == ["residence_permit.deadlines.apply_after_entry", "z_visa.summary"]


def test_topic_words_and_best_per_unit():
    assert topics_in("How much does it cost?") == ("fees",)
    assert "processing_time" in topics_in("工作许可要多久")
    assert best_per_unit(["a", "a", "b"], [0.2, 0.5, 0.3]) == {"a": 0.5, "b": 0.3}
