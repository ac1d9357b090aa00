"""Who acts at the desk and how an action is refused: shared by the desk and its views."""

from __future__ import annotations

from dataclasses import dataclass


class DeskError(Exception):
    """An agent action that is not possible (someone else has the ticket, it is closed)."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Actor:
    """The agent doing something: username for the records, display name for customers."""

    username: str
    display_name: str
