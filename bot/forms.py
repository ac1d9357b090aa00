"""Forms: short question-and-answer flows that fill slots, confirm, then submit.

Every message is read for every slot, so details given early, late, several in one line
or as a correction ("sorry, the serial is ...") fill or replace their slot, and the form
asks only for what is still missing. A form can be left at any step (a cancel phrase, a
`deny`, asking for a person), answers a digression before asking again, and after two
answers it cannot read it offers a way on instead of asking a third time.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.cancel import is_cancel
from bot.capabilities import channel_can
from bot.conversation import Button
from bot.form_edits import correct
from bot.form_help import SKIP, FormHelp, says_yes
from bot.form_text import looks_like_question, overlap, remainder
from bot.turn import Turn

__all__ = ["CONFIRM", "UNCLEAR", "Form", "FormHost", "Found", "Slot", "is_cancel",
           "looks_like_question"]

CONFIRM = "__confirm__"
UNCLEAR = "unclear"  # state: the text of the message the bot just asked to clarify


@dataclass(frozen=True)
class Found:
    """A slot value seen in a message; `sure` ones (labelled, unambiguous) may replace an
    earlier value, others only fill an empty slot. `span` is where it stood in the text."""

    value: str
    span: tuple[int, int] | None = None
    sure: bool = True


Extractor = Callable[[Turn], "str | None"]
Spotter = Callable[[Turn], "Found | None"]


class FormHost(Protocol):
    """What a form needs of the dialogue policy around it."""

    async def digress(self, turn: Turn) -> bool:
        """Answer a question asked in the middle of the form; False if it is none."""
        ...

    async def hand_off(self, turn: Turn) -> None:
        """Bring in a person; the form's values so far go with the handoff."""
        ...


def _remember(turn: Turn, slots: list[str], prefilled: bool = False) -> None:
    """Note which message gave which values, so an edit of it can correct them."""
    message_id = turn.message.channel_message_id
    if slots and message_id:
        turn.state["form"].setdefault("given", {})[message_id] = {"slots": slots,
                                                                  "prefilled": prefilled}


@dataclass(frozen=True)
class Slot:
    """One question of a form.

    `extract` reads a message as the answer to this question (None: not valid, then
    `invalid` is said); `spot` finds the value in any message, answer to another question
    or not. `structured` answers have a shape, so an unreadable one may be a digression;
    `choices` become buttons and `on_affirm` is what a typed "yes" means. `optional`
    slots can be skipped from the start, `skippable` ones after two failed tries; `needs`
    is a channel capability the slot requires; `when` skips it unless it holds.
    """

    name: str
    ask: str
    extract: Extractor
    spot: Spotter | None = None
    invalid: str | None = None
    structured: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    optional: bool = False
    skippable: bool = False
    needs: str | None = None
    on_affirm: str | None = None
    affirm_says: str | None = None
    adds_detail: bool = False  # a fuller description given later is added to it
    when: Callable[[Mapping[str, Any]], bool] = field(default=lambda values: True)

    def wanted(self, turn: Turn, values: Mapping[str, Any]) -> bool:
        """Whether the form must still ask this slot on this channel."""
        return self.name not in values and self.when(values) and (
            self.needs is None or channel_can(turn.conversation.channel, self.needs))


