"""Tailored checklists: each profile answer changes the list as it should; merged lists have no duplicates."""
import datetime as dt
import re

import pytest

from bot.domain.checklist import (
    IF_APPLIES, PROVIDERS, InvalidProfile, Profile, build_checklist, check_profile, profile_key,
    resolve_country_value,
)
from bot.kb.base import KnowledgeBase
from bot.kb.text import normalize
from bot.services.checklists import render_chat_text

TODAY = dt.date(2026, 11, 22)
NOTIFICATION = "work_permit_notification"


def build(kb, services=(NOTIFICATION,), **answers):
    return build_checklist(kb, Profile(list(services), **answers), today=TODAY)


def by_id(checklist):
    return {item.material_id: item for item in checklist.items}


def edited(kb, service_id, material_id, **conditions) -> KnowledgeBase:
    """A copy of the knowledge base where one material has other conditions."""
    service = kb.service(service_id)
    materials = [m.copy(update={"conditions": m.conditions.copy(update=conditions)}) if m.id == material_id else m
                 for m in service.materials]
    services = {**kb.files.services, service_id: service.copy(update={"materials": materials})}
    return KnowledgeBase(kb.files.copy(update={"services": services}))


# -- location -------------------------------------------------------------------------

def test_location_condition_keeps_or_drops_the_item(kb):
    kb2 = edited(kb, NOTIFICATION, "physical_exam_certificate", location="outside_china")
    assert "physical_exam_certificate" in by_id(build(kb2, location="outside_china"))
    assert "physical_exam_certificate" not in by_id(build(kb2, location="inside_china"))
    unsure = by_id(build(kb2))["physical_exam_certificate"]
    assert unsure.if_applies and unsure.conditions == ("the applicant is outside China",)
    assert not by_id(build(kb2, location="outside_china"))["physical_exam_certificate"].if_applies


def test_a_service_for_the_other_location_is_kept_with_a_warning(kb):
    inside = build(kb, location="inside_china")
    assert any("for applicants outside China" in note for note in inside.notes)
    assert not any("for applicants" in note for note in build(kb, location="outside_china").notes)


# -- talent category --------------------------------------------------------------------

def test_category_condition_and_the_dont_know_explanation(kb):
    kb2 = edited(kb, NOTIFICATION, "work_experience_certificate", categories=["B", "C"])
    assert "work_experience_certificate" not in by_id(build(kb2, category="A"))
    assert not by_id(build(kb2, category="B"))["work_experience_certificate"].if_applies
    unsure = build(kb2)
    assert by_id(unsure)["work_experience_certificate"].conditions == ("talent category B/C",)
    explanation = [n for n in unsure.notes if "talent category" in n]
    assert explanation and "A: high-end foreign talent" in explanation[0] and IF_APPLIES in explanation[0]
    assert not any("talent category" in n for n in build(kb2, category="B").notes)


def test_category_a_exemption_is_only_a_note_in_the_knowledge_base(kb):
    # The KB states the Category A exemption in the material's note, not as a condition,
    # so the certificate stays on the list and the note says when it can be skipped.
    item = by_id(build(kb, category="A"))["work_experience_certificate"]
    assert not item.if_applies and any("Category A" in note for note in item.notes)
    assert not any("talent category" in n for n in build(kb).notes)  # nothing depends on it: no explanation


# -- where the degree and the criminal record come from -----------------------------------

DEGREES = {"degree_certificate_abroad", "degree_certificate_hk_macao_taiwan", "degree_certificate_mainland"}


def test_degree_from_an_apostille_country(kb):
    items = by_id(build(kb, degree_country="de"))
    assert DEGREES & set(items) == {"degree_certificate_abroad"}
    auth = items["degree_certificate_abroad"].authentication
    assert auth.route == "apostille" and "Germany" in auth.text and "7 November 2023" in auth.text
    assert not items["degree_certificate_abroad"].if_applies


