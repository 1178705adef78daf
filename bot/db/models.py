"""SQLAlchemy models (1.4, 2.0 style). Schema changes go through Alembic migrations."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON, Boolean, CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer, String, Text, Time,
    UniqueConstraint, text,
)
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


class Enterprise(Base):
    """An employer whose HR staff may list its cases with an access code (stored argon2-hashed)."""

    __tablename__ = "enterprises"

    id = Column(Integer, primary_key=True)
    credit_code = Column(String(18), nullable=False, unique=True)  # unified social credit code
    name = Column(String(200), nullable=False)
    access_code_hash = Column(String(200), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Case(Base):
    """An application as the approval system reports it. The passport is kept only as HMACs and a mask."""

    __tablename__ = "cases"

    id = Column(Integer, primary_key=True)
    case_number = Column(String(16), nullable=False, unique=True)
    service_id = Column(String(64), nullable=False)  # KB service id
    applicant_name = Column(String(200), nullable=False)
    passport_hmac = Column(String(64), nullable=False)  # of the normalised whole number
    passport_last4_hmac = Column(String(64), nullable=False)  # of case number + last four
    passport_masked = Column(String(40), nullable=False)  # "•••••••34": the last two only
    enterprise_id = Column(Integer, ForeignKey("enterprises.id"), nullable=True, index=True)
    status = Column(String(32), nullable=False)
    submitted_on = Column(Date, nullable=False)
    updated_on = Column(Date, nullable=False)
    note = Column(Text, nullable=True)
    hall_id = Column(String(64), nullable=True)  # KB hall id
    expected_on = Column(Date, nullable=True)
    expected_rule = Column(String(200), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    changed_at = Column(DateTime, nullable=False, default=utcnow)

    enterprise = relationship("Enterprise")
    history = relationship("CaseHistory", back_populates="case", cascade="all, delete-orphan",
                           order_by="CaseHistory.id")


class CaseHistory(Base):
    """One status or note change of a case and where it came from (import, push, pull)."""

    __tablename__ = "case_history"

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    status = Column(String(32), nullable=False)
    note = Column(Text, nullable=True)
    changed_at = Column(DateTime, nullable=False, default=utcnow)
    source = Column(String(16), nullable=False)

    case = relationship("Case", back_populates="history")


class VerificationAttempt(Base):
    """One identity check on a case: no passport input is stored, the conversation only as a hash."""

    __tablename__ = "verification_attempts"

    id = Column(Integer, primary_key=True)
    case_number = Column(String(16), nullable=False, index=True)
    conversation_hash = Column(String(64), nullable=False, index=True)
    client_hash = Column(String(64), nullable=True, index=True)  # keyed hash of the client address, if known
    succeeded = Column(Boolean, nullable=False)
    attempted_at = Column(DateTime, nullable=False, index=True)


class VerificationUnlock(Base):
    """A staff member lifted the guessing lock of a case or booking (at the hall, after seeing the
    passport): failures before it no longer count. Kept as the audit trail of unlocks."""

    __tablename__ = "verification_unlocks"

    id = Column(Integer, primary_key=True)
    case_number = Column(String(16), nullable=False, index=True)  # the scope: a case number or "B:" + code
    staff_id = Column(Integer, ForeignKey("staff_accounts.id"), nullable=False, index=True)
    unlocked_at = Column(DateTime, nullable=False)


class AccessAttempt(Base):
    """One HR access-code check for an enterprise."""

    __tablename__ = "access_attempts"

    id = Column(Integer, primary_key=True)
    credit_code = Column(String(18), nullable=False, index=True)
    succeeded = Column(Boolean, nullable=False)
    attempted_at = Column(DateTime, nullable=False, index=True)


class SlotCounter(Base):
    """Places taken in one slot of a hall. The capacity rule lives here: a conditional UPDATE takes
    a place (see BookingRepository.take_place) and the CHECK refuses anything beyond capacity."""

    __tablename__ = "slot_counters"
    __table_args__ = (
        CheckConstraint("booked >= 0 AND booked <= capacity", name="ck_slot_counters_within_capacity"),
    )

    hall_id = Column(String(64), primary_key=True)  # KB hall id
    day = Column(Date, primary_key=True)
    start_time = Column(Time, primary_key=True)  # Beijing time
    capacity = Column(Integer, nullable=False)
    booked = Column(Integer, nullable=False, default=0)


# A place is taken: a hold waiting for its e-mail code, or a confirmed booking (active).
ACTIVE_BOOKING = "status IN ('held', 'booked', 'rescheduled')"


class Booking(Base):
    """An appointment at a hall. The passport is kept only as HMACs and a mask."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("status IN ('held', 'booked', 'cancelled', 'rescheduled', 'attended', 'no_show')",
                        name="ck_bookings_status"),
        # One active booking per person, service and day, enforced by the database.
        Index("uq_bookings_active_per_person", "passport_hmac", "service_id", "day", unique=True,
              sqlite_where=text(ACTIVE_BOOKING), postgresql_where=text(ACTIVE_BOOKING)),
        Index("ix_bookings_slot", "hall_id", "day", "start_time"),
        Index("ix_bookings_email", "email"),
        Index("ix_bookings_phone", "phone"),
        Index("ix_bookings_client_key", "client_key"),
    )

    id = Column(Integer, primary_key=True)
    code = Column(String(9), nullable=False, unique=True)  # "ABCD-EFGH"
    service_id = Column(String(64), nullable=False)  # KB service id
    hall_id = Column(String(64), nullable=False)  # KB hall id
    day = Column(Date, nullable=False)
    start_time = Column(Time, nullable=False)  # Beijing time
    slot_minutes = Column(Integer, nullable=False)
    applicant_name = Column(String(200), nullable=False)
    passport_hmac = Column(String(64), nullable=False)  # of the normalised whole number
    passport_last4_hmac = Column(String(64), nullable=False)  # of the code + last four
    passport_masked = Column(String(40), nullable=False)  # "•••••••34": the last two only
    email = Column(String(254), nullable=False)
    phone = Column(String(32), nullable=False)
    status = Column(String(16), nullable=False)
    change_count = Column(Integer, nullable=False, default=0)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow)
    # HMAC of the client address the booking came from (bot.domain.booking_holds.rules.client_key); None: unknown
    client_key = Column(String(64), nullable=True)


