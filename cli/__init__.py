"""The `supportbot` command line: the one place that turns errors into messages and exit codes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.catalogue import CatalogueError
from bot.channel import ChannelStartError
from bot.knowledge import KnowledgeBaseError
from cli import (
    agents_command,
    chat_command,
    kb_commands,
    nlu_commands,
    retention_command,
    run_command,
    telegram_command,
)
from cli.common import CliError, Command
from nlu.errors import NluError

COMMAND_GROUPS: tuple[Command, ...] = (
    *nlu_commands.COMMANDS, *run_command.COMMANDS, *chat_command.COMMANDS,
    *kb_commands.COMMANDS,
    *telegram_command.COMMANDS,
    *agents_command.COMMANDS,
    *retention_command.COMMANDS,
)


def build_parser() -> argparse.ArgumentParser:
    """Assemble the parser from every command module's `register`."""
    parser = argparse.ArgumentParser(prog="supportbot", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    for register in COMMAND_GROUPS:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except (CliError, ChannelStartError, NluError, KnowledgeBaseError, CatalogueError) as error:
        print(f"supportbot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code
