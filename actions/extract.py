"""Slot extractors shared by the forms: phone numbers, e-mail addresses, serials, text."""

from __future__ import annotations

import re

import phonenumbers

from bot.turn import Turn

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_SERIAL = re.compile(r"^(?:s/?n[:\s]*)?([A-Za-z0-9][A-Za-z0-9/-]{4,23})$", re.IGNORECASE)
DEFAULT_REGION = "NL"


def parse_phone(text: str, region: str = DEFAULT_REGION) -> phonenumbers.PhoneNumber | None:
    """Parse and validate a phone number; numbers without a country code use `region`."""
    for match in phonenumbers.PhoneNumberMatcher(text, region):
        if phonenumbers.is_valid_number(match.number):
            return match.number
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def phone(turn: Turn) -> str | None:
    """E.164 form of the phone number in the message (entity first, then the whole text)."""
    candidates = [turn.parse.first("phone_number")] if turn.parse else []
    for candidate in [*candidates, turn.text]:
        if candidate and (number := parse_phone(candidate)) is not None:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def display_phone(e164: str) -> str:
    """An E.164 number in the international format people read: `+31 20 555 0142`."""
    return phonenumbers.format_number(phonenumbers.parse(e164),
                                      phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def email(turn: Turn) -> str | None:
    found = _EMAIL.search(turn.text)
    return found.group(0) if found else None


def serial(turn: Turn) -> str | None:
    entity = turn.parse.first("serial_number") if turn.parse else None
    if entity:
        return entity.strip()
    compact = turn.text.strip().replace(" ", "")
    match = _SERIAL.match(compact)
    if match and any(ch.isdigit() for ch in match.group(1)):
        return match.group(1).upper()
    return None


def free_text(turn: Turn) -> str | None:
    text = turn.text.strip()
    return text if len(text) >= 2 and not text.startswith("=") else None


def product(turn: Turn) -> str | None:
    entity = turn.parse.first("product") if turn.parse else None
    return entity or free_text(turn)


def choice(*options: tuple[str, tuple[str, ...]]) -> ChoiceExtractor:
    """An extractor for buttons (`=value`) that also understands typed keywords."""
    return ChoiceExtractor(options)


class ChoiceExtractor:
    def __init__(self, options: tuple[tuple[str, tuple[str, ...]], ...]) -> None:
        self._options = options

    def __call__(self, turn: Turn) -> str | None:
        if turn.choice:
            value = turn.choice.removeprefix("=")
            return value if any(value == name for name, _ in self._options) else None
        words = turn.text.lower()
        for name, keywords in self._options:
            if any(keyword in words for keyword in keywords):
                return name
        return None