def test_degree_from_a_country_outside_the_convention(kb):
    auth = by_id(build(kb, degree_country="vn"))["degree_certificate_abroad"].authentication
    assert auth.route == "legalisation" and "Vietnam" in auth.text


def test_degree_from_a_country_whose_convention_starts_later(kb):
    canada = kb.countries["ca"].apostille_with_china_since
    before = build_checklist(kb, Profile([NOTIFICATION], degree_country="ca"), today=canada - dt.timedelta(days=1))
    assert by_id(before)["degree_certificate_abroad"].authentication.route == "legalisation"
    assert by_id(build(kb, degree_country="ca"))["degree_certificate_abroad"].authentication.route == "apostille"


def test_degree_from_hong_kong_is_notarised(kb):
    items = by_id(build(kb, degree_country="hk_macao_taiwan"))
    assert DEGREES & set(items) == {"degree_certificate_hk_macao_taiwan"}
    assert build(kb, degree_country="hk").profile.degree_country == "hk_macao_taiwan"


def test_degree_from_the_mainland_needs_only_the_original(kb):
    for value in ("mainland", "cn"):
        items = by_id(build(kb, degree_country=value))
        assert DEGREES & set(items) == {"degree_certificate_mainland"}, value
        assert "original" in items["degree_certificate_mainland"].details


def test_unknown_degree_country_keeps_every_variant_marked(kb):
    items = by_id(build(kb))
    assert DEGREES <= set(items)
    assert all(items[d].if_applies for d in DEGREES)
    assert items["degree_certificate_abroad"].conditions == ("the degree was obtained abroad",)
    assert items["degree_certificate_abroad"].authentication.route == "depends"


def test_criminal_record_follows_the_record_country(kb):
    india = by_id(build(kb, degree_country="de", record_country="in"))["criminal_record_certificate"]
    assert india.authentication.route == "legalisation"
    assert any("India objected" in note for note in india.notes)  # the country's own note
    assert by_id(build(kb, record_country="gb"))["criminal_record_certificate"].authentication.route == "apostille"
    assert by_id(build(kb))["criminal_record_certificate"].authentication.route == "depends"


def test_apostille_decisions_carry_the_country_list_caveat(kb):
    assert any("HCCH" in doubt for doubt in build(kb, degree_country="de").uncertain)
    assert kb.files.apostille.source_url in build(kb, degree_country="de").sources
    assert not any("HCCH" in doubt for doubt in build(kb).uncertain)


# -- family -------------------------------------------------------------------------------

FAMILY_DOCS = {"marriage_certificate", "birth_certificate"}


def test_spouse_and_children_add_marriage_and_birth_certificates(kb):
    def family_docs(family):
        return FAMILY_DOCS & set(by_id(build(kb, ["residence_permit"], family=family)))

    assert family_docs(set()) == set()
    assert family_docs({"spouse"}) == {"marriage_certificate"}
    assert family_docs({"child"}) == {"birth_certificate"}
    assert family_docs({"spouse", "child"}) == FAMILY_DOCS


def test_unsure_about_family_keeps_both_marked(kb):
    items = by_id(build(kb, ["residence_permit"]))
    assert items["marriage_certificate"].conditions == ("a spouse comes along",)
    assert items["birth_certificate"].conditions == ("children come along",)


def test_family_documents_assume_the_degree_country(kb):
    auth = by_id(build(kb, ["residence_permit"], family={"spouse"}, degree_country="de"))[
        "marriage_certificate"].authentication
    assert auth.route == "apostille" and auth.text.startswith("if it was issued in Germany")
    unknown = by_id(build(kb, ["residence_permit"], family={"spouse"}))["marriage_certificate"].authentication
    assert unknown.route == "depends"


# -- employer change and first application ---------------------------------------------------

def test_employer_change_swaps_the_contract(kb):
    change = by_id(build(kb, ["work_permit"], employer_change=True))
    assert "new_employment_contract" in change and "employment_contract" not in change
    same = by_id(build(kb, ["work_permit"], employer_change=False))
    assert "employment_contract" in same and "new_employment_contract" not in same
    unsure = by_id(build(kb, ["work_permit"]))
    assert unsure["employment_contract"].conditions == ("the applicant does not change employer",)
    assert unsure["new_employment_contract"].conditions == ("the applicant changes employer",)


