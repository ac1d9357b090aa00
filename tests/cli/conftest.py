"""Running `supportbot agents` in-process against a temporary SQLite file."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from cli import main


def agents_db_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'agents.db'}"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """`supportbot agents ARGS` in-process: (exit code, stdout, stderr)."""
    monkeypatch.setenv("SUPPORTBOT_DATABASE_URL", agents_db_url(tmp_path))

    def agents_main(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["agents", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return agents_main
