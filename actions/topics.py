"""What a callback is about, read from a sentence that says it in passing.

Customers name the topic in the same breath as the request ("call me back about the
invoice", "gaat over mn factuur", "es geht um die Rechnung", "Thema Wartungsvertrag"),
often with typos ("its abuot our contract"). The topic is what follows such a marker, up
to the end of its clause, without a phone number in it.
"""

from __future__ import annotations

import re

from bot.forms import Found
from bot.turn import Turn

# Words after which the topic follows. Multi-word markers are matched before single ones.
MARKERS = (
    "it's about", "its about", "it is about", "the topic is", "regarding", "concerning",
    "about", "re", "topic", "subject",
    "het gaat over", "gaat over", "het betreft", "betreft", "betreffende", "inzake",
    "onderwerp", "over",
    "es geht um", "geht um", "bezüglich", "bezueglich", "betreffend", "betrifft", "wegen",
    "zum thema", "thema",
)
# What may follow "about" / "over" without being a topic: a time ("over een uur").
_TIME = re.compile(r"(\d|een (half )?uur|een kwartier|an hour|half an hour|a minute|"
                   r"a few minutes|\w+ minut)", re.IGNORECASE)
_WORD = re.compile(r"[\w'\u2019-]+", re.UNICODE)
_CLAUSE_END = re.compile(r"[,;.!?]|\s[-\u2013]\s")
# Markers that also match with one typo ("abuot", "regardng"); short ones never would.
FUZZY = frozenset({"about", "regarding", "concerning", "bezüglich", "betreffend",
                   "betreffende", "betrifft"})


def _close(word: str, marker: str) -> bool:
    """Equal, or one letter changed, missing, extra or two letters swapped."""
    if word == marker:
        return True
    if marker not in FUZZY or abs(len(word) - len(marker)) > 1:
        return False
    if len(word) == len(marker):
        diffs = [i for i, (a, b) in enumerate(zip(word, marker, strict=True)) if a != b]
        return len(diffs) == 1 or (len(diffs) == 2 and diffs[1] == diffs[0] + 1 and
                                   word[diffs[0]] == marker[diffs[1]] and
                                   word[diffs[1]] == marker[diffs[0]])
    short, long_ = sorted((word, marker), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _marker_end(words: list[re.Match[str]], index: int) -> int | None:
    """Where a marker starting at word `index` ends (a character offset), if one does."""
    for marker in MARKERS:
        parts = marker.split()
        chunk = words[index:index + len(parts)]
        if len(chunk) == len(parts) and all(
                _close(found.group(0).lower().replace("\u2019", "'"), part)
                for found, part in zip(chunk, parts, strict=True)):
            return chunk[-1].end()
    return None


def topic_span(text: str, avoid: tuple[int, int] | None = None) -> tuple[int, int] | None:
    """The span of the topic in `text`; `avoid` (a phone number's span) ends it."""
    words = list(_WORD.finditer(text))
    for index in range(len(words)):
        end_of_marker = _marker_end(words, index)
        if end_of_marker is None:
            continue
        start = end_of_marker + len(text[end_of_marker:]) - \
            len(text[end_of_marker:].lstrip(" :"))
        clause = _CLAUSE_END.search(text, start)
        end = clause.start() if clause else len(text)
        if avoid and start <= avoid[0] < end:
            end = avoid[0]
        topic = text[start:end].strip()
        if len(_WORD.findall(topic)) >= 1 and not _TIME.match(topic) and len(topic) >= 3:
            return start, start + len(topic)
    return None


def spot_topic(turn: Turn, phone: Found | None = None) -> Found | None:
    """The topic named in any message ("... about the invoice"); never a sure value."""
    span = topic_span(turn.text, phone.span if phone else None)
    return Found(turn.text[span[0]:span[1]], span, sure=False) if span else None
