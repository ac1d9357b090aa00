"""A customer's edit of a message that gave a form's values: its new text replaces them,
then the form goes on where it was (the confirmation is shown again)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from bot.turn import Turn


class Slot(Protocol):
    """What an edit needs of a form's question (`bot.forms.Slot`)."""

    @property
    def name(self) -> str: ...

    @property
    def extract(self) -> Callable[[Turn], str | None]: ...


class Form(Protocol):
    """What an edit needs of a form (`bot.forms.Form`), as a protocol: no import cycle."""

    @property
    def slots(self) -> Sequence[Slot]: ...

    def spot(self, turn: Turn, values: Mapping[str, Any]
             ) -> tuple[dict[str, Any], list[tuple[int, int]]]: ...

    def complete(self, values: dict[str, Any], changed: set[str]) -> None: ...

    async def ask_next(self, turn: Turn) -> None: ...


async def correct(form: Form, turn: Turn, source: Mapping[str, Any]) -> None:
    """Replace the values the edited message gave with what its new text says."""
    values = turn.state["form"]["values"]
    spotted, _ = form.spot(turn, {})
    found = {name: value for name, value in spotted.items() if name in source["slots"]}
    for slot in form.slots:
        if slot.name in source["slots"] and slot.name not in found:
            value = slot.extract(turn)
            if value is not None:
                found[slot.name] = value
    if found:
        values.update(found)
        form.complete(values, set(found))
        turn.say("edit_applied", value=", ".join(str(v) for v in found.values()))
    await form.ask_next(turn)
