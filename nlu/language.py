"""The conversation's language: Dutch, German or English, and when it may change.

A conversation keeps its language until the customer writes a clear sentence in another
one, or asks for another one ("in English please", "auf Deutsch bitte"). E-mail
addresses, URLs, phone, serial and ticket numbers, quoted error messages, single words
and button presses never change it: lingua alone flips on such text (a German customer
typing a serial number got English replies), so a switch also needs the small words
(pronouns, articles, auxiliaries) that only the new language uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

_CODES = {Language.DUTCH: "nl", Language.GERMAN: "de", Language.ENGLISH: "en"}


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words that occur in one of the three languages only (shared ones like "is", "die",
# "was", "in", "of", "hallo", "ja" are left out on purpose).
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "nl": _word_set("""ik je jij jou jouw uw het een niet mijn m'n ons onze wij jullie
        zijn wat hoe wel ook maar dat voor met van naar kan kunnen graag bij heb hebt
        hebben heeft geen nog dit deze te toch al moet moeten wil wilt willen zou
        waar wanneer waarom welke nee alsjeblieft alstublieft bedankt wordt worden
        iemand niets niks mij hem haar zij hun"""),
    "de": _word_set("""ich nicht und ist mein meine meinen meinem ein eine einen einem
        haben habe hat wir euch sie kann können bitte für mit von auf noch kein keine
        keinen das der dem zu es sich mich mir uns unser unsere euer eure eurer euren
        eurem wird bin sind auch aber oder wenn warum wo wann nein danke gibt geht schon
        jetzt mal doch dass bei nach über vom zum zur jemand nichts möchte möchten würde
        könnt ihr"""),
    "en": _word_set("""i my the and not can you have has please with for to it this that
        what how our your do does did are be would could there when why where which on
        at just get got thanks yes no someone anyone nothing want need should don't
        dont doesn't doesnt didn't didnt isn't can't cant won't i'm it's i've"""),
}

# How customers name the three languages, in any of the three.
_LANGUAGE_NAMES = {
    "nl": ("dutch", "nederlands", "niederländisch", "niederlaendisch", "holländisch",
           "hollaendisch", "hollands", "vlaams", "flemish", "flämisch"),
    "de": ("german", "deutsch", "duits", "duitsch"),
    "en": ("english", "englisch", "engels", "engl"),
}
_NAME_TO_CODE = {name: code for code, names in _LANGUAGE_NAMES.items() for name in names}
_NEGATIONS = _word_set("""not don't dont doesn't doesnt can't cant cannot no never kein
    keine keinen nicht kaum geen niet nauwelijks""")
# Words that make a mention of a language a request to talk in it.
_REQUEST_CUES = _word_set("""speak speaks talk write answer reply respond continue switch
    change language languages spreek spreekt spreken praten schrijf schrijven antwoord
    antwoorden verder overschakelen overstappen taal sprechen sprichst sprecht spricht
    schreib schreiben schreibt antworte antworten antwortet weiter wechseln sprache
    reden kommunizieren""")
_REQUEST_OPENINGS = ("kan het", "mag het", "kann es", "kann man", "geht das", "geht es",
                     "can we", "could we", "kunnen we", "können wir", "koennen wir")
# What may stand around a language's name in a request as short as "auf Deutsch bitte".
_FILLERS = _word_set("""in het op auf bitte graag please pls plz alsjeblieft alstublieft
    aub a u b svp ok okay oke dan then dann also liever lieber rather preferably only alleen
    nur sorry entschuldigung ja yes nee no nein gern gerne mag kan kann es ik ich i
    we wir nu jetzt now from here on hierna ab jetzt the rest weiter verder""")

# Text that is no language at all: e-mail, URLs, anything with a digit (phone, serial,
# ticket and order numbers, model names) and quoted error messages.
_NOT_LANGUAGE = re.compile(
    r"\S+@\S+|(?:https?://|www\.)\S+|\S*\d\S*|\"[^\"]*\"|“[^”]*”|„[^“”]*[“”]|«[^»]*»",
)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


@dataclass(frozen=True)
class LanguageGuess:
    """The most likely language and how sure the detector is (0..1)."""

    code: str
    confidence: float


def words_of(text: str) -> list[str]:
    """The lower-cased words of `text` that carry language (no addresses or numbers)."""
    return _WORD.findall(_NOT_LANGUAGE.sub(" ", text).lower())


def requested_language(text: str) -> str | None:
    """The language the customer asks to be answered in, or None.

    "auf Deutsch bitte", "in het Nederlands", "can we continue in English?" are requests;
    "ich spreche kein Englisch" and "is the manual available in German?" are not."""
    words = _WORD.findall(text.lower())
    asked = {_NAME_TO_CODE[word] for i, word in enumerate(words)
             if word in _NAME_TO_CODE and not _NEGATIONS.intersection(words[max(0, i - 3):i])}
    if len(asked) != 1:
        return None
    lowered = " ".join(words)
    others = [word for word in words if word not in _NAME_TO_CODE]
    is_request = (not set(others) - _FILLERS or bool(_REQUEST_CUES.intersection(words))
                  or lowered.startswith(_REQUEST_OPENINGS))
    return asked.pop() if is_request else None


# The rest of a message that does nothing but ask for a language.
_REQUEST_ONLY_WORDS = _FILLERS | _REQUEST_CUES | _NEGATIONS | _word_set("""can could would
    you u we sie ihr du jullie jij je kunnen kunt kun können koennen könnt kannst kan man
    das ook auch too do does vanaf ab me mij mich mir with mit met us uns ons just maybe
    like prefer i'd ich'd hallo hello hi hoi hey sorry excuse entschuldigung sein zijn
    be is ist spreche spreken language""")


def asks_only_for_language(text: str) -> bool:
    """Whether the message does nothing but ask for a language ("English please", "können
    Sie auf Englisch antworten?"), so that a confirmation answers it fully."""
    words = _WORD.findall(text.lower())
    rest = {word for word in words if word not in _NAME_TO_CODE}
    return requested_language(text) is not None and not rest - _REQUEST_ONLY_WORDS


def function_word_votes(words: list[str]) -> dict[str, int]:
    """How many of `words` belong to each language only."""
    return {code: sum(word in vocabulary for word in words)
            for code, vocabulary in FUNCTION_WORDS.items()}


def _clear_vote(votes: dict[str, int]) -> str | None:
    """The language of at least two of the small words when no other has as many: a
    first message full of brand names ("welke smartphone moet ik kopen, iphone of
    samsung?") fools the detector, not the words around them."""
    ranked = sorted(votes.items(), key=lambda vote: -vote[1])
    best, runner_up = ranked[0], ranked[1]
    return best[0] if best[1] >= 2 and best[1] > runner_up[1] else None


class LanguageIdentifier:
    """Detects nl/de/en; short or ambiguous messages keep the conversation's language."""

    def __init__(self, switch_confidence: float = 0.70, min_letters: int = 12,
                 high_accuracy: bool = False, min_words: int = 3) -> None:
        builder = LanguageDetectorBuilder.from_languages(*_CODES)
        if not high_accuracy:
            builder = builder.with_low_accuracy_mode()  # ~12 MB instead of ~140 MB
        self._detector: LanguageDetector = builder.with_preloaded_language_models().build()
        self._switch_confidence = switch_confidence
        self._min_letters = min_letters
        self._min_words = min_words

    def guess(self, text: str) -> LanguageGuess | None:
        """Return the best guess with its confidence, or None for text without letters."""
        if not any(ch.isalpha() for ch in text):
            return None
        values = self._detector.compute_language_confidence_values(text)
        if not values:
            return None
        best = values[0]
        return LanguageGuess(_CODES[best.language], float(best.value))

    def detect(self, text: str, current: str | None = None, default: str = "en",
               pressed: bool = False) -> str:
        """Return the conversation's language after `text`.

        A button press keeps `current`; an explicit request switches; otherwise the
        language changes only on a clear sentence: enough words, detected with
        confidence, and more words that only the new language uses than the old."""
        if pressed:
            return current or default
        requested = requested_language(text)
        if requested is not None:
            return requested
        words = words_of(text)
        guess = self.guess(" ".join(words))
        if guess is None:
            return current or default
        votes = function_word_votes(words)
        if current is None:
            letters = sum(len(word) for word in words)
            sure = letters >= self._min_letters or votes[guess.code] > 0
            if sure and votes[guess.code] == max(votes.values()):
                return guess.code
            return _clear_vote(votes) or default
        return guess.code if self._clear_switch(words, guess, votes, current) else current

    def _clear_switch(self, words: list[str], guess: LanguageGuess, votes: dict[str, int],
                      current: str) -> bool:
        """Whether `words` are clearly a sentence in `guess`'s language, not `current`'s."""
        if guess.code == current or len(words) < self._min_words:
            return False
        ahead = votes[guess.code] - votes.get(current, 0)
        if guess.confidence >= self._switch_confidence and votes[guess.code] >= 2 and ahead > 0:
            return True
        # A longer sentence with few small words ("Sekunden einfach wieder aus").
        return len(words) >= self._min_words + 2 and guess.confidence >= 0.95 \
            and votes[guess.code] >= 1 and votes.get(current, 0) == 0
