"""Run-on messages read clause by clause when the model is unsure of the whole.

Customers put a request and its details in one message ("kann mich heute noch jemand
anrufen? es geht um die Rechnung vom November"; "Rückruf bitte an +49 30 901820, Thema
Wartungsvertrag"). The model, trained on single requests, is often unsure of the whole
while it reads the request alone at once. So when the whole parse is below the
confidence threshold, the sentences (or, for one sentence, its comma clauses) are parsed
in order (a one-word clause such as "hallo!" left out), and the first one the model is
sure of, and that asks something, gives the intent. The entities stay those of the whole
message, whose text they point into.
"""

from __future__ import annotations

import re
from typing import Protocol

from nlu.client import ParseResult

# Intents a clause can have without being what the message asks ("hallo!", "ja, ...").
NOT_REQUESTS = frozenset({"greet", "goodbye", "thank", "affirm", "deny"})
MOST_CLAUSES = 3  # each is one more call to the NLU service
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
_COMMA = re.compile(r",\s+")


class Parser(Protocol):
    async def parse(self, text: str) -> ParseResult: ...


def clauses(text: str) -> list[str]:
    """The sentences of a message; its comma clauses when it is one sentence. Clauses of
    a single word are left out (a greeting, a name)."""
    parts = [part.strip() for part in _SENTENCE_END.split(text.strip())]
    if len(parts) < 2:
        parts = [part.strip() for part in _COMMA.split(text.strip())]
    return [part for part in parts if len(part.split()) >= 2][:MOST_CLAUSES]


class ClauseReader:
    """A parser that falls back to the clauses of a message the model is unsure of."""

    def __init__(self, parser: Parser, threshold: float) -> None:
        self._parser = parser
        self._threshold = threshold

    async def parse(self, text: str) -> ParseResult:
        whole = await self._parser.parse(text)
        if whole.intent.confidence >= self._threshold:
            return whole
        parts = clauses(text)
        if not parts or parts == [text.strip()]:  # one clause, or only a "hallo!" left out
            return whole
        for part in parts:
            parsed = await self._parser.parse(part)
            if parsed.intent.confidence >= self._threshold and \
                    parsed.intent.name not in NOT_REQUESTS:
                return ParseResult(text, parsed.intent, parsed.ranking, whole.entities)
        return whole
