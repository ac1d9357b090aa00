"""The conversation corpus (tests/corpus/*.yml): whole conversations written the way
customers write, replayed against the real NLU model; each failure shows the transcript
so far and the expectation that did not hold."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import parse_instant
from bot.config import Settings
from bot.conversation import TurnResult
from bot.storage.models import Callback, Ticket
from cli.chat_script import ScriptedConversation, ScriptLine, Transcript, load_script
from nlu.language import LanguageIdentifier
from tests.conversation import Customer

CORPUS = Path(__file__).parent / "corpus"
# The corpus runs on SQLite and on PostgreSQL (`make test`); SUPPORTBOT_CORPUS_DATABASES=
# sqlite runs it on one, for a quicker look while working on a conversation.
DATABASES = os.environ.get("SUPPORTBOT_CORPUS_DATABASES", "sqlite,postgresql").split(",")
CONVERSATIONS = [conversation for path in sorted(CORPUS.glob("*.yml"))
                 for conversation in load_script(path)]
COMPANY = Settings().company.model_dump()
# Quoted customer words, URLs, addresses, numbers and references say nothing of the
# language the bot replies in.
_NOT_WORDS = re.compile(r'"[^"]*"|„[^“]*“|“[^”]*”|https?://\S+|\S+@\S+|\+?\d[\d ./-]{4,}\d|T-\d+')


class Broken(AssertionError):
    """An expectation of the corpus that did not hold."""


def phrase_options(phrase: str) -> list[str]:
    """`a|b` accepts either; `{emergency_phone}` and friends come from the settings."""
    return [option.format_map(COMPANY).lower() for option in phrase.split("|")]


def contains(texts: Iterable[str], phrase: str) -> bool:
    joined = "\n".join(texts).lower()
    return any(option in joined for option in phrase_options(phrase))


def as_list(value: Any) -> list[str]:
    """A phrase or a list of phrases as a list; nothing as an empty list."""
    if value is None or value == []:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def reply_texts(results: Iterable[TurnResult]) -> list[str]:
    return [reply.text for result in results for reply in result.replies]


def check_phrases(where: str, texts: list[str], has: Any = None, lacks: Any = None) -> None:
    for phrase in as_list(has):
        if not contains(texts, phrase):
            raise Broken(f"{where}: no reply says {phrase!r}")
    for phrase in as_list(lacks):
        if contains(texts, phrase):
            raise Broken(f"{where}: a reply says {phrase!r}, which it must not")


def check_language(languages: LanguageIdentifier, result: TurnResult, expected: str) -> None:
    """The conversation stays in the expected language, and so does every longer reply."""
    if result.replies and result.language != expected:
        raise Broken(f"the conversation's language is {result.language}, not {expected}")
    for reply in result.replies:
        words = _NOT_WORDS.sub(" ", reply.text)
        if sum(ch.isalpha() for ch in words) < 30:
            continue
        guess = languages.guess(words)
        if guess and guess.code != expected and guess.confidence >= 0.9:
            raise Broken(f"a reply is in {guess.code}, not {expected}: {reply.text!r}")


def check_no_prompt_thrice(results: list[TurnResult]) -> None:
    """The same prompt never ends three turns in a row."""
    lasts = [result.replies[-1].text.strip() for result in results[-3:] if result.replies]
    if len(lasts) == 3 and len(set(lasts)) == 1:
        raise Broken(f"the same prompt came three times in a row: {lasts[0]!r}")


def check_line(line: ScriptLine, result: TurnResult) -> None:
    intent = line.expect.get("intent")
    if intent and result.intent not in str(intent).split("|"):
        raise Broken(f"the line was read as intent {result.intent}, not {intent}")
    check_phrases("after this line", reply_texts([result]), line.expect.get("has"),
                  line.expect.get("lacks"))


async def check_outcome(customer: Customer, conversation: ScriptedConversation) -> None:
    expect = conversation.expect
    texts = reply_texts(customer.results)
    check_phrases("in the whole conversation", texts, expect.get("any_reply_has"),
                  expect.get("no_reply_has"))
    check_phrases("in the last reply", reply_texts(customer.results[-1:]),
                  expect.get("last_reply_has"), expect.get("last_reply_lacks"))
    async with customer.engine.database.sessions() as session:
        tickets = list((await session.execute(select(Ticket))).scalars())
        callbacks = list((await session.execute(select(Callback))).scalars())
    check_ticket(expect, tickets, callbacks, texts)


def check_ticket(expect: Mapping[str, Any], tickets: list[Ticket],
                       callbacks: list[Callback], texts: list[str]) -> None:
    wanted = expect.get("ticket") or "none"
    if wanted == "none":
        if tickets:
            raise Broken(f"a {tickets[0].kind} ticket {tickets[0].reference} was created, "
                         "but this conversation must not create one")
        return
    kinds = as_list(wanted)
    matching = [ticket for ticket in tickets if ticket.kind in kinds]
    if not matching:
        raise Broken(f"no {' or '.join(kinds)} ticket was created "
                     f"(tickets: {[t.kind for t in tickets]})")
    ticket = matching[-1]
    if not contains(texts, str(ticket.reference)):
        raise Broken(f"the customer was never told the reference {ticket.reference}")
    stored = f"{ticket.subject} {ticket.details}".lower()
    for value in as_list(expect.get("ticket_has")):
        if not any(option in stored for option in phrase_options(value)):
            raise Broken(f"ticket {ticket.reference} does not keep {value!r}: {stored}")
    if "due" in expect:
        check_due(str(expect["due"]), ticket, callbacks)


def as_gmt_minute(moment: datetime) -> datetime:
    """To the minute, naive GMT: SQLite gives naive GMT, PostgreSQL aware datetimes."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(second=0, microsecond=0)