class Form(ABC):
    """Base of every form action; its state lives in `turn.state["form"]`."""

    name: str
    slots: tuple[Slot, ...]
    confirm: bool = True

    async def run(self, turn: Turn) -> None:
        """Start the form with everything the starting message already says."""
        values: dict[str, Any] = {}
        found, _ = self.spot(turn, values)
        values.update(found)
        if unclear := turn.state.get(UNCLEAR):  # the message the bot asked to clarify
            before, _ = self.spot(dataclasses.replace(turn, text=unclear, parse=None), values)
            values.update({name: value for name, value in before.items() if name not in values})
        for name, value in self.prefill(turn, values).items():
            values.setdefault(name, value)
        self.complete(values, set(values))
        turn.state["form"] = {"name": self.name, "values": values, "awaiting": None,
                              "tries": 0, "given": {}}
        _remember(turn, list(values), prefilled=True)
        await self.ask_next(turn)

    def prefill(self, turn: Turn, values: Mapping[str, Any]) -> dict[str, Any]:
        """Values only the starting message gives (a complaint told in one go)."""
        return {}

    def complete(self, values: dict[str, Any], changed: set[str]) -> None:
        """Fill values that follow from others (an e-mail address given: reply by e-mail)."""
        return None

    def spot(self, turn: Turn, values: Mapping[str, Any]) -> tuple[dict[str, Any],
                                                                    list[tuple[int, int]]]:
        """The slot values this message gives, and where they stood in its text."""
        hits = [(slot.name, hit) for slot in self.slots
                if slot.spot is not None and (hit := slot.spot(turn)) is not None]
        found: dict[str, Any] = {}
        spans: list[tuple[int, int]] = []
        sure_spans: list[tuple[int, int]] = []  # text read as a sure value is no other
        for name, hit in sorted(hits, key=lambda named: not named[1].sure):  # sure first
            if hit.span and any(overlap(hit.span, span) for span in sure_spans):
                continue
            if hit.sure or name not in values:
                found[name] = hit.value
                if hit.span:
                    spans.append(hit.span)
                    if hit.sure:
                        sure_spans.append(hit.span)
        return found, spans

    async def resume(self, turn: Turn, host: FormHost) -> None:
        """Handle the customer's message while the form waits for an answer."""
        form_state = turn.state["form"]
        values: dict[str, Any] = form_state["values"]
        slot = next((s for s in self.slots if s.name == form_state["awaiting"]), None)
        if turn.choice == "=stop" or is_cancel(turn.text):
            self.cancel(turn)
            return
        source = form_state.get("given", {}).get(turn.message.payload.get("edit_of") or "")
        if source is not None:
            await correct(self, turn, source)
            return
        help_ = FormHelp(self, turn, host)
        if slot is not None and ((form_state.get("stuck") and await help_.answered(slot))
                                 or await help_.doesnt_know(slot)):
            return
        found, spans = self.spot(turn, values)
        if slot is not None and slot.name not in found and turn.choice != SKIP:
            said = dataclasses.replace(turn, text=remainder(turn.text, spans)) \
                if spans else turn
            # A shaped answer wins over a `deny` ("no, from a store"); free text never would.
            answer = slot.extract(said) if slot.structured else None
            if answer is None and not found and \
                    await self._leaves_or_digresses(turn, slot, host):
                return
            if answer is None and not slot.structured:
                answer = slot.extract(said)
            if answer is not None:
                found[slot.name] = answer
        more = self._more_detail(turn, values, found)
        found.update(more)
        changed = {name for name, value in found.items() if values.get(name) != value}
        if changed:
            if more and set(found) == set(more):
                turn.say("form_detail_added")
            values.update(found)
            _remember(turn, sorted(changed))
            self.complete(values, changed)
            form_state["tries"], form_state["stuck"] = 0, False
            # "I bought it from a reseller, must I not ask them?": a detail and a question.
            asked = looks_like_question(turn.text) and self._confident(turn) and \
                await host.digress(turn)
            await (self.reask(turn) if asked else self.ask_next(turn))
            return
        if slot is None:
            await self._at_confirmation(turn, host)
            return
        await self._unanswered(turn, slot, host, help_)

    def _more_detail(self, turn: Turn, values: Mapping[str, Any],
                     found: Mapping[str, Any]) -> dict[str, Any]:
        """A fuller description given later ("no power at all, the LED stays off") is added
        to a free-text value already given, so nothing the customer said is dropped."""
        more: dict[str, Any] = {}
        for slot in self.slots:
            hit = slot.spot(turn) if slot.spot and slot.adds_detail else None
            if hit and slot.name not in found and values.get(slot.name) and \
                    hit.value not in str(values[slot.name]):
                more[slot.name] = f"{values[slot.name]}; {hit.value}"
        return more

    async def _leaves_or_digresses(self, turn: Turn, slot: Slot, host: FormHost) -> bool:
        """A `deny` leaves the form (skips an optional slot); a question to a free-text
        slot is answered first. True if the message was handled so."""
        if self._wants_out(turn, slot):
            if slot.optional:
                turn.state["form"]["values"][slot.name] = ""
                await self.ask_next(turn)
            else:
                self.cancel(turn)
            return True
        if not slot.structured and looks_like_question(turn.text) and \
                self._confident(turn) and await host.digress(turn):
            await self.reask(turn)
            return True
        return False

    async def _at_confirmation(self, turn: Turn, host: FormHost) -> None:
        if says_yes(turn.intent, turn.text):
            values = dict(turn.state["form"]["values"])
            turn.state.pop("form", None)
            await self.submit(turn, values)
        elif turn.intent == "deny":
            self.cancel(turn)
        elif self._confident(turn) and await host.digress(turn):
            await self.reask(turn)
        else:
            await self.ask_next(turn)

    async def _unanswered(self, turn: Turn, slot: Slot, host: FormHost,
                          help_: FormHelp) -> None:
        """No value for the awaited slot: a typed yes, a skip, a digression or a failure."""
        values = turn.state["form"]["values"]
        if slot.on_affirm and turn.intent == "affirm":
            values[slot.name] = slot.on_affirm
            await self.ask_next(turn)
            return
        if slot.optional and turn.choice != SKIP and turn.intent == "affirm" and \
                slot.affirm_says and not turn.state["form"].get("nudged"):
            turn.state["form"]["nudged"] = True
            turn.say(slot.affirm_says, buttons=(Button(turn.t("button_skip"), SKIP),))
            return
        question = looks_like_question(turn.text) and \
            turn.confidence >= turn.services.confidence_threshold
        if turn.choice is None and slot.structured and (self._confident(turn) or question) \
                and await host.digress(turn):
            await self.reask(turn)
            return
        if slot.optional:  # no, skip or anything else: go on without it, never ask again
            values[slot.name] = ""
            await self.ask_next(turn)
            return
        await help_.failed(slot)

    @staticmethod
    def _confident(turn: Turn) -> bool:
        return turn.parse is not None and turn.choice is None and \
            turn.confidence >= turn.services.digression_threshold

    @staticmethod
    def _wants_out(turn: Turn, slot: Slot) -> bool:
        """A confident `deny`; to a free-text question only a short one ("nee", "nein")."""
        if turn.intent != "deny" or turn.confidence < turn.services.confidence_threshold:
            return False
        return slot.structured or slot.optional or bool(slot.choices) or (
            len(turn.text.split()) <= 3
            and turn.confidence >= turn.services.digression_threshold)

    def cancel(self, turn: Turn) -> None:
        """Drop the form for good: it never comes back after a later question."""
        turn.state.pop("form", None)
        turn.say("cancelled")

    async def reask(self, turn: Turn) -> None:
        turn.say(f"resume_{self.name}")
        await self.ask_next(turn)

    async def ask_next(self, turn: Turn) -> None:
        """Ask the first missing slot, else show everything for confirmation (or submit)."""
        form_state = turn.state["form"]
        values = form_state["values"]
        for slot in self.slots:
            if slot.wanted(turn, values):
                form_state["awaiting"] = slot.name
                buttons = tuple(Button(turn.t(title), value) for value, title in slot.choices)
                if slot.optional:
                    buttons += (Button(turn.t("button_skip"), SKIP),)
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

    @staticmethod
    def shown(turn: Turn, value: Any) -> str:
        """A value as the confirmation shows it; a skipped one reads "not given"."""
        return str(value) if value else turn.t("form_not_given")

    @abstractmethod
    async def submit(self, turn: Turn, values: Mapping[str, Any]) -> None:
        """Create what the form is for (ticket, callback) and tell the customer."""

