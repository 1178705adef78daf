"""The knowledge base loads when valid, and each kind of broken file gives its own clear error."""
import re

import pytest

from bot.kb.errors import PolicyFileInvalid
from bot.services import knowledge


def test_the_real_knowledge_base_is_valid(kb):
    assert len(kb.services) >= 13
    assert {"work_permit_notification", "work_permit", "work_permit_extension", "work_permit_change",
            "work_permit_cancellation", "residence_permit", "residence_permit_renewal", "residence_permit_change",
            "joint_application", "accommodation_registration", "health_check", "z_visa",
            "beijing_work_residence_permit"} <= set(kb.services)
    assert len(kb.halls) >= 10
    assert len(kb.countries) > 150


def test_every_service_is_sourced_and_reviewed(kb):
    for service in kb.services.values():
        assert service.source_url.startswith("http")
        assert service.last_reviewed
        assert service.aliases and service.names.zh, service.id
        for material in service.materials:
            assert material.source.startswith("http")


def test_uncertain_facts_from_the_facts_file_are_flagged(kb):
    """A few facts the facts file marks UNCERTAIN must carry an uncertainty note."""
    joint = kb.service("joint_application")
    assert joint.processing_time.standard.uncertain or joint.processing_time.etown.uncertain
    assert kb.service("beijing_work_residence_permit").uncertain
    criminal = [m for m in kb.service("work_permit_notification").materials if "criminal" in m.name.lower()]
    assert criminal and criminal[0].uncertain


def test_every_hall_from_the_facts_is_present_with_unknowns_left_empty(kb):
    names = " ".join(h.name.lower() for h in kb.halls.values())
    for word in ("andingmen", "zhongguancun", "chaoyang", "shunyi", "fengtai", "shijingshan", "tongzhou",
                 "cbd", "government service center"):
        assert word in names or any(word in a.lower() for h in kb.halls.values() for a in h.aliases), word
    tongzhou = next(h for h in kb.halls.values() if "tongzhou" in h.name.lower())
    assert tongzhou.address is None and tongzhou.joint_window is True


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not found in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _error(kb_dir) -> PolicyFileInvalid:
    with pytest.raises(PolicyFileInvalid) as info:
        knowledge.check(kb_dir)
    return info.value


def test_invalid_yaml_names_file_and_line(kb_copy):
    path = kb_copy / "services" / "z_visa.yml"
    path.write_text(path.read_text() + "\nbroken: [unclosed\n")
    err = _error(kb_copy)
    assert err.file == "services/z_visa.yml"
    assert re.search(r"line \d+", str(err))


def test_missing_required_field_names_entry_and_field(kb_copy):
    path = kb_copy / "services" / "residence_permit.yml"
    lines = [ln for ln in path.read_text().splitlines() if not ln.startswith("for_whom:")]
    path.write_text("\n".join(lines) + "\n")
    err = _error(kb_copy)
    assert (err.file, err.entry, err.field) == ("services/residence_permit.yml", "residence_permit", "for_whom")


def test_bad_source_url_inside_a_material(kb_copy):
    path = kb_copy / "services" / "work_permit_notification.yml"
    text = path.read_text()
    first_material_source = text.index("source:", text.index("materials:"))
    end = text.index("\n", first_material_source)
    path.write_text(text[:first_material_source] + "source: not-a-url" + text[end:])
    err = _error(kb_copy)
    assert err.file == "services/work_permit_notification.yml"
    assert err.field.startswith("materials[") and err.field.endswith("source")
    assert "URL" in err.problem


def test_unknown_field_is_rejected(kb_copy):
    path = kb_copy / "services" / "z_visa.yml"
    path.write_text(path.read_text() + "\nprice_in_usd: 10\n")
    err = _error(kb_copy)
    assert err.field == "price_in_usd" and "extra fields not permitted" in err.problem


def test_duplicate_key_is_rejected(kb_copy):
    path = kb_copy / "services" / "z_visa.yml"
    path.write_text(path.read_text() + "\nsummary: twice\n")
    assert "duplicate key 'summary'" in str(_error(kb_copy))


def test_material_id_used_twice_in_a_service(kb_copy):
    path = kb_copy / "services" / "z_visa.yml"
    path.write_text(path.read_text().replace("  - id: passport\n", "  - id: notification_letter\n", 1))
    err = _error(kb_copy)
    assert (err.file, err.field) == ("services/z_visa.yml", "materials")
    assert "material id 'notification_letter' appears twice" in err.problem


def test_unknown_hall_reference(kb_copy):
    path = kb_copy / "halls.yml"
    _edit(path, "services: [", "services: [no_such_service, ")
    err = _error(kb_copy)
    assert err.file == "halls.yml" and "no_such_service" in err.problem and err.field == "services"


def test_file_name_must_match_id(kb_copy):
    (kb_copy / "services" / "z_visa.yml").rename(kb_copy / "services" / "zvisa.yml")
    err = _error(kb_copy)
    assert err.file == "services/zvisa.yml" and err.field == "id"


def test_missing_file(kb_copy):
    (kb_copy / "contacts.yml").unlink()
    assert str(_error(kb_copy)) == "contacts.yml: file is missing"


def test_alias_naming_two_services(kb_copy):
    path = kb_copy / "services" / "z_visa.yml"
    _edit(path, "aliases:\n", "aliases:\n  - residence permit\n")
    err = _error(kb_copy)
    assert "alias 'residence permit' also names service" in err.problem


def test_wrong_type(kb_copy):
    path = kb_copy / "halls.yml"
    _edit(path, "joint_window: true", "joint_window: sometimes")
    err = _error(kb_copy)
    assert err.file == "halls.yml" and err.field.endswith("joint_window") and err.entry
