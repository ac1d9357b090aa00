"""Small pieces every CLI command shares."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bot.config import Settings
from nlu.service import ensure_service
from nlu.setup import PreparedNlu, prepare

Subparsers = Any  # argparse's _SubParsersAction is private
Command = Callable[[Subparsers], None]


class CliError(Exception):
    """An error the CLI reports as one sentence and exit code 2."""


def say(message: str) -> None:
    """Progress and status output: stderr, so stdout stays clean for JSON."""
    print(message, file=sys.stderr, flush=True)



@contextmanager
def nlu_service(settings: Settings,
                workers: int = 1) -> Iterator[tuple[Settings, PreparedNlu]]:
    """Get the NLU side ready and yield settings that point at a healthy service: the one
    already answering at the configured URL, or one started here (with `workers` Sanic
    workers) and stopped afterwards."""
    prepared = prepare(settings.cache_dir, say)
    token = settings.nlu_token.get_secret_value()
    with ensure_service(
        settings.resolved_nlu_url, token,
        lambda: prepared.process(settings.nlu_host, settings.nlu_port, token, workers,
                                 settings.redis_url),
        say, settings.nlu_start_timeout_s,
    ) as url:
        yield settings.model_copy(update={"nlu_url": url}), prepared
