"""Agent passwords: argon2id hashes via argon2-cffi, checked in a worker thread because a
hash costs tens of milliseconds of CPU that must not stall the event loop."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the username is unknown, so a wrong name costs as long as a wrong
# password and response times do not reveal which agents exist.
_DUMMY_HASH = _hasher.hash("no agent has this password, it only keeps timing even")


class PasswordTooShort(ValueError):
    """A new password is shorter than `MIN_PASSWORD_LENGTH`."""

    def __init__(self) -> None:
        super().__init__(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


@dataclass(frozen=True)
class Verdict:
    """The outcome of a password check; `rehash` is a fresh hash when the stored one uses
    outdated parameters and should be replaced."""

    valid: bool
    rehash: str | None = None


def hash_password(password: str) -> str:
    """Return the argon2id hash of a new password, refusing one that is too short."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort()
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> Verdict:
    """Check a password against a stored hash; `None` checks against a dummy hash and fails."""
    try:
        _hasher.verify(stored_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return Verdict(valid=False)
    if stored_hash is None:
        return Verdict(valid=False)
    if _hasher.check_needs_rehash(stored_hash):
        return Verdict(valid=True, rehash=_hasher.hash(password))
    return Verdict(valid=True)


async def hash_password_async(password: str) -> str:
    """`hash_password` off the event loop."""
    return await asyncio.to_thread(hash_password, password)


async def verify_password_async(stored_hash: str | None, password: str) -> Verdict:
    """`verify_password` off the event loop."""
    return await asyncio.to_thread(verify_password, stored_hash, password)
