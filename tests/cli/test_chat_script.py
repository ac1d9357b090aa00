"""`supportbot chat --script FILE`: a corpus file replayed through the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """\
language: en
conversations:
  - id: late-friday-callback
    note: due ten minutes later, past closing
    at: 2026-11-27T21:55:00Z
    channel: webchat
    lines:
      - can you call me back please
      - says: +31 20 555 0142
      - says: my invoice
      - presses: "Yes"
    expect:
      ticket: callback
  - id: opening-hours
    at: 2026-11-28T10:00:00Z
    lines:
      - when are you open on weekdays?
"""


def replay(nlu_service: tuple[str, str], tmp_path: Path, text: str,
           *args: str) -> subprocess.CompletedProcess[str]:
    url, token = nlu_service
    script = tmp_path / "corpus.yml"
    script.write_text(text, encoding="utf-8")
    env = {**os.environ, "SUPPORTBOT_NLU_URL": url, "SUPPORTBOT_NLU_TOKEN": token,
           "SUPPORTBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'own.db'}"}
    return subprocess.run([sys.executable, "-m", "cli", "chat", "--script", str(script), *args],
                          capture_output=True, text=True, env=env, timeout=300)


def test_one_conversation_is_replayed_as_a_readable_transcript(
    nlu_service: tuple[str, str], tmp_path: Path,
) -> None:
    done = replay(nlu_service, tmp_path, SCRIPT, "--conversation", "late-friday-callback")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "== late-friday-callback: Friday 2026-11-27 21:55 GMT, channel webchat" in out
    assert "customer> can you call me back please" in out
    assert "intent request_callback" in out
    assert "[Yes] [No]" in out and "customer> [presses Yes]" in out
    assert "22:05 GMT" in out and "T-10001" in out
    assert "opening-hours" not in out


def test_every_conversation_of_the_file_is_replayed_without_touching_the_own_database(
    nlu_service: tuple[str, str], tmp_path: Path,
) -> None:
    done = replay(nlu_service, tmp_path, SCRIPT)
    assert done.returncode == 0, done.stderr
    assert "== late-friday-callback" in done.stdout and "== opening-hours" in done.stdout
    assert "Saturday 2026-11-28 10:00 GMT" in done.stdout
    assert not (tmp_path / "own.db").exists()


def test_an_unknown_conversation_is_a_clear_error(nlu_service: tuple[str, str],
                                                 tmp_path: Path) -> None:
    done = replay(nlu_service, tmp_path, SCRIPT, "--conversation", "no-such-id")
    assert done.returncode == 2 and "no conversation with id 'no-such-id'" in done.stderr


def test_a_malformed_script_names_the_file_and_the_conversation(
    nlu_service: tuple[str, str], tmp_path: Path,
) -> None:
    broken = "conversations:\n  - id: no-time\n    lines: [hello]\n"
    done = replay(nlu_service, tmp_path, broken)
    assert done.returncode == 2
    assert "corpus.yml, conversation no-time: `at` must be an ISO instant" in done.stderr


def test_a_pressed_button_that_was_never_offered_is_shown_in_the_transcript(
    nlu_service: tuple[str, str], tmp_path: Path,
) -> None:
    script = ("conversations:\n  - id: press\n    at: 2026-11-25T10:00:00Z\n"
              "    lines:\n      - hello\n      - presses: Maybe\n      - never reached\n")
    done = replay(nlu_service, tmp_path, script)
    assert done.returncode == 0, done.stderr
    assert "customer> [presses Maybe]\n          ! no button 'Maybe' was offered" in done.stdout
    assert "never reached" not in done.stdout
