"""argon2 hashes of staff passwords and enterprise access codes.

One hasher for both, and one decoy hash: an unknown name is checked against the decoy, so that
answer takes as long as a wrong secret and does not tell which names exist.
"""
from __future__ import annotations

import secrets
from functools import lru_cache
from typing import Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def hash_secret(plain: str) -> str:
    """The argon2 hash to store for ``plain``."""
    return _hasher().hash(plain)


def needs_rehash(stored_hash: str) -> bool:
    """True when the stored hash was made with weaker parameters than today's."""
    return _hasher().check_needs_rehash(stored_hash)


@lru_cache(maxsize=1)
def decoy_hash() -> str:
    """A hash of a random secret, verified against when the name is unknown."""
    return _hasher().hash(secrets.token_hex(16))


def verify(stored_hash: str, given: Optional[str]) -> bool:
    """Whether ``given`` matches; False (never an error) for an empty, wrong or unreadable input."""
    if not given:
        return False
    try:
        return _hasher().verify(stored_hash, given)
    except (VerificationError, InvalidHashError, UnicodeError):
        return False
