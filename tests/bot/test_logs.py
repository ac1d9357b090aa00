"""The JSON and text log formats of `supportbot run`."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from bot.logs import LogSettings, configure_logging, formatter


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    return logging.getLogger("bot.intake").makeRecord(
        "bot.intake", logging.INFO, __file__, 1, message, args, None, extra=extra)


def test_a_record_with_a_conversation_id_gives_a_json_line_with_that_field() -> None:
    line = formatter("json").format(
        record("message %s received", 7, conversation_id=42, channel="webchat", ticket=None))
    assert "\n" not in line
    fields = json.loads(line)
    assert fields["message"] == "message 7 received"
    assert fields["level"] == "INFO" and fields["logger"] == "bot.intake"
    assert fields["conversation_id"] == 42 and fields["channel"] == "webchat"
    assert fields["time"].startswith("20") and fields["time"].endswith("+00:00")
    assert "ticket" not in fields  # unknown context is left out, not null


def test_an_exception_stays_on_one_json_line() -> None:
    try:
        raise RuntimeError("sender crashed")
    except RuntimeError:
        made = record("boom", conversation_id=3)
        made.exc_info = sys.exc_info()
    line = formatter("json").format(made)
    assert "\n" not in line
    assert "RuntimeError: sender crashed" in json.loads(line)["exc_info"]


def test_a_text_line_shows_the_context_after_the_message() -> None:
    line = formatter("text").format(record("message answered", conversation_id=42,
                                           ticket="T-10001"))
    assert line.endswith("INFO bot.intake: message answered [conversation_id=42 ticket=T-10001]")


def test_configure_logging_writes_json_lines_to_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        configure_logging("json", "warning")
        logging.getLogger("bot.outbox").info("not shown")
        logging.getLogger("bot.outbox").warning("retry", extra={"conversation_id": 5})
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    lines = capsys.readouterr().err.splitlines()
    assert [json.loads(line)["message"] for line in lines] == ["retry"]


def test_log_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPORTBOT_LOG_LEVEL", "debug")
    monkeypatch.setenv("SUPPORTBOT_LOG_FORMAT", "text")
    settings = LogSettings()
    assert (settings.level, settings.format) == ("DEBUG", "text")


def test_no_line_carries_a_telegram_bot_token(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    url = "https://api.telegram.org/bot123456:AAE-secret_token9/sendMessage"
    try:
        configure_logging("text", "debug")
        logging.getLogger("httpx").info("HTTP Request: POST %s", url)  # one per send
        logging.getLogger("telegram.ext").error("request to %s failed", url)
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        logging.getLogger("httpx").setLevel(logging.NOTSET)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert "secret_token" not in lines[0]
    assert "request to https://api.telegram.org/bot<token>/sendMessage failed" in lines[0]