def check_due(due: str, ticket: Ticket, callbacks: list[Callback]) -> None:
    moments = [ticket.first_response_due, ticket.acknowledge_due, ticket.resolution_due,
               *(c.due_at for c in callbacks if c.ticket_id == ticket.id)]
    minute = as_gmt_minute(parse_instant(due))
    shown = [as_gmt_minute(moment) for moment in moments if moment]
    if minute not in shown:
        raise Broken(f"ticket {ticket.reference} is not due at {due} "
                     f"(its deadlines: {[f'{m:%Y-%m-%d %H:%M}' for m in shown]})")


async def play(customer: Customer, conversation: ScriptedConversation,
               languages: LanguageIdentifier, transcript: Transcript) -> None:
    language = conversation.language
    for number, line in enumerate(conversation.lines, 1):
        if number > 1:
            customer.clock.advance(line.wait)
        if line.presses is not None:
            try:
                result = await customer.presses(line.presses)
            except AssertionError as error:
                transcript.add(line, None)
                raise Broken(f"line {number}: {error}") from error
        else:
            result = await customer.says(line.says or "")
        transcript.add(line, result)
        language = str(line.expect.get("language", language))
        try:
            check_line(line, result)
            check_language(languages, result, language)
            check_no_prompt_thrice(customer.results)
        except Broken as broken:
            raise Broken(f"line {number} ({line.shown!r}): {broken}") from None
    await check_outcome(customer, conversation)


@pytest.mark.parametrize("database", DATABASES, indirect=True)
@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c.id for c in CONVERSATIONS])
async def test_conversation_holds_up(conversation: ScriptedConversation, customer: Customer,
                                     languages: LanguageIdentifier) -> None:
    customer.user = conversation.user
    customer.channel = conversation.channel
    customer.clock.advance(conversation.at - customer.clock.now())
    transcript = Transcript(conversation)
    failure = None
    try:
        await play(customer, conversation, languages, transcript)
    except Broken as broken:
        failure = f"{conversation.id}: {broken}\n\n{transcript.render()}"
    if failure:
        pytest.fail(failure, pytrace=False)


def test_the_corpus_has_thirty_conversations_per_language() -> None:
    for language in ("nl", "de", "en"):
        count = sum(1 for c in CONVERSATIONS if c.language == language)
        assert count >= 30, f"{language}: only {count} conversations"