def test_first_application_condition(kb):
    kb2 = edited(kb, "residence_permit", "work_permit_proof", first_application=False)
    assert "work_permit_proof" not in by_id(build(kb2, ["residence_permit"], first_application=True))
    assert "work_permit_proof" in by_id(build(kb2, ["residence_permit"], first_application=False))
    assert by_id(build(kb2, ["residence_permit"]))["work_permit_proof"].conditions == ("this is a renewal",)


def test_known_answers_leave_nothing_marked(kb):
    checklist = build(kb, [NOTIFICATION, "residence_permit"], location="outside_china", category="B",
                      degree_country="de", record_country="de", family=set(), employer_change=False,
                      first_application=True)
    assert not any(item.if_applies for item in checklist.items)
    assert not any(IF_APPLIES in note for note in checklist.notes)


# -- merging, numbering, grouping ------------------------------------------------------------

@pytest.mark.parametrize("services", [["joint_application"], [NOTIFICATION, "residence_permit"]])
def test_merged_list_has_no_duplicates_and_marks_shared_documents(kb, services):
    checklist = build(kb, services)
    assert len(checklist.services) == 2
    names = [normalize(n) for item in checklist.items for n in item.name.split(" / ")]
    assert len(names) == len(set(names))
    items = by_id(checklist)
    for shared in ("passport", "photo"):
        assert items[shared].shared and items[shared].service_ids == tuple(s.id for s in checklist.services)
    assert sum(1 for i in checklist.items if i.material_id == "passport") == 1
    assert any("One list for" in note for note in checklist.notes)


def test_same_id_for_different_forms_is_not_merged(kb):
    forms = [i for i in build(kb, [NOTIFICATION, "residence_permit"]).items if i.material_id == "application_form"]
    assert len(forms) == 2 and not any(f.shared for f in forms)


def test_shared_document_keeps_each_services_format_rules(kb):
    photo = by_id(build(kb, [NOTIFICATION, "residence_permit"]))["photo"]
    text = " | ".join(photo.details)
    assert "JPG file of 40-120 KB" in text and "2-inch colour photo" in text
    assert photo.details[0].startswith("for the ")


def test_joint_application_is_the_work_permit_and_the_residence_permit(kb):
    checklist = build(kb, ["joint_application"])
    assert [s.id for s in checklist.services] == ["work_permit", "residence_permit"]
    assert checklist.title.startswith("Document checklist: Two-permit joint application")
    assert profile_key(Profile(["joint_application"])) != profile_key(Profile(["work_permit", "residence_permit"]))


def test_numbering_is_continuous_across_provider_groups(kb):
    checklist = build(kb, [NOTIFICATION, "residence_permit"], family={"spouse", "child"})
    assert [i.number for i in checklist.items] == list(range(1, len(checklist.items) + 1))
    assert [g.provider for g in checklist.groups] == [p for p in PROVIDERS if any(
        i.provided_by == p for i in checklist.items)]
    for group in checklist.groups:
        assert group.items and all(item.provided_by == group.provider for item in group.items)


def test_items_keep_format_rules_validity_translation_and_sources(kb):
    items = by_id(build(kb, record_country="de"))
    record = items["criminal_record_certificate"]
    assert "about 6 months from the date of issue" in record.details
    assert any("Chinese translation stamped with the employer's official seal" in d for d in record.details)
    assert record.uncertain and "secondary source" in record.uncertain[0]
    source = next(m.source for m in kb.service(NOTIFICATION).materials if m.id == "criminal_record_certificate")
    assert source in record.sources
    assert "issued within the last 6 months" in items["physical_exam_certificate"].details
    assert "scanned and uploaded" in items["passport"].details


