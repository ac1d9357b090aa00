"""Small pieces every CLI command shares."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

Subparsers = Any  # argparse's _SubParsersAction is private
Command = Callable[[Subparsers], None]


class CliError(Exception):
    """An error the CLI reports as one sentence and exit code 2."""


def say(message: str) -> None:
    """Progress and status output: stderr, so stdout stays clean for JSON."""
    print(message, file=sys.stderr, flush=True)