class BookingHold(Base):
    """The e-mail code a held booking waits for. The row goes when the hold ends: confirmed (the booking
    becomes "booked") or released (the booking row is deleted with it, and its place freed)."""

    __tablename__ = "booking_holds"

    booking_id = Column(Integer, ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True)
    conversation_key = Column(String(64), nullable=False, unique=True)  # HMAC of the sender id (vault's)
    code_hash = Column(String(64), nullable=False)  # bot.domain.booking_holds.rules.hash_hold_code
    expires_at = Column(DateTime, nullable=False, index=True)  # UTC, naive
    failures = Column(Integer, nullable=False, default=0)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class PendingInput(Base):
    """Personal data typed in a booking conversation, held until the booking is made: encrypted
    (bot/services/vault.py), the conversation only as an HMAC, and gone after ``expires_at``."""

    __tablename__ = "pending_inputs"
    __table_args__ = (UniqueConstraint("conversation_key", "field", name="uq_pending_inputs_conversation_field"),)

    id = Column(Integer, primary_key=True)
    conversation_key = Column(String(64), nullable=False)  # HMAC of the sender id
    field = Column(String(32), nullable=False)  # "name", "passport", "email", "phone", "change_passport"
    ciphertext = Column(Text, nullable=False)  # a Fernet token
    expires_at = Column(DateTime, nullable=False, index=True)  # naive UTC


class StaffAccount(Base):
    """A member of the hall's staff who answers handed-over conversations (password argon2-hashed)."""

    __tablename__ = "staff_accounts"
    __table_args__ = (CheckConstraint("role IN ('staff', 'supervisor')", name="ck_staff_accounts_role"),)

    id = Column(Integer, primary_key=True)
    username = Column(String(32), nullable=False, unique=True)
    password_hash = Column(String(200), nullable=False)
    role = Column(String(16), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_login_at = Column(DateTime, nullable=True)


class StaffSession(Base):
    """A logged-in console session: the cookie's token is kept only as a SHA-256 hash."""

    __tablename__ = "staff_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    staff_id = Column(Integer, ForeignKey("staff_accounts.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False)
    last_seen_at = Column(DateTime, nullable=False)

    staff = relationship("StaffAccount")


