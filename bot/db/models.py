"""SQLAlchemy models (1.4, 2.0 style). Schema changes go through Alembic migrations."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Column, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class KbRevision(Base):
    """One load of policies_kb/ into the database; the newest row is the live one."""

    __tablename__ = "kb_revisions"

    id = Column(Integer, primary_key=True)
    checksum = Column(String(64), nullable=False, index=True)
    loaded_at = Column(DateTime, nullable=False, default=utcnow)
    service_count = Column(Integer, nullable=False)
    hall_count = Column(Integer, nullable=False)

    entries = relationship("KbEntry", back_populates="revision", cascade="all, delete-orphan")


class KbEntry(Base):
    """One knowledge-base entry (a service, a hall or a reference file) as validated JSON."""

    __tablename__ = "kb_entries"
    __table_args__ = (UniqueConstraint("revision_id", "kind", "entry_id"),)

    id = Column(Integer, primary_key=True)
    revision_id = Column(Integer, ForeignKey("kb_revisions.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(32), nullable=False)  # service, file
    entry_id = Column(String(64), nullable=False)
    title = Column(String(200), nullable=False)
    source_url = Column(Text, nullable=True)
    last_reviewed = Column(Date, nullable=True)
    payload = Column(JSON, nullable=False)

    revision = relationship("KbRevision", back_populates="entries")


class KbAlias(Base):
    """A name or alias that points at a service, hall or country of the live revision."""

    __tablename__ = "kb_aliases"
    __table_args__ = (UniqueConstraint("kind", "alias"),)

    id = Column(Integer, primary_key=True)
    kind = Column(String(16), nullable=False)  # service, hall, country
    alias = Column(String(200), nullable=False, index=True)  # normalised
    target_id = Column(String(64), nullable=False)


class SavedChecklist(Base):
    """The profile behind a stable checklist link; the list itself is rebuilt from the live KB."""

    __tablename__ = "checklists"

    id = Column(String(16), primary_key=True)  # random: the link cannot be derived from a profile
    profile_key = Column(String(64), nullable=False, unique=True)  # same answers, same link
    profile = Column(JSON, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
