"""What a form reads in the text of a message besides slot values: whether it is a
question, and what is left of it once the details it gave are taken out."""

from __future__ import annotations

from bot.cancel import normalized

QUESTION_WORDS = frozenset({
    "wann", "wie", "was", "wo", "warum", "welche", "kann", "können", "gibt", "habt", "haben",
    "wanneer", "hoe", "wat", "waar", "waarom", "welke", "kan", "kunnen", "zijn", "hebben",
    "when", "how", "what", "where", "why", "which", "can", "could", "do", "does", "is", "are",
})
_EDGE_WORDS = frozenset({"and", "the", "my", "is", "en", "het", "de", "mijn", "und", "die",
                         "der", "das", "mein", "ist", "also", "ook", "auch"})


def looks_like_question(text: str) -> bool:
    """A question mark at the end, or a question word first ("wann", "hoe", "what")."""
    words = normalized(text).split()
    return text.strip().endswith("?") or bool(words and words[0] in QUESTION_WORDS)


def remainder(text: str, spans: list[tuple[int, int]]) -> str:
    """The text without the spans already read as other slots ("ThinkPad T14, serienummer
    PF3X9KQ2" less the serial is "ThinkPad T14"), trimmed of joining words."""
    for start, end in sorted(spans, reverse=True):
        text = f"{text[:start]} {text[end:]}"
    words = text.replace(",", " , ").split()
    while words and (words[0] in ",;:-" or words[0].lower() in _EDGE_WORDS):
        words.pop(0)
    while words and (words[-1] in ",;:-" or words[-1].lower() in _EDGE_WORDS):
        words.pop()
    return " ".join(words).replace(" , ", ", ").strip(" ,;:-")


def overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two spans of a text share a character."""
    return a[0] < b[1] and b[0] < a[1]
