"""Wiring: builds the long-lived objects once per process, from one Settings object.

Nothing here runs at import time; the first call builds, later calls reuse.
Tests call configure(settings) to point everything at their own database.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

from bot.config import Settings, get_settings
from bot.db.engine import session_factory_for
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain.booking_holds.rules import HoldPolicy
from bot.integrations.mail import Mailer, smtp_mailer
from bot.integrations.rasa_api import RasaConversations
from bot.integrations.rasa_api import rasa_conversations as _rasa_conversations
from bot.kb.booking import load_booking_config
from bot.kb.booking_schema import BookingConfig
from bot.kb.questions import load_examples
from bot.nlp.encoder import Encoder
from bot.nlp.encoder.files import UPSTREAM_SHA256, WEIGHTS_FILE
from bot.services.answering.index import FactIndexCache
from bot.services.knowledge import KnowledgeCache

_settings: Optional[Settings] = None


def configure(settings: Optional[Settings]) -> None:
    """Use ``settings`` from now on (None: back to the environment) and drop what was built."""
    global _settings
    _settings = settings
    knowledge_cache.cache_clear()
    fact_index_cache.cache_clear()
    booking_config.cache_clear()
    rasa_conversations.cache_clear()
    mailer.cache_clear()


def settings() -> Settings:
    return _settings or get_settings()


def uow_factory() -> UnitOfWorkFactory:
    factory = session_factory_for(settings().resolved_database_url)
    return lambda: UnitOfWork(factory)


@lru_cache(maxsize=1)
def knowledge_cache() -> KnowledgeCache:
    return KnowledgeCache(uow_factory(), settings().kb_refresh_seconds)


@lru_cache(maxsize=1)
def encoder() -> Encoder:
    """The sentence encoder (its weights checked against the upstream release), loaded once per process."""
    return Encoder.load()


@lru_cache(maxsize=1)
def fact_index_cache() -> FactIndexCache:
    """The fact units of the live knowledge base with their vectors, rebuilt when a new revision loads."""
    current = settings()
    return FactIndexCache(encoder(), load_examples(current.path(current.kb_dir)),
                          current.path(current.vector_cache_dir), model_id=UPSTREAM_SHA256[WEIGHTS_FILE])


@lru_cache(maxsize=1)
def booking_config() -> BookingConfig:
    """policies_kb/booking.yml, checked against the live knowledge base, read once per process."""
    current = settings()
    return load_booking_config(current.path(current.kb_dir), knowledge_cache().get().kb)


@lru_cache(maxsize=1)
def rasa_conversations() -> RasaConversations:
    """The client of Rasa's HTTP API (JWT), for the staff console."""
    return _rasa_conversations(settings())


@lru_cache(maxsize=1)
def mailer() -> Mailer:
    """Outbound e-mail through the configured SMTP server (in development, the local one)."""
    return smtp_mailer(settings())


def hold_policy() -> HoldPolicy:
    """How long a booking hold lasts and how many bookings may be open at once (settings.booking_*)."""
    current = settings()
    return HoldPolicy(minutes=current.booking_hold_minutes, max_open=current.booking_max_open)
