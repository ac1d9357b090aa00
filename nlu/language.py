"""Language detection restricted to Dutch, German and English (lingua)."""

from __future__ import annotations

from dataclasses import dataclass

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

_CODES = {Language.DUTCH: "nl", Language.GERMAN: "de", Language.ENGLISH: "en"}


@dataclass(frozen=True)
class LanguageGuess:
    """The most likely language and how sure the detector is (0..1)."""

    code: str
    confidence: float


class LanguageIdentifier:
    """Detects nl/de/en; short or ambiguous messages keep the conversation's language."""

    def __init__(self, switch_confidence: float = 0.80, min_letters: int = 12,
                 high_accuracy: bool = False) -> None:
        builder = LanguageDetectorBuilder.from_languages(*_CODES)
        if not high_accuracy:
            builder = builder.with_low_accuracy_mode()  # ~12 MB instead of ~140 MB
        self._detector: LanguageDetector = builder.with_preloaded_language_models().build()
        self._switch_confidence = switch_confidence
        self._min_letters = min_letters

    def guess(self, text: str) -> LanguageGuess | None:
        """Return the best guess with its confidence, or None for text without letters."""
        values = self._detector.compute_language_confidence_values(text)
        if not values or not any(ch.isalpha() for ch in text):
            return None
        best = values[0]
        return LanguageGuess(_CODES[best.language], float(best.value))

    def detect(self, text: str, current: str | None = None, default: str = "en") -> str:
        """Return the language of `text`, staying with `current` unless the text is clearly
        in another language (long enough and confidently detected)."""
        guess = self.guess(text)
        if guess is None:
            return current or default
        letters = sum(ch.isalpha() for ch in text)
        clear = letters >= self._min_letters and guess.confidence >= self._switch_confidence
        if current is None:
            return guess.code if clear or letters >= self._min_letters else default
        return guess.code if clear else current
