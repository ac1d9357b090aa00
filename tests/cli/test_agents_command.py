"""`supportbot agents ...` against a temporary SQLite file: once as a real subprocess, the
other cases through `cli.main` in-process (starting Python costs seconds each time)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.storage.database import Database
from console.agents import authenticate
from tests.cli.conftest import agents_db_url


def agents(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SUPPORTBOT_DATABASE_URL": agents_db_url(tmp_path)}
    return subprocess.run([sys.executable, "-m", "cli", "agents", *args], input=stdin,
                          capture_output=True, text=True, env=env, timeout=120)


def can_log_in(tmp_path: Path, username: str, password: str) -> bool:
    async def check() -> bool:
        database = Database(agents_db_url(tmp_path))
        try:
            return await authenticate(database, username, password) is not None
        finally:
            await database.close()

    return asyncio.run(check())


def test_added_agents_are_listed_and_can_log_in(tmp_path: Path) -> None:
    added = agents(tmp_path, "add", "sue", "--role", "supervisor", "--display-name",
                   "Sue Storm", "--password-stdin", stdin="correct horse battery\n")
    assert added.returncode == 0, added.stderr
    assert agents(tmp_path, "add", "ann", "--role", "agent", "--password-stdin",
                  stdin="another long password\n").returncode == 0
    listing = agents(tmp_path, "list")
    lines = listing.stdout.splitlines()
    assert lines[0].split() == ["NAME", "DISPLAY", "NAME", "ROLE", "ACTIVE"]
    assert lines[1].split() == ["ann", "ann", "agent", "yes"]
    assert lines[2].split() == ["sue", "Sue", "Storm", "supervisor", "yes"]
    assert can_log_in(tmp_path, "sue", "correct horse battery")


def test_a_duplicate_name_is_a_clear_error(run: Callable[..., tuple[int, str, str]]) -> None:
    assert run("add", "ann", "--role", "agent", "--password-stdin",
               stdin="correct horse battery\n")[0] == 0
    code, _, err = run("add", "ann", "--role", "supervisor", "--password-stdin",
                       stdin="correct horse battery\n")
    assert code == 2 and "exists already" in err


def test_a_short_password_is_refused(run: Callable[..., tuple[int, str, str]]) -> None:
    code, _, err = run("add", "ann", "--role", "agent", "--password-stdin", stdin="short\n")
    assert code == 2 and "at least 10 characters" in err
    assert "ann" not in run("list")[1]


def test_the_password_is_asked_twice_without_stdin(
    run: Callable[..., tuple[int, str, str]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    answers = iter(["correct horse battery", "correct horse batterY"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code, _, err = run("add", "ann", "--role", "agent")
    assert code == 2 and "do not match" in err
    answers = iter(["correct horse battery", "correct horse battery"])
    assert run("add", "ann", "--role", "agent")[0] == 0
    assert can_log_in(tmp_path, "ann", "correct horse battery")


def test_set_password_and_deactivate(run: Callable[..., tuple[int, str, str]],
                                     tmp_path: Path) -> None:
    run("add", "ann", "--role", "agent", "--password-stdin", stdin="correct horse battery\n")
    code, _, err = run("set-password", "ann", "--password-stdin",
                       stdin="a brand new password\n")
    assert code == 0, err
    assert can_log_in(tmp_path, "ann", "a brand new password")
    assert not can_log_in(tmp_path, "ann", "correct horse battery")
    assert run("deactivate", "ann")[0] == 0
    assert run("list")[1].splitlines()[1].split()[-1] == "no"
    assert not can_log_in(tmp_path, "ann", "a brand new password")
    code, _, err = run("deactivate", "nobody")
    assert code == 2 and "no agent named 'nobody'" in err
