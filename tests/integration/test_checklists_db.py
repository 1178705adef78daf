"""Saved checklists in a real (fresh SQLite) database: idempotent saves, stable links, named errors."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from bot.db import migrate
from bot.db.engine import make_engine, make_session_factory
from bot.db.models import SavedChecklist
from bot.db.uow import UnitOfWork
from bot.domain.checklist import Profile, build_checklist, is_checklist_id
from bot.services.checklists import (
    MAX_BATCH, ChecklistNotFound, InvalidBatch, batch_link, checklist_link, get_checklist, get_checklists,
    save_checklist,
)
from bot.services import knowledge

PROFILE = Profile(["joint_application"], degree_country="de", family={"spouse"}, label="Anna Li")

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def uow_factory(settings):
    url = settings.resolved_database_url
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    yield lambda: UnitOfWork(factory)
    engine.dispose()


def count_rows(uow_factory) -> int:
    with uow_factory() as uow:
        return uow.session.execute(select(func.count()).select_from(SavedChecklist)).scalar_one()


def test_saving_the_same_profile_twice_gives_one_row_and_one_id(uow_factory):
    first = save_checklist(uow_factory(), PROFILE)
    again = save_checklist(uow_factory(), Profile.from_dict(PROFILE.canonical()))
    assert first == again and is_checklist_id(first)
    assert count_rows(uow_factory) == 1
    other = save_checklist(uow_factory(), Profile(["residence_permit"]))
    assert other != first  # ids are random, not derived from the profile
    assert count_rows(uow_factory) == 2


def test_saved_checklist_is_rebuilt_from_its_profile(uow_factory, kb):
    saved = save_checklist(uow_factory(), PROFILE)
    checklist = get_checklist(uow_factory(), kb, saved, TODAY)
    assert checklist.profile == PROFILE
    assert checklist.items == build_checklist(kb, PROFILE, TODAY).items


def test_link_is_stable_and_survives_a_knowledge_base_edit(uow_factory, settings, kb_copy):
    saved = save_checklist(uow_factory(), PROFILE)
    assert checklist_link(settings, saved) == f"http://localhost:{settings.web_port}/checklists/{saved}"
    assert checklist_link(settings.copy(update={"public_base_url": "https://permits.example.org/"}), saved) == \
        f"https://permits.example.org/checklists/{saved}"
    residence = kb_copy / "services" / "residence_permit.yml"
    residence.write_text(residence.read_text().replace('name: "Employer\'s letter of consent"',
                                                       'name: "Letter of consent from the employer"'))
    edited = knowledge.check(kb_copy)
    assert save_checklist(uow_factory(), PROFILE) == saved
    names = [item.name for item in get_checklist(uow_factory(), edited, saved, TODAY).items]
    assert "Letter of consent from the employer" in names


def test_unknown_and_malformed_ids_raise_checklist_not_found(uow_factory, kb):
    with pytest.raises(ChecklistNotFound) as error:
        get_checklist(uow_factory(), kb, "0123456789abcdef", TODAY)
    assert error.value.checklist_ids == ["0123456789abcdef"]

    class NoQueries:  # a malformed id must be refused before the database is touched
        def __enter__(self):
            raise AssertionError("queried the database for a malformed id")

    for bad in ("", "xyz", "0123456789ABCDEF", "0123456789abcdef0", "../../etc/passwd", "' OR 1=1 --"):
        with pytest.raises(ChecklistNotFound):
            get_checklist(NoQueries(), kb, bad, TODAY)


def test_batch_keeps_the_order_and_names_every_missing_id(uow_factory, kb):
    ids = [save_checklist(uow_factory(), Profile(["work_permit"], label=name)) for name in ("Bo", "Ann", "Cy")]
    found = get_checklists(uow_factory(), kb, ids, TODAY)
    assert [c.profile.label for c in found] == ["Bo", "Ann", "Cy"]
    with pytest.raises(ChecklistNotFound) as error:
        get_checklists(uow_factory(), kb, [ids[0], "0000000000000000", "1111111111111111"], TODAY)
    assert error.value.checklist_ids == ["0000000000000000", "1111111111111111"]
    with pytest.raises(InvalidBatch):
        get_checklists(uow_factory(), kb, [f"{n:016x}" for n in range(MAX_BATCH + 1)], TODAY)
    with pytest.raises(InvalidBatch):
        get_checklists(uow_factory(), kb, [], TODAY)


def test_batch_link(settings):
    assert batch_link(settings, ["0123456789abcdef", "fedcba9876543210"], pdf=True).endswith(
        "/checklists/batch.pdf?ids=0123456789abcdef,fedcba9876543210")
