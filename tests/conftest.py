"""Shared fixtures: the real knowledge base, a fresh database per test, a tracker factory."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bot import wiring  # noqa: E402
from bot.config import PROJECT_ROOT, Settings  # noqa: E402
from bot.nlp.pipeline import KbMatcher  # noqa: E402
from bot.services import knowledge  # noqa: E402
from bot.services.knowledge import LiveKnowledge  # noqa: E402

KB_DIR = PROJECT_ROOT / "policies_kb"


@pytest.fixture(scope="session")
def kb():
    return knowledge.check(KB_DIR)


@pytest.fixture(scope="session")
def live(kb):
    return LiveKnowledge(kb, KbMatcher(kb))


@pytest.fixture
def kb_copy(tmp_path) -> Path:
    """A writable copy of policies_kb/ for tests that break or edit files."""
    target = tmp_path / "policies_kb"
    shutil.copytree(KB_DIR, target)
    return target


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'etown.db'}",
        tracker_store_url=f"sqlite:///{tmp_path / 'tracker.db'}",
        spacy_dir=tmp_path / "spacy",
        models_dir=tmp_path / "models",
        kb_refresh_seconds=0,
    )


@pytest.fixture
def loaded(settings):
    """A fresh database with the schema and the knowledge base loaded; wiring points at it."""
    from bot.ops.setup import prepare

    prepare(settings)
    wiring.configure(settings)
    yield settings
    wiring.configure(None)


def make_tracker(text: str = "", intent: str = "", entities: Optional[List[Dict[str, Any]]] = None,
                 slots: Optional[Dict[str, Any]] = None, ranking: Optional[List[Dict[str, Any]]] = None,
                 sender: str = "test-user", metadata: Optional[Dict[str, Any]] = None):
    """A rasa-sdk Tracker whose latest message is ``text`` classified as ``intent`` (with the channel's
    ``metadata``, e.g. {"client_ip": ...})."""
    from rasa_sdk import Tracker

    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "intent_ranking": ranking or [{"name": intent, "confidence": 0.9}],
        "entities": entities or [],
    }
    if metadata is not None:
        latest["metadata"] = metadata
    events = [{"event": "user", "text": text, "parse_data": latest}]
    return Tracker(sender, dict(slots or {}), latest, events, False, None, {}, "action_listen")


@pytest.fixture
def tracker_factory():
    return make_tracker


POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"  # the machine's PostgreSQL (started by .ci/run)


@pytest.fixture
def postgres_url():
    """A fresh schema in the machine's PostgreSQL, dropped afterwards."""
    import uuid

    from sqlalchemy import create_engine, text

    schema = "t_" + uuid.uuid4().hex[:10]
    admin = create_engine(POSTGRES_URL, future=True)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()
