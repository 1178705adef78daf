"""Use case: hold the personal data typed in a booking conversation until the booking is made.

Names, passport numbers, e-mail addresses and phone numbers must not sit in slots or in the
stored conversation, yet book() needs them a few turns later. They wait here: encrypted with
Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from the secret key with HKDF, the
conversation named only by an HMAC of its sender id, and for an hour at most. Each entry is
bound to its conversation and field (they are inside the encrypted text and checked when it is
opened), so a row copied elsewhere opens to nothing. Expired entries are never returned and are
deleted whenever the vault is written.

seal()/unseal() use the same cipher for a value kept longer in another table (the call-back contact
of a handoff ticket): bound to its purpose, and opened only where it is shown whole.

``key_source`` is the secret key (bot.services.keys.secret_key(settings)); ``now`` an aware
datetime (a naive one is taken as UTC).
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from functools import lru_cache
from typing import Dict, Iterable, Optional, Tuple

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.db.models import PendingInput
from bot.db.uow import UnitOfWork

DEFAULT_TTL = dt.timedelta(hours=1)
_CIPHER_INFO = b"etown-permits/pending-inputs/cipher/v1"
_CONVERSATION_INFO = b"etown-permits/pending-inputs/conversation/v1"


def conversation_key(key_source: bytes, conversation_id: str) -> str:
    """The HMAC that stands for a conversation in the table (not the sender id itself)."""
    return hmac.new(_keys(key_source)[1], conversation_id.encode("utf-8"), hashlib.sha256).hexdigest()


def stash(uow: UnitOfWork, key_source: bytes, conversation_id: str, field: str, value: str, now: dt.datetime,
          ttl: dt.timedelta = DEFAULT_TTL) -> None:
    """Keep ``value`` for the conversation's ``field`` until ``now + ttl``, replacing an earlier one."""
    key = conversation_key(key_source, conversation_id)
    token = _keys(key_source)[0].encrypt(json.dumps({"c": key, "f": field, "v": value}).encode("utf-8"))
    stamp = _utc_naive(now)
    with uow:
        uow.pending_inputs.remove_expired(stamp)
        uow.pending_inputs.remove(key, field)
        uow.pending_inputs.add(PendingInput(conversation_key=key, field=field, ciphertext=token.decode("ascii"),
                                            expires_at=_utc_naive(now + ttl)))
        uow.commit()


def peek(uow: UnitOfWork, key_source: bytes, conversation_id: str, field: str,
         now: dt.datetime) -> Optional[str]:
    """The value kept for ``field``, or None (never kept, expired, or not readable with this key)."""
    return peek_many(uow, key_source, conversation_id, [field], now)[field]


def peek_many(uow: UnitOfWork, key_source: bytes, conversation_id: str, fields: Iterable[str],
              now: dt.datetime) -> Dict[str, Optional[str]]:
    """peek() for several fields in one transaction."""
    key = conversation_key(key_source, conversation_id)
    stamp = _utc_naive(now)
    found: Dict[str, Optional[str]] = {}
    with uow:
        for field in fields:
            row = uow.pending_inputs.get(key, field)
            found[field] = _open(key_source, row, key, field) if row and row.expires_at > stamp else None
    return found


def take(uow: UnitOfWork, key_source: bytes, conversation_id: str, field: str, now: dt.datetime) -> Optional[str]:
    """Like peek(), and the entry is deleted: a value is read at most once."""
    key = conversation_key(key_source, conversation_id)
    stamp = _utc_naive(now)
    with uow:
        row = uow.pending_inputs.get(key, field)
        if row is None:
            return None
        value = _open(key_source, row, key, field) if row.expires_at > stamp else None
        uow.pending_inputs.remove(key, field)
        uow.commit()
        return value


def forget(uow: UnitOfWork, key_source: bytes, conversation_id: str, field: str) -> None:
    """Delete one field of the conversation."""
    with uow:
        uow.pending_inputs.remove(conversation_key(key_source, conversation_id), field)
        uow.commit()


def forget_all(uow: UnitOfWork, key_source: bytes, conversation_id: str, now: Optional[dt.datetime] = None) -> None:
    """Delete everything kept for the conversation (and, given ``now``, every expired entry)."""
    with uow:
        uow.pending_inputs.remove_conversation(conversation_key(key_source, conversation_id))
        if now is not None:
            uow.pending_inputs.remove_expired(_utc_naive(now))
        uow.commit()


SEALED_PREFIX = "gAAAAA"  # every Fernet token starts so (version byte 0x80, then the timestamp)


class Unreadable(Exception):
    """A sealed value that does not open with this key for this purpose (another key, or damaged)."""


def seal(key_source: bytes, purpose: str, value: str) -> str:
    """``value`` encrypted with the vault's cipher and bound to ``purpose``; unseal() opens it."""
    return _keys(key_source)[0].encrypt(json.dumps({"p": purpose, "v": value}).encode("utf-8")).decode("ascii")


def unseal(key_source: bytes, purpose: str, token: str) -> str:
    """The value seal() encrypted for ``purpose``; raises Unreadable otherwise."""
    try:
        content = json.loads(_keys(key_source)[0].decrypt(token.encode("ascii")))
    except (InvalidToken, ValueError, TypeError, AttributeError):
        raise Unreadable(purpose) from None
    if not isinstance(content, dict) or content.get("p") != purpose or not isinstance(content.get("v"), str):
        raise Unreadable(purpose)
    return content["v"]


def is_sealed(text: Optional[str]) -> bool:
    """True for a value that looks like seal()'s output (plain contacts hold "@" or start with "+")."""
    return bool(text) and text.startswith(SEALED_PREFIX) and "@" not in text


def _open(key_source: bytes, row: PendingInput, key: str, field: str) -> Optional[str]:
    try:
        content = json.loads(_keys(key_source)[0].decrypt(row.ciphertext.encode("ascii")))
    except (InvalidToken, ValueError):
        return None  # written under another secret key
    if content.get("c") != key or content.get("f") != field:
        return None
    return content.get("v")


@lru_cache(maxsize=8)
def _keys(key_source: bytes) -> Tuple[Fernet, bytes]:
    """The Fernet cipher and the conversation-HMAC key, each derived from the secret for its purpose."""
    cipher_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_CIPHER_INFO).derive(key_source)
    mac_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_CONVERSATION_INFO).derive(key_source)
    return Fernet(base64.urlsafe_b64encode(cipher_key)), mac_key


def _utc_naive(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment
