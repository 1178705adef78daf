"""Finding what a question is about: the spaCy matcher and the alias look-ups."""
import pytest

from bot.nlp.pipeline import HOST_COUNTRY, build, patterns


@pytest.mark.parametrize("text, services", [
    ("how much is the residence permit", ["residence_permit"]),
    ("RP fee", ["residence_permit"]),
    ("when do I apply for the work permit extension", ["work_permit_extension"]),  # longest match wins
    ("两证联办 how long", ["joint_application"]),
    ("WORK PERMIT documents", ["work_permit"]),
    ("how mcuh for wrok permit", ["work_permit"]),
    ("what's the weather", []),
])
def test_services_in_free_text(live, text, services):
    assert live.matcher.find(text).services == services


def test_halls_countries_and_documents(live):
    found = live.matcher.find("Is the E-Town hall open? My degree is from Germany and my passport is new.")
    assert found.halls == ["daxing_branch_etown_foreigners_hall"]
    assert found.countries == ["de"]
    assert {"degree", "passport"} <= {d.lower() for d in found.documents}


def test_china_is_not_tagged_as_an_issuing_country(live):
    assert live.matcher.find("I'm already in China").countries == []
    assert not any(p["id"] == HOST_COUNTRY for p in patterns(live.kb) if p["label"] == "country")


def test_every_pattern_label_is_a_rasa_entity(kb):
    import yaml

    from bot.config import PROJECT_ROOT

    entities = set(yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())["entities"])
    assert {p["label"] for p in patterns(kb)} <= entities


def test_pipeline_is_blank_english_with_only_the_ruler(kb):
    nlp = build(kb)
    assert nlp.lang == "en" and nlp.pipe_names == ["entity_ruler"]
    assert nlp.meta["kb_checksum"] == kb.checksum


@pytest.mark.parametrize("value, expected", [
    ("residence permit", "residence_permit"), ("Residence-Permit", "residence_permit"),
    ("residence_permit", "residence_permit"), ("recidence permt", "residence_permit"),
    ("居留许可", "residence_permit"), ("the notification letter", "work_permit_notification"),
    ("pizza", None), ("", None), (None, None),
])
def test_resolve_service(kb, value, expected):
    found = kb.resolve_service(value)
    assert (found.id if found else None) == expected


def test_resolve_hall_and_documents(kb):
    assert kb.resolve_hall("Andingmen").id == "psb_exit_entry_reception_hall"
    assert kb.resolve_hall("the moon") is None
    refs = kb.resolve_documents("my passport")
    assert refs and {r.service_id for r in refs} >= {"residence_permit", "work_permit_notification"}
