"""The dialogue policy: which action answers a turn.

An explicit registry maps intents to actions. Active forms and open offers come first
(the policy is the forms' host: it answers their digressions and hands off from them);
low confidence asks to clarify (after a knowledge-base search), and two fallbacks in a row
offer a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from bot.answers import say_answer
from bot.conversation import Button
from bot.form_help import names_a_person
from bot.forms import UNCLEAR, Form, looks_like_question
from bot.opening import closed_notice, urgent_notice
from bot.tickets import EMAIL_CHANNEL, asks_for_a_quote
from bot.turn import Action, Turn

FALLBACKS_BEFORE_PERSON = 2
# Topics about reaching someone: when closed, even a clarification says so.
_ABOUT_REACHING_US = frozenset({"support_hours", "contact_channels", "outage_status",
                                "human_handoff", "request_callback"})
_NOT_DIGRESSIONS = frozenset({"affirm", "deny", "greet", "goodbye", "thank", "out_of_scope"})


class Survey(Protocol):
    """A question asked outside the dialogue (the CSAT survey) whose answer comes first."""

    async def answer(self, turn: Turn) -> bool: ...


class DialoguePolicy:
    """Chooses and runs actions; the registry is a plain dict from intent to action."""

    def __init__(self, actions: Mapping[str, Action], handoff: str = "human_handoff",
                 survey: Survey | None = None) -> None:
        self._actions = dict(actions)
        self._handoff = handoff
        self._survey = survey

    async def respond(self, turn: Turn) -> None:
        """Append the bot's replies for this turn to `turn.replies`. The text of a message
        the bot asked to clarify is kept for the next turn only: a form started then takes
        the details it gave."""
        unclear = turn.state.get(UNCLEAR)
        await self._respond(turn)
        if turn.state.get(UNCLEAR) == unclear:
            turn.state.pop(UNCLEAR, None)

    async def _respond(self, turn: Turn) -> None:
        if self._survey is not None and await self._survey.answer(turn):
            return
        intents = turn.state.setdefault("last_intents", [])
        if turn.intent:
            intents[:] = [*intents, turn.intent][-5:]
        active = self._active_form(turn)
        if active is not None:
            # A person asked for by name needs less certainty than a bare handoff intent.
            confident = turn.confidence >= turn.services.digression_threshold or (
                turn.confidence >= turn.services.confidence_threshold
                and names_a_person(turn.text))
            if turn.intent == self._handoff and confident:
                await self.hand_off(turn)
                return
            await active.resume(turn, self)
            return
        offer = turn.state.pop("offer", None)
        if offer and turn.intent in ("affirm", "deny"):
            if turn.intent == "affirm":
                await self._actions[offer].run(turn)
            else:
                turn.say("deny_no_context")
            return
        if turn.parse is None:
            turn.say("clarify_none")
            return
        if turn.confidence < turn.services.confidence_threshold:
            await self._fallback(turn)
            return
        turn.state["fallbacks"] = 0
        await self._run(turn.intent or "out_of_scope", turn)

    async def _run(self, intent: str, turn: Turn) -> None:
        action = self._actions.get(intent) or self._actions["out_of_scope"]
        by_mail = turn.conversation.channel == EMAIL_CHANNEL
        if by_mail and ((isinstance(action, Form) and action.confirm)
                        or asks_for_a_quote(turn.text)):
            # A mail is one turn: a form's questions and confirmation would each cost a
            # round of mail, and a quote needs sales; a person answers it (the ticket keeps
            # the whole mail).
            await self._actions[self._handoff].run(turn)
            return
        await action.run(turn)

    def _active_form(self, turn: Turn) -> Form | None:
        form_state = turn.state.get("form")
        if not form_state:
            return None
        action = next((a for a in self._actions.values()
                       if isinstance(a, Form) and a.name == form_state.get("name")), None)
        if action is None:
            turn.state.pop("form", None)
        return action

    async def hand_off(self, turn: Turn) -> None:
        """Bring in a person from inside a form: the handoff reads the form's values from
        the state (its ticket keeps them), then the form is gone for good."""
        await self._actions[self._handoff].run(turn)
        turn.state.pop("form", None)

    async def digress(self, turn: Turn) -> bool:
        """Answer a policy question asked in the middle of a form; False if it is none."""
        intent = turn.intent
        action = self._actions.get(intent or "")
        if intent is None or intent in _NOT_DIGRESSIONS or action is None:
            return False
        if isinstance(action, Form):  # a question about the form's own topic
            answer = turn.services.knowledge.answer(intent, turn.lang, turn.text)
            if not looks_like_question(turn.text) or answer is None or \
                    answer.score < turn.services.search_min_score:
                return False
            say_answer(turn, answer)
            return True
        await action.run(turn)
        return True

    async def _fallback(self, turn: Turn) -> None:
        found = turn.services.knowledge.best_section(turn.text, turn.lang)
        if found and found.score >= turn.services.search_min_score:
            turn.state["fallbacks"] = 0
            urgent = urgent_notice(turn)
            if urgent:  # closed while something is down: the emergency line first
                turn.say_text(urgent)
                say_answer(turn, found)
                return
            turn.say("search_intro")
            say_answer(turn, found)
            self._say_if_closed(turn, {i for i in _ABOUT_REACHING_US if found.article.answers(i)})
            return
        if turn.conversation.channel == EMAIL_CHANNEL:
            # A mail is one turn: rather than asking back, a person answers it.
            await self._actions[self._handoff].run(turn)
            return
        fallbacks = int(turn.state.get("fallbacks", 0)) + 1
        if fallbacks >= FALLBACKS_BEFORE_PERSON:
            turn.state["fallbacks"] = 0
            turn.state["offer"] = self._handoff
            turn.say("offer_person", buttons=turn.yes_no())
            return
        turn.state["fallbacks"] = fallbacks
        turn.state[UNCLEAR] = turn.text
        ranking = [score.name for score in (turn.parse.ranking if turn.parse else ())
                   if score.name not in _NOT_DIGRESSIONS][:2]
        if not ranking:
            turn.say("clarify_none")
            return
        buttons = tuple(Button(turn.t(f"topic_{name}"), f"/{name}") for name in ranking)
        turn.say("clarify", buttons=buttons)
        self._say_if_closed(turn, set(ranking))

    @staticmethod
    def _say_if_closed(turn: Turn, topics: set[str]) -> None:
        """Unsure of the question, but a customer who may be trying to reach us while
        support is closed must hear so, with the emergency line."""
        notice = closed_notice(turn) if _ABOUT_REACHING_US & topics else None
        if notice:
            turn.say_text(notice)
