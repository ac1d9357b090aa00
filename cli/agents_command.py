"""`supportbot agents add|list|deactivate|set-password`: console accounts."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.config import Settings
from bot.storage.database import Database
from cli.common import CliError, Subparsers, say
from cli.run_command import migrate
from console.agents import (
    ROLES,
    AgentError,
    create_agent,
    deactivate,
    list_agents,
    set_password,
    set_teams,
)
from console.passwords import MIN_PASSWORD_LENGTH, PasswordTooShort

T = TypeVar("T")


def register_agents(subparsers: Subparsers) -> None:
    agents = subparsers.add_parser("agents", help="agent console accounts")
    commands = agents.add_subparsers(dest="agents_command", required=True)
    add = commands.add_parser("add", help="create an agent or supervisor")
    add.add_argument("name", help="the login name")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--display-name", help="the name shown in the console (default: NAME)")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of stdin instead of asking")
    add.add_argument("--team", action="append", default=[], metavar="TEAM",
                     help="a team whose handoffs the agent takes (repeatable; none: all teams)")
    add.add_argument("--max-concurrent", type=int, metavar="N",
                     help="conversations at once (default: SUPPORTBOT_AGENT_MAX_CONCURRENT)")
    add.set_defaults(handler=run_add)
    teams = commands.add_parser("teams", help="set the teams of an agent (none: all teams)")
    teams.add_argument("name")
    teams.add_argument("teams", nargs="*", metavar="TEAM")
    teams.set_defaults(handler=run_teams)
    commands.add_parser("list", help="every agent").set_defaults(handler=run_list)
    off = commands.add_parser("deactivate", help="stop an agent logging in; ends their sessions")
    off.add_argument("name")
    off.set_defaults(handler=run_deactivate)
    password = commands.add_parser("set-password", help="set a new password; ends sessions")
    password.add_argument("name")
    password.add_argument("--password-stdin", action="store_true",
                          help="read the password from the first line of stdin")
    password.set_defaults(handler=run_set_password)


COMMANDS = (register_agents,)


def run_add(args: argparse.Namespace) -> int:
    _check_teams(args.team)
    if args.max_concurrent is not None and args.max_concurrent < 1:
        raise CliError("--max-concurrent must be at least 1")
    password = _new_password(args.password_stdin)
    _run(lambda database: create_agent(database, args.name, password, role=args.role,
                                       display_name=args.display_name, teams=args.team,
                                       max_concurrent=args.max_concurrent))
    say(f"Agent {args.name} ({args.role}) created.")
    return 0


def run_teams(args: argparse.Namespace) -> int:
    _check_teams(args.teams)
    _run(lambda database: set_teams(database, args.name, args.teams))
    say(f"Agent {args.name} now works for: {', '.join(args.teams) or 'every team'}.")
    return 0


def _check_teams(teams: list[str]) -> None:
    known = Settings().teams
    unknown = [team for team in teams if team not in known]
    if unknown:
        raise CliError(f"unknown team {unknown[0]!r}; the teams are {', '.join(known)}")


def run_list(args: argparse.Namespace) -> int:
    agents = _run(list_agents)
    rows = [("NAME", "DISPLAY NAME", "ROLE", "ACTIVE")] + [
        (a.username, a.display_name, a.role, "yes" if a.active else "no") for a in agents]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
              .rstrip())
    return 0


def run_deactivate(args: argparse.Namespace) -> int:
    _run(lambda database: deactivate(database, args.name))
    say(f"Agent {args.name} deactivated; their sessions are ended.")
    return 0


def run_set_password(args: argparse.Namespace) -> int:
    password = _new_password(args.password_stdin)
    _run(lambda database: set_password(database, args.name, password))
    say(f"Password of {args.name} changed; their sessions are ended.")
    return 0


def _new_password(from_stdin: bool) -> str:
    """The new password, from stdin or asked twice; refused when too short."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            raise CliError("the passwords do not match")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise CliError(f"the password is too short: use at least {MIN_PASSWORD_LENGTH} "
                       "characters")
    return password


def _run(work: Callable[[Database], Awaitable[T]]) -> T:
    """Migrate the configured database, then run one piece of work against it; errors about
    agents become CLI errors (exit code 2)."""
    settings = Settings()
    migrate(settings)

    async def run() -> T:
        database = Database(settings.database_url)
        try:
            return await work(database)
        finally:
            await database.close()

    try:
        return asyncio.run(run())
    except (AgentError, PasswordTooShort) as error:
        raise CliError(str(error)) from error
