"""Who acts at the desk and how an action is refused: shared by the desk and its views."""

from __future__ import annotations

from dataclasses import dataclass


class DeskError(Exception):
    """An agent action that is not possible (someone else has the ticket, it is closed).
    `template` with `{placeholders}` filled from `values` is the message; the console
    translates the template into the agent's language."""

    def __init__(self, template: str, status: int = 409, **values: object) -> None:
        super().__init__(template.format(**values) if values else template)
        self.template, self.values, self.status = template, values, status


@dataclass(frozen=True)
class Actor:
    """The agent doing something: username for the records, display name for customers."""

    username: str
    display_name: str
