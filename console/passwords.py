"""Agent passwords: argon2id hashes via argon2-cffi, checked in a worker thread because a
hash costs tens of milliseconds of CPU that must not stall the event loop.

A hash also takes the hasher's memory cost (64 MiB) while it runs, so the app hashes one
password at a time, in a thread of its own: a burst of logins queues instead of adding
64 MiB per login to the resident memory, and does not occupy the loop's default executor.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="argon2")
_T = TypeVar("_T")


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
    dummy = _dummy_hash()  # made at the first check of any kind, so it tells nothing
    try:
        _hasher.verify(stored_hash or dummy, password)
    except (VerificationError, InvalidHashError):
        return Verdict(valid=False)
    if stored_hash is None:
        return Verdict(valid=False)
    if _hasher.check_needs_rehash(stored_hash):
        return Verdict(valid=True, rehash=_hasher.hash(password))
    return Verdict(valid=True)


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so a wrong name costs as long as a
    wrong password and response times do not reveal which agents exist. Made at the first
    such login rather than at import, where its 64 MiB would raise the start's peak memory."""
    return _hasher.hash("no agent has this password, it only keeps timing even")


async def _in_hashing_thread(work: Callable[[], _T]) -> _T:
    return await asyncio.get_running_loop().run_in_executor(_hashing, work)


async def hash_password_async(password: str) -> str:
    """`hash_password` off the event loop."""
    return await _in_hashing_thread(functools.partial(hash_password, password))


async def verify_password_async(stored_hash: str | None, password: str) -> Verdict:
    """`verify_password` off the event loop."""
    return await _in_hashing_thread(functools.partial(verify_password, stored_hash, password))
