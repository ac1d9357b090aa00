"""Slot extractors shared by the forms: phone numbers, e-mail addresses, choices, text.

Each detail has two readers: one for a message that answers the form's question (the
whole message is the answer) and a `spot_*` one that finds the detail in any message,
with where it stood, so details given early, late or several at once are all taken.
Serial numbers and products are read in `actions/labels.py`.
"""

from __future__ import annotations

import re

import phonenumbers

from bot.forms import Found
from bot.turn import Turn

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
DEFAULT_REGION = "NL"
# The countries a language's customers most likely dial from. English: a number valid in
# the UK starts with 0, one valid in North America never does, so both can be tried.
LANGUAGE_REGIONS = {"nl": ("NL",), "de": ("DE",), "en": ("GB", "US")}


def regions_for(turn: Turn) -> list[str]:
    """The countries to read a national number with, most likely first: that of a number
    we already know (the customer's phone, their WhatsApp number), then the language's.
    Never more: a number incomplete at home may well be valid somewhere else."""
    known = [turn.customer.phone]
    if turn.conversation.channel == "whatsapp":
        known.append("+" + re.sub(r"\D", "", turn.customer.external_id))
    regions: list[str] = []
    for number in known:
        region = _region_of(number) if number else None
        if region and region not in regions:
            regions.append(region)
    for region in LANGUAGE_REGIONS.get(turn.lang, (DEFAULT_REGION,)):
        if region not in regions:
            regions.append(region)
    return regions


def _region_of(e164: str) -> str | None:
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        return None


def find_phone(text: str, regions: list[str] | tuple[str, ...] = (DEFAULT_REGION,)
               ) -> tuple[phonenumbers.PhoneNumber, tuple[int, int]] | None:
    """The first valid phone number in the text and its span; a number without a country
    code is read with each region in turn (the customer's own first)."""
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(text, region):
            if phonenumbers.is_valid_number(match.number):
                return match.number, (match.start, match.end)
    return None


def parse_phone(text: str, region: str = DEFAULT_REGION) -> phonenumbers.PhoneNumber | None:
    """Parse and validate a phone number; numbers without a country code use `region`."""
    found = find_phone(text, (region,))
    return found[0] if found else None


def spot_phone(turn: Turn) -> Found | None:
    """A phone number anywhere in the message, in E.164 form."""
    found = find_phone(turn.text, regions_for(turn))
    if found is None:
        return None
    e164 = phonenumbers.format_number(found[0], phonenumbers.PhoneNumberFormat.E164)
    return Found(e164, found[1])


def phone(turn: Turn) -> str | None:
    """E.164 form of the phone number in the message."""
    found = spot_phone(turn)
    return found.value if found else None


def display_phone(e164: str) -> str:
    """An E.164 number in the international format people read: `+31 20 555 0142`."""
    return phonenumbers.format_number(phonenumbers.parse(e164),
                                      phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def spot_email(turn: Turn) -> Found | None:
    found = _EMAIL.search(turn.text)
    return Found(found.group(0).rstrip("."), found.span()) if found else None


def email(turn: Turn) -> str | None:
    found = spot_email(turn)
    return found.value if found else None


def free_text(turn: Turn) -> str | None:
    text = turn.text.strip()
    return text if len(text) >= 2 and not text.startswith("=") else None


def choice(*options: tuple[str, tuple[str, ...]]) -> ChoiceExtractor:
    """An extractor for buttons (`=value`) that also understands typed keywords."""
    return ChoiceExtractor(options)


class ChoiceExtractor:
    """Reads a pressed button or typed words; a keyword matches as a whole word with at
    most two more letters ("resellers", "Händlern"), and the option with the longest match
    wins, so "webshop" is not read as "shop"."""

    def __init__(self, options: tuple[tuple[str, tuple[str, ...]], ...]) -> None:
        self._options = options
        self._patterns = [(name, [re.compile(rf"(?<!\w){re.escape(k.strip())}\w{{0,2}}(?!\w)",
                                             re.IGNORECASE) for k in keywords])
                          for name, keywords in options]

    def __call__(self, turn: Turn) -> str | None:
        if turn.choice:
            value = turn.choice.removeprefix("=")
            return value if any(value == name for name, _ in self._options) else None
        found = self.spot(turn)
        return found.value if found else None

    def spot(self, turn: Turn) -> Found | None:
        """The option whose keyword stands in the text (longest keyword first)."""
        best: tuple[int, str, tuple[int, int]] | None = None
        for name, patterns in self._patterns:
            for pattern in patterns:
                if (match := pattern.search(turn.text)) and \
                        (best is None or len(match.group(0)) > best[0]):
                    best = (len(match.group(0)), name, match.span())
        return Found(best[1], best[2], sure=False) if best else None