class StaffLoginAttempt(Base):
    """One console login; failures lock the username and, many of them, the client address
    (bot.domain.verification.lockout)."""

    __tablename__ = "staff_login_attempts"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, index=True)
    client_address = Column(String(64), nullable=True, index=True)  # the peer (or trusted proxy's client)
    succeeded = Column(Boolean, nullable=False)
    attempted_at = Column(DateTime, nullable=False, index=True)


OPEN_TICKET = "status IN ('queued', 'claimed')"


class HandoffTicket(Base):
    """A conversation handed to staff: why, what the bot collected, who holds it and how it ended."""

    __tablename__ = "handoff_tickets"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'claimed', 'handed_back', 'closed', 'expired')",
                        name="ck_handoff_tickets_status"),
        # One open ticket per conversation, enforced by the database.
        Index("uq_handoff_tickets_open_conversation", "conversation_id", unique=True,
              sqlite_where=text(OPEN_TICKET), postgresql_where=text(OPEN_TICKET)),
        Index("ix_handoff_tickets_status_created", "status", "created_at"),
    )

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    status = Column(String(16), nullable=False)
    reason = Column(String(32), nullable=False)
    in_hours = Column(Boolean, nullable=False)
    # left outside hours: e-mail or phone, normalised, then sealed (bot.services.vault.seal; see handoff_views)
    contact = Column(String(512), nullable=True)
    question = Column(Text, nullable=True)
    slots = Column(JSON, nullable=False)
    staff_id = Column(Integer, ForeignKey("staff_accounts.id"), nullable=True, index=True)
    resolution_note = Column(Text, nullable=True)
    resume_pending = Column(Boolean, nullable=False, default=False)  # the bot must still be resumed
    last_event_at = Column(DateTime, nullable=True)  # newest tracker event copied into the messages
    purged_at = Column(DateTime, nullable=True)  # transcript, question, contact and slots erased (retention)
    created_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime, nullable=False)

    staff = relationship("StaffAccount")
    messages = relationship("TicketMessage", back_populates="ticket", cascade="all, delete-orphan",
                            order_by="TicketMessage.id")
    ledger = relationship("LedgerEntry", back_populates="ticket", uselist=False, cascade="all, delete-orphan")


class TicketMessage(Base):
    """One line of a ticket's conversation: the transcript, the person's later messages, staff replies.

    A staff reply is stored before it is sent: delivery "pending" until Rasa took it ("delivered"),
    or "recorded" for an answer given by e-mail or phone outside the chat.
    """

    __tablename__ = "ticket_messages"
    __table_args__ = (
        CheckConstraint("who IN ('user', 'bot', 'staff')", name="ck_ticket_messages_who"),
        UniqueConstraint("ticket_id", "event_key", name="uq_ticket_messages_event"),
    )

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("handoff_tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    who = Column(String(8), nullable=False)
    text = Column(Text, nullable=False)
    at = Column(DateTime, nullable=False)
    staff_id = Column(Integer, ForeignKey("staff_accounts.id"), nullable=True)
    delivery = Column(String(16), nullable=True)  # staff lines: pending, delivered, recorded
    delivered_at = Column(DateTime, nullable=True)
    event_key = Column(String(64), nullable=True)  # where a copied line came from (deduplication)

    ticket = relationship("HandoffTicket", back_populates="messages")
    staff = relationship("StaffAccount")


class LedgerEntry(Base):
    """The special ledger for enterprise service demands: one row per demand, with its milestones."""

    __tablename__ = "demand_ledger"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("handoff_tickets.id", ondelete="CASCADE"), nullable=False, unique=True)
    requester = Column(String(16), nullable=False)  # applicant or enterprise
    reason = Column(String(32), nullable=False)
    received_at = Column(DateTime, nullable=False, index=True)
    claimed_at = Column(DateTime, nullable=True)
    first_response_at = Column(DateTime, nullable=True)
    resolved_at = Column(DateTime, nullable=True)
    outcome = Column(String(16), nullable=True)  # handed_back or closed

    ticket = relationship("HandoffTicket", back_populates="ledger")
