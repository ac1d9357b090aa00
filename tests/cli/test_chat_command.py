"""`supportbot chat --json --at TIME`: a scripted conversation through the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def chat(nlu_service: tuple[str, str], tmp_path: Path, lines: list[str],
         *args: str) -> list[dict[str, Any]]:
    url, token = nlu_service
    env = {**os.environ, "SUPPORTBOT_NLU_URL": url, "SUPPORTBOT_NLU_TOKEN": token,
           "SUPPORTBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"}
    done = subprocess.run([sys.executable, "-m", "cli", "chat", "--json", *args],
                          input="\n".join(lines) + "\n", capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_scripted_callback_on_friday_evening(nlu_service: tuple[str, str],
                                            tmp_path: Path) -> None:
    replies = chat(nlu_service, tmp_path,
                   ["can you call me back please", "+31 20 555 0142", "my invoice", "1"],
                   "--at", "2026-11-27T21:55:00Z")
    assert replies[0]["intent"] == "request_callback" and replies[0]["language"] == "en"
    assert replies[2]["buttons"] == ["Yes", "No"]
    last = replies[-1]
    assert last["ticket"].startswith("T-")
    assert "22:05 GMT" in last["text"] and last["ticket"] in last["text"]


def test_every_reply_is_one_json_object_with_the_documented_keys(
    nlu_service: tuple[str, str], tmp_path: Path,
) -> None:
    replies = chat(nlu_service, tmp_path, ["Hallo, wann haben Sie am Samstag geöffnet?"])
    assert replies
    for reply in replies:
        assert set(reply) >= {"text", "buttons", "intent", "confidence", "language", "ticket"}
    assert replies[0]["language"] == "de" and replies[0]["intent"] == "support_hours"


def test_a_bad_time_is_a_clear_error(nlu_service: tuple[str, str], tmp_path: Path) -> None:
    url, token = nlu_service
    env = {**os.environ, "SUPPORTBOT_NLU_URL": url, "SUPPORTBOT_NLU_TOKEN": token}
    done = subprocess.run([sys.executable, "-m", "cli", "chat", "--json", "--at", "friday"],
                          input="", capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2 and "--at" in done.stderr
