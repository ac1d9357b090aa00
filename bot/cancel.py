"""What a customer writes to stop what the bot is doing, in Dutch, German and English.

Customers rarely type just "cancel": they write "ach, lass mal", "nee laat maar hoor" or
"ok forget it". A message counts as a cancel when, without fillers around it, it is one
of the phrases, or is short and holds a phrase of two or more words, or its first clause
is one of the phrases ("never mind, found the receipt"; "hoeft niet meer, hij doet het
weer"). A single word such as "stop" counts only on its own or as that first clause, so
a fault description ("the fan won't stop") is not taken for a cancel.
"""

from __future__ import annotations

import re

CANCEL_PHRASES = frozenset({
    # English
    "stop", "cancel", "quit", "abort", "exit", "never mind", "nevermind", "forget it",
    "forget about it", "forget that", "cancel that", "cancel it", "leave it",
    "don't bother", "dont bother", "no need", "not needed anymore", "changed my mind",
    "i changed my mind", "i've changed my mind", "doesn't matter", "doesnt matter",
    "forget the whole thing",
    # German
    "stopp", "abbrechen", "abbruch", "egal", "lass es", "lass mal", "lass gut sein",
    "lass es gut sein", "lassen sie es", "lassen wir das", "lassen wir es", "vergiss es",
    "vergiss das", "vergessen sie es", "hat sich erledigt", "hat sich schon erledigt",
    "erledigt", "doch nicht", "schon gut", "nicht mehr nötig", "nicht mehr noetig",
    "brauche ich nicht mehr", "brauch ich nicht mehr", "anders überlegt",
    "ich habe es mir anders überlegt", "kein bedarf mehr",
    # Dutch
    "stoppen", "annuleer", "annuleren", "afbreken", "laat maar", "laat maar zitten",
    "laat ook maar", "laat zitten", "hoeft niet meer", "hoeft niet", "hou maar op",
    "houd maar op", "toch niet", "vergeet het", "vergeet het maar", "niet meer nodig",
    "ik bedenk me", "bedenk me", "laat het maar",
})
# Words around a cancel that do not change it: "ach, lass mal", "nee laat maar hoor".
FILLERS = frozenset({
    "ach", "och", "ah", "oh", "hm", "hmm", "ok", "okay", "oké", "oke", "na", "ja", "nee",
    "nein", "ne", "no", "nah", "sorry", "sorri", "please", "pls", "bitte", "danke",
    "thanks", "bedankt", "dank", "je", "aub", "alsjeblieft", "alstublieft", "hoor", "dan",
    "dann", "eben", "mal", "just", "well", "weißt", "du", "was", "actually", "eigenlijk",
    "eigentlich", "now", "nu", "jetzt", "right", "thank", "you",
})
MOST_WORDS = 7
_NOT_WORDS = re.compile(r"[^\w\s'-]", re.UNICODE)


def normalized(text: str) -> str:
    """Lower case, punctuation gone, single spaces: what phrase matching compares."""
    return " ".join(_NOT_WORDS.sub(" ", text.lower()).split())


_CLAUSE = re.compile(r"[,;:.!?]")


def is_cancel(text: str) -> bool:
    """Whether the customer asks to stop ("laat maar", "ach, lass mal", "never mind")."""
    first_clause = _CLAUSE.split(text.strip(), maxsplit=1)[0]
    if first_clause.strip() != text.strip() and _core(normalized(first_clause).split()) \
            in CANCEL_PHRASES:
        return True
    words = normalized(text).split()
    if not words or len(words) > MOST_WORDS:
        return False
    if _core(words) in CANCEL_PHRASES:
        return True
    padded = f" {' '.join(words)} "
    return any(" " in phrase and f" {phrase} " in padded for phrase in CANCEL_PHRASES)


def _core(words: list[str]) -> str:
    """The words without the fillers around them."""
    start, end = 0, len(words)
    while start < end and words[start] in FILLERS:
        start += 1
    while end > start and words[end - 1] in FILLERS:
        end -= 1
    return " ".join(words[start:end])
