"""The knowledge base cut into fact units (bot/domain/answering/units.py)."""
from bot.domain.answering.units import build_units, unknown_example_ids


def test_every_unit_has_a_stable_unique_id_a_source_and_a_review_date(kb):
    units = build_units(kb)
    ids = [u.id for u in units.units]
    assert len(ids) == len(set(ids)) and len(ids) > 300
    assert all(u.source.startswith("http") and u.reviewed and u.text for u in units.units)
    assert units.checksum == kb.checksum


def test_one_document_is_its_own_unit_with_its_format_rules(kb):
    photo = build_units(kb).by_id["residence_permit.materials.photo"]
    assert photo.topic == "material" and "white background" in photo.text and "2-inch" in photo.text
    assert photo.related_topic == "materials"
    assert any("photo" in q.lower() for q in photo.questions)


def test_uncertain_facts_keep_their_note(kb):
    time = build_units(kb).by_id["residence_permit.processing_time.standard"]
    assert time.uncertain and "sources differ" in time.uncertain


def test_units_carry_their_context_and_the_questions_they_answer(kb):
    fees = build_units(kb).by_id["residence_permit.fees"]
    first, *questions = fees.search_texts()
    assert "Work-type residence permit" in first and "fees" in first and "CNY 400" in first
    assert any("How much does the Work-type residence permit" in q for q in questions)


def test_halls_countries_categories_and_hotlines_are_units(kb):
    by_id = build_units(kb).by_id
    assert "hall.daxing_branch_etown_foreigners_hall" in by_id and "apostille.de" in by_id
    assert "categories.A" in by_id and "apostille.rule" in by_id
    assert any(i.startswith("contacts.") and "12367" in by_id[i].text for i in by_id)


def test_example_questions_are_added_by_unit_id_and_unknown_ids_are_reported(kb):
    examples = {"residence_permit.fees": ["what do I pay for the RP card?"], "no_such.unit": ["?"]}
    units = build_units(kb, examples)
    assert "what do I pay for the RP card?" in units.by_id["residence_permit.fees"].questions
    assert unknown_example_ids(units, examples) == ["no_such.unit"]
