"""Log output of a running app: one JSON object per line on stderr (or plain text).

Every record has `time`, `level`, `logger` and `message`; the context a log call passes in
`extra=` (`conversation_id`, `ticket`, `channel`, ...) becomes fields of its own.

A Telegram bot token travels in the Bot API's URLs, so every line is cleared of it before
it is written, and httpx's line per request (that URL, at INFO) is left out.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any, Literal

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from pythonjsonlogger.json import JsonFormatter

LogFormat = Literal["text", "json"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

BOT_TOKEN = re.compile(r"\bbot\d+:[\w-]+")  # as in https://api.telegram.org/bot<token>/
QUIET_LOGGERS = {"httpx": logging.WARNING}

# Context fields a text line shows after the message, in this order.
CONTEXT_FIELDS = ("conversation_id", "ticket", "channel", "message_id", "outbox_id", "intent")


class LogSettings(BaseSettings):
    """`SUPPORTBOT_LOG_LEVEL` and `SUPPORTBOT_LOG_FORMAT`, from the environment or `.env`."""

    model_config = SettingsConfigDict(env_prefix="SUPPORTBOT_LOG_", env_file=".env",
                                      extra="ignore")

    level: LogLevel = "INFO"
    format: LogFormat = "json"

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


class SupportJsonFormatter(JsonFormatter):
    """JSON lines with the field names above; context that is None is left out."""

    def __init__(self) -> None:
        super().__init__("%(levelname)s %(name)s %(message)s", timestamp="time",
                         rename_fields={"levelname": "level", "name": "logger"})

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in log_data.items()
                if value is not None or key not in CONTEXT_FIELDS}


class ContextTextFormatter(logging.Formatter):
    """Plain lines for a terminal, with the known context appended as `key=value`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        context = " ".join(f"{key}={getattr(record, key)}" for key in CONTEXT_FIELDS
                           if getattr(record, key, None) is not None)
        if not context:
            return line
        first, newline, rest = line.partition("\n")  # keep a traceback below the context
        return f"{first} [{context}]{newline}{rest}"


def formatter(log_format: LogFormat) -> logging.Formatter:
    return SupportJsonFormatter() if log_format == "json" else ContextTextFormatter()


class RedactingHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes formatted lines with any Telegram bot token replaced by `bot<token>`."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def redact(line: str) -> str:
    return BOT_TOKEN.sub("bot<token>", line)


def configure_logging(log_format: LogFormat, level: LogLevel | str = "INFO") -> None:
    """Send every log record at `level` or above to stderr in the given format."""
    handler = RedactingHandler(sys.stderr)
    handler.setFormatter(formatter(log_format))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name, quiet in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(max(quiet, root.level))
