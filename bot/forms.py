"""Forms: short question-and-answer flows that fill slots, confirm, then submit.

A form can be cancelled at any step, and answers a digression (a policy question in the
middle) before asking its question again.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.conversation import Button
from bot.turn import Turn

CONFIRM = "__confirm__"
CANCEL_PHRASES = frozenset({
    "stop", "stopp", "cancel", "annuleer", "annuleren", "laat maar", "laat maar zitten",
    "hou maar op", "toch niet", "abbrechen", "vergiss es", "doch nicht", "egal", "lass es",
    "never mind", "nevermind", "forget it", "forget about it", "quit",
})
QUESTION_WORDS = frozenset({
    "wann", "wie", "was", "wo", "warum", "welche", "kann", "können", "gibt", "habt", "haben",
    "wanneer", "hoe", "wat", "waar", "waarom", "welke", "kan", "kunnen", "zijn", "hebben",
    "when", "how", "what", "where", "why", "which", "can", "could", "do", "does", "is", "are",
})
_WORDS = re.compile(r"[^\w\s-]", re.UNICODE)

Extractor = Callable[[Turn], "str | None"]


def normalized(text: str) -> str:
    return " ".join(_WORDS.sub(" ", text.lower()).split())


def is_cancel(text: str) -> bool:
    """Whether the customer asks to stop ("laat maar", "abbrechen", "never mind")."""
    words = normalized(text)
    return any(words == p or words.startswith(p + " ") for p in CANCEL_PHRASES) \
        and len(words.split()) <= 5


def _remember(turn: Turn, slots: list[str], prefilled: bool = False) -> None:
    """Note which message gave which values, so an edit of it can correct them."""
    message_id = turn.message.channel_message_id
    if slots and message_id:
        turn.state["form"].setdefault("given", {})[message_id] = {"slots": slots,
                                                                  "prefilled": prefilled}


def looks_like_question(text: str) -> bool:
    words = normalized(text).split()
    return text.strip().endswith("?") or bool(words and words[0] in QUESTION_WORDS)


@dataclass(frozen=True)
class Slot:
    """One question of a form.

    `extract` returns the value or None when the answer is not valid (then `invalid` is
    said); `structured` slots treat an unparseable answer as a possible digression;
    `choices` become buttons; `when` skips the slot unless it holds for the values so far.
    """

    name: str
    ask: str
    extract: Extractor
    invalid: str | None = None
    structured: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    optional: bool = False
    when: Callable[[Mapping[str, Any]], bool] = field(default=lambda values: True)


class Form(ABC):
    """Base of every form action; its state lives in `turn.state["form"]`."""

    name: str
    slots: tuple[Slot, ...]
    confirm: bool = True

    async def run(self, turn: Turn) -> None:
        """Start the form, prefilling slots from the entities of the starting message."""
        values = self.prefill(turn)
        turn.state["form"] = {"name": self.name, "values": values, "awaiting": None,
                              "given": {}}
        _remember(turn, list(values), prefilled=True)
        await self._ask_next(turn)

    def prefill(self, turn: Turn) -> dict[str, Any]:
        """Values already given in the message that started the form."""
        return {}

    async def resume(self, turn: Turn, digress: Callable[[Turn], Awaitable[bool]]) -> None:
        """Handle the customer's answer to the pending question."""
        form_state = turn.state["form"]
        awaiting = form_state["awaiting"]
        source = form_state.get("given", {}).get(turn.message.payload.get("edit_of") or "")
        if source is not None and not is_cancel(turn.text):
            await self._correct(turn, source)
            return
        if is_cancel(turn.text) or (awaiting == CONFIRM and turn.intent == "deny"):
            turn.state.pop("form", None)
            turn.say("cancelled")
            return
        if awaiting == CONFIRM:
            if turn.intent == "affirm":
                values = dict(form_state["values"])
                turn.state.pop("form", None)
                await self.submit(turn, values)
                return
            if await digress(turn):
                await self._reask(turn)
                return
            await self._ask_next(turn)
            return
        slot = next(s for s in self.slots if s.name == awaiting)
        value = None if turn.choice == "=skip" and not slot.optional else slot.extract(turn)
        if value is None and self._is_digression(turn, slot) and await digress(turn):
            await self._reask(turn)
            return
        if value is None and slot.optional and (turn.choice == "=skip" or turn.intent == "deny"):
            value = ""
        if value is None:
            if slot.invalid:
                turn.say(slot.invalid)
            await self._ask_next(turn)
            return
        form_state["values"][slot.name] = value
        _remember(turn, [slot.name])
        await self._ask_next(turn)

    async def _correct(self, turn: Turn, source: Mapping[str, Any]) -> None:
        """The customer edited a message that gave values: its new text replaces them,
        then the form goes on where it was (the confirmation is shown again)."""
        values = turn.state["form"]["values"]
        if source.get("prefilled"):
            found = {name: value for name, value in self.prefill(turn).items()
                     if name in source["slots"]}
        else:
            slot = next(s for s in self.slots if s.name == source["slots"][0])
            value = slot.extract(turn)
            found = {} if value is None else {slot.name: value}
            if value is None and slot.invalid:
                turn.say(slot.invalid)
        if found:
            values.update(found)
            turn.say("edit_applied", value=", ".join(str(v) for v in found.values()))
        await self._ask_next(turn)

    def _is_digression(self, turn: Turn, slot: Slot) -> bool:
        if turn.parse is None or turn.choice is not None:
            return False
        confident = turn.confidence >= turn.services.digression_threshold
        return confident and (slot.structured or looks_like_question(turn.text))

    async def _reask(self, turn: Turn) -> None:
        turn.say(f"resume_{self.name}")
        await self._ask_next(turn)

    async def _ask_next(self, turn: Turn) -> None:
        form_state = turn.state["form"]
        values = form_state["values"]
        for slot in self.slots:
            if slot.name not in values and slot.when(values):
                form_state["awaiting"] = slot.name
                buttons = tuple(Button(turn.t(title), value) for value, title in slot.choices)
                if slot.optional:
                    buttons += (Button(turn.t("button_skip"), "=skip"),)
                turn.say(slot.ask, buttons=buttons)
                return
        if not self.confirm:
            turn.state.pop("form", None)
            await self.submit(turn, values)
            return
        form_state["awaiting"] = CONFIRM
        turn.say_text(self.confirmation(turn, values), turn.yes_no())

    def confirmation(self, turn: Turn, values: Mapping[str, Any]) -> str:
        """The summary the customer confirms before submission (forms with `confirm`);
        by default the collected values, one per line."""
        return "\n".join(f"{name}: {value}" for name, value in values.items())

    @abstractmethod
    async def submit(self, turn: Turn, values: Mapping[str, Any]) -> None:
        """Create what the form is for (ticket, callback) and tell the customer."""