def test_service_without_materials_and_removed_service_are_explained(kb):
    checklist = build(kb, ["work_permit_extension", "no_longer_there"])
    assert checklist.items == []
    assert any("no separate documents" in n for n in checklist.notes)
    assert any("'no_longer_there' is no longer in my knowledge base" in n for n in checklist.notes)


def test_header_summary_and_review_date(kb):
    checklist = build(kb, degree_country="de", family={"spouse", "child"}, label="Anna Li")
    summary = dict(checklist.summary)
    assert summary["Employee"] == "Anna Li" and summary["Highest degree obtained in"] == "Germany"
    assert summary["Family coming along"] == "spouse and children" and summary["Talent category"] == "not sure"
    assert checklist.last_reviewed == kb.service(NOTIFICATION).last_reviewed
    assert checklist.generated_on == TODAY


# -- the profile and its id ------------------------------------------------------------------

def test_profile_key_is_stable_and_order_insensitive():
    a = Profile(["residence_permit", NOTIFICATION], family={"child", "spouse"}, degree_country="DE")
    b = Profile([NOTIFICATION, "residence_permit", NOTIFICATION], family={"spouse", "child"}, degree_country="de")
    assert profile_key(a) == profile_key(b) == profile_key(Profile.from_dict(a.canonical()))
    assert len(profile_key(a)) == 64 and int(profile_key(a), 16) >= 0
    assert profile_key(a) != profile_key(Profile(a.services, family=a.family, degree_country="de", label="Bo"))
    assert profile_key(Profile(["work_permit"])) != profile_key(Profile(["work_permit"], family=set()))


def test_profile_rejects_bad_values_and_trims_the_label():
    with pytest.raises(InvalidProfile):
        Profile([])
    with pytest.raises(InvalidProfile):
        Profile(["work_permit"], location="moon")
    with pytest.raises(InvalidProfile):
        Profile(["work_permit"], family={"cousin"})
    assert Profile(["work_permit"], label="  Anna \n Li  ").label == "Anna Li"
    assert len(Profile(["work_permit"], label="x" * 200).label) == 80
    assert Profile(["work_permit"], label="   ").label is None


def test_check_profile_names_unknown_services_and_countries(kb):
    with pytest.raises(InvalidProfile) as error:
        check_profile(kb, Profile(["work_permitt"]))
    assert error.value.field == "services" and "work_permitt" in error.value.message
    with pytest.raises(InvalidProfile) as error:
        check_profile(kb, Profile(["work_permit"], record_country="xx"))
    assert error.value.field == "record_country"
    assert check_profile(kb, Profile(["work_permit"], degree_country="hk_macao_taiwan"))


def test_countries_may_be_given_by_name(kb):
    names = {"Germany": "de", "USA": "us", "DE": "de", "Hong Kong": "hk_macao_taiwan", "China": "mainland",
             "tw": "hk_macao_taiwan", " ": None}
    assert {name: resolve_country_value(kb, name) for name in names} == names
    assert resolve_country_value(kb, "Atlantis") == "atlantis"  # left for check_profile to refuse


# -- chat wording -----------------------------------------------------------------------------

def test_chat_text_is_numbered_grouped_and_ends_with_links_and_sources(kb):
    checklist = build(kb, ["joint_application"], degree_country="de", label="Anna Li")
    answer = render_chat_text(checklist, "https://example.org/checklists/0123456789abcdef")
    lines = answer.text.splitlines()
    assert "Anna Li" in lines[0] and answer.topic == "checklist"
    for item in checklist.items:
        assert any(line.startswith(f"{item.number}. {item.name}") for line in lines), item.name
    assert "From the applicant:" in lines and "From the employer:" in lines
    assert any(re.match(r"\d+\. Passport — needed for both", line) for line in lines)
    assert any(IF_APPLIES in line for line in lines)
    assert "https://example.org/checklists/0123456789abcdef.pdf" in answer.text
    assert lines[-1].startswith("Sources: ") and "last reviewed 22 November 2026" in lines[-1]
