"""What a form does with an answer it cannot read: say why and ask once more, then offer
a way on (skip the question where the form can do without it, a person who gets what was
collected, or stop) instead of asking the same thing a third time."""

from __future__ import annotations

from typing import Protocol

from bot.cancel import normalized
from bot.conversation import Button
from bot.turn import Turn

TRIES_BEFORE_HELP = 2
SKIP, PERSON, STOP = "=skip", "=person", "=stop"
SKIP_WORDS = frozenset({
    "skip", "skip it", "skip that", "next", "without", "leave it out", "skip this question",
    "overslaan", "sla over", "sla maar over", "volgende", "zonder", "door", "verder",
    "überspringen", "ueberspringen", "weiter", "ohne", "nächste", "auslassen",
})
DONT_KNOW = frozenset({
    "i don't know", "i dont know", "don't know", "dont know", "no idea", "not sure",
    "i can't find it", "can't find it", "i don't have it", "weet ik niet", "geen idee",
    "ik weet het niet", "kan ik niet vinden", "ik kan het niet vinden", "heb ik niet",
    "weiß ich nicht", "weiss ich nicht", "keine ahnung", "ich weiß es nicht",
    "ich weiss es nicht", "finde ich nicht", "kann ich nicht finden", "hab ich nicht",
})
# Typed yeses the model may not know ("jup"); said alone, to a yes/no question.
YES_WORDS = frozenset({
    "yes", "yep", "yup", "yeah", "ya", "sure", "ok", "okay", "correct", "right", "ja", "jup",
    "jep", "jap", "jo", "oke", "oké", "prima", "klopt", "akkoord", "zeker", "jazeker",
    "ja hoor", "jawohl", "genau", "stimmt", "passt", "richtig", "korrekt", "gerne", "gern",
})
PERSON_WORDS = frozenset({
    "person", "human", "colleague", "agent", "someone", "employee", "people", "operator",
    "medewerker", "mens", "iemand", "collega", "persoon", "mitarbeiter", "mensch", "jemand",
    "kollege", "kollegin", "menschen", "manager", "supervisor", "staff", "leidinggevende",
    "vorgesetzten", "vorgesetzter",
})


def says_yes(intent: str | None, text: str) -> bool:
    """An `affirm`, or a typed yes the model did not read as one ("jup")."""
    return intent == "affirm" or (intent != "deny" and normalized(text) in YES_WORDS)


def names_a_person(text: str) -> bool:
    """Whether the message speaks of a person to talk to ("a human", "een medewerker")."""
    return bool(PERSON_WORDS & set(normalized(text).split()))


class Slot(Protocol):
    """What the help needs of a form's question (`bot.forms.Slot`)."""

    @property
    def name(self) -> str: ...

    @property
    def invalid(self) -> str | None: ...

    @property
    def optional(self) -> bool: ...

    @property
    def skippable(self) -> bool: ...


class Form(Protocol):
    async def ask_next(self, turn: Turn) -> None: ...


class FormHost(Protocol):
    async def hand_off(self, turn: Turn) -> None: ...


class FormHelp:
    """The way out of a question the customer cannot answer the way the form wants."""

    def __init__(self, form: Form, turn: Turn, host: FormHost) -> None:
        self.form = form
        self.turn = turn
        self.host = host

    async def failed(self, slot: Slot) -> None:
        """An unreadable answer: say why and ask again, then offer a way on; when that
        offer was not taken either, skip the slot where the form can do without it, else
        offer it once more (a person is brought in only when the customer says so; a
        third time the loop guard offers one)."""
        form_state = self.turn.state["form"]
        if form_state.get("stuck") and self._can_skip(slot):
            self.turn.say("form_skipped")
            await self._skip(slot)
            return
        tries = form_state["tries"] = int(form_state.get("tries", 0)) + 1
        if tries < TRIES_BEFORE_HELP and not form_state.get("stuck"):
            if slot.invalid:
                self.turn.say(slot.invalid)
            await self.form.ask_next(self.turn)
            return
        form_state["stuck"] = True
        t = self.turn.t
        buttons: tuple[Button, ...] = (Button(t("form_button_person"), PERSON),
                                       Button(t("form_button_stop"), STOP))
        if self._can_skip(slot):
            buttons = (Button(t("form_button_skip"), SKIP), *buttons)
        self.turn.say("form_stuck" if self._can_skip(slot) else "form_stuck_no_skip",
                      buttons=buttons)

    async def doesnt_know(self, slot: Slot) -> bool:
        """ "weiß ich nicht" to a question: skipped where the form can do without the
        answer, else a failed try (never a cancel, though the NLU model reads a `deny`)."""
        if normalized(self.turn.text) not in DONT_KNOW:
            return False
        if self._can_skip(slot):
            self.turn.say("form_skipped")
            await self._skip(slot)
        else:
            await self.failed(slot)
        return True

    async def answered(self, slot: Slot) -> bool:
        """Whether the message took the offered way on (skip or person), typed or pressed."""
        words = normalized(self.turn.text)
        if self._can_skip(slot) and (self.turn.choice == SKIP or words in SKIP_WORDS):
            await self._skip(slot)
            return True
        asks_person = names_a_person(words) and len(words.split()) <= 6
        if self.turn.choice == PERSON or (self.turn.choice is None and asks_person):
            await self.host.hand_off(self.turn)
            return True
        return False

    @staticmethod
    def _can_skip(slot: Slot) -> bool:
        return slot.optional or slot.skippable

    async def _skip(self, slot: Slot) -> None:
        form_state = self.turn.state["form"]
        form_state["values"][slot.name] = ""
        form_state["tries"], form_state["stuck"] = 0, False
        await self.form.ask_next(self.turn)
