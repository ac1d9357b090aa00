"""Agent passwords: argon2id hashing off the event loop, one hash at a time."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from typing import Literal

import pytest
from argon2 import PasswordHasher

from bot.config import PROJECT_ROOT
from console import passwords
from console.passwords import hash_password_async, verify_password, verify_password_async

PASSWORD = "correct horse battery"


def test_importing_hashes_nothing() -> None:
    code = ("import console.passwords as p; "
            "print(p._dummy_hash.cache_info().currsize)")
    made = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, check=True,
                          capture_output=True, text=True).stdout.strip()
    assert made == "0"


async def test_a_hash_verifies_only_its_own_password() -> None:
    stored = await hash_password_async(PASSWORD)
    assert (await verify_password_async(stored, PASSWORD)).valid
    assert not (await verify_password_async(stored, "wrong horse battery")).valid


def test_an_unknown_agent_is_checked_against_the_dummy_and_fails() -> None:
    assert not verify_password(None, PASSWORD).valid
    assert not verify_password(None, "no agent has this password, it only keeps timing even").valid


class _CountingHasher(PasswordHasher):
    """Records how many hashes run at the same moment."""

    def __init__(self) -> None:
        super().__init__()
        self.running = self.most = 0
        self.lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            return super().verify(hash, password)
        finally:
            with self.lock:
                self.running -= 1


async def test_concurrent_checks_hash_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    hasher = _CountingHasher()
    monkeypatch.setattr(passwords, "_hasher", hasher)
    stored = hasher.hash(PASSWORD)
    verdicts = await asyncio.gather(*(verify_password_async(stored, PASSWORD) for _ in range(4)))
    assert all(v.valid for v in verdicts)
    assert hasher.most == 1
