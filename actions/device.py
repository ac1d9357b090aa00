"""What identifies a device in a warranty claim: its product or model and its serial
number, read the way customers write them ("Produkt: IS-710", "serienummer is
pf3x9kq2", "SN: AB-1234/56", "my VX-220 intercom died") in Dutch, German and English."""

from __future__ import annotations

import re

from actions.extract import free_text
from bot.forms import Found
from bot.turn import Turn

# As printed on labels: letters, digits, hyphens, slashes and dots, 4 to 30 characters.
SERIAL = re.compile(r"[A-Z0-9](?:[A-Z0-9./-]{2,28})[A-Z0-9]", re.IGNORECASE)
_SERIAL_LABEL = (r"(?:s\s?/\s?n|sn|serial(?:\s?(?:number|no\.?|nr\.?|#))?|"
                 r"seri(?:e|en)?n?umm?er|serien?nr\.?|ser\.?\s?nr\.?|serie\s?nummer)")
_LABELLED_SERIAL = re.compile(
    _SERIAL_LABEL + r"(?![A-Za-z0-9])\.?(?:\s+(?:is|ist|was|lautet|luidt|=))?\s*[:=#]?\s*"
    r"(?P<value>[A-Za-z0-9][A-Za-z0-9./-]*(?:\s(?=[A-Za-z0-9./-]*\d)[A-Za-z0-9./-]+)*)",
    re.IGNORECASE)
_PRODUCT_LABEL = re.compile(
    r"(?<!\w)(?:produkt|product|model|modell|type|typ|gerät|geraet|apparaat|device)"
    r"(?:\s+(?:is|ist|heißt|heet))?\s*[:=]\s*(?P<value>[^,;\n]+?)\s*(?=$|[,;.\n]|\s(?:und|en|and)\s)",
    re.IGNORECASE)
_MODEL_CODE = re.compile(
    r"(?<![\w-])(?:(?:[A-Z][a-z]+[A-Z][A-Za-z]*)\s(?:[A-Z]{1,6}-?\d{1,5}[A-Z]{0,3}|\d{2,5})"
    r"|[A-Z]{1,6}-?\d{1,5}[A-Z]{0,3})(?![\w-])")
# A model typed in lower case after "my": "mein netbox 500", "mijn cx-20".
_OWNED_MODEL = re.compile(
    r"\b(?:my|our|mein|meine|meinen|unser|unsere|unseren|mijn|m'n|mn|onze)\s+"
    r"(?P<value>[a-z]{2,12}(?:\s\d{2,5}|-\d{1,5}[a-z]{0,3}))(?![\w-])", re.IGNORECASE)
# A group of a serial written with spaces: "AB 1234 5678".
_SERIAL_GROUP = re.compile(r"[A-Za-z0-9./-]*\d[A-Za-z0-9./-]*|[A-Z]{1,4}")
_TICKET = re.compile(r"^T-?\d{4,}$", re.IGNORECASE)


def valid_serial(candidate: str) -> str | None:
    """The serial as stored (upper case, no spaces), or None if it is none."""
    compact = candidate.strip().strip(".").replace(" ", "").upper()
    if SERIAL.fullmatch(compact) and any(ch.isdigit() for ch in compact):
        return compact
    return None


def spot_serial(turn: Turn) -> Found | None:
    """A serial number with its label ("SN: ...", "serienummer is ..."), in any message."""
    at = 0
    while (match := _LABELLED_SERIAL.search(turn.text, at)) is not None:
        if (value := valid_serial(match.group("value"))) is not None:
            return Found(value, match.span())
        at = match.start() + 1  # "serial SN: ...": the label may come next
    return None


def serial(turn: Turn) -> str | None:
    """A serial number as the answer to the serial question: labelled, the whole message,
    or the one label-like word in a sentence ("it's PF3X9KQ2 I think")."""
    if (labelled := spot_serial(turn)) is not None:
        return labelled.value
    words = turn.text.strip()
    if (len(words.split()) == 1 or all(_SERIAL_GROUP.fullmatch(w) for w in words.split())) and \
            (whole := valid_serial(words)) is not None:
        return whole
    candidates = [value for word in re.split(r"[\s,;:!?()]+", words)
                  if (value := valid_serial(word)) is not None and not _TICKET.match(value)]
    if candidates:
        return max(candidates, key=len)
    entity = turn.parse.first("serial_number") if turn.parse else None
    return valid_serial(entity) if entity else None


def spot_product(turn: Turn) -> Found | None:
    """A product: labelled ("Produkt: IS-710") replaces an earlier one; a model code
    ("VX-220", "ThinkPad T14") or a model the NLU model found only fills an empty slot."""
    if (labelled := _PRODUCT_LABEL.search(turn.text)) is not None:
        value = labelled.group("value").strip()
        if 1 <= len(value.split()) <= 6:
            return Found(value, labelled.span())
    for code in _MODEL_CODE.finditer(turn.text):
        if not _TICKET.match(code.group(0)):
            return Found(code.group(0), code.span(), sure=False)
    if (owned := _OWNED_MODEL.search(turn.text)) is not None:
        return Found(owned.group("value"), owned.span("value"), sure=False)
    entity = turn.parse.first("product") if turn.parse else None
    if entity and any(ch.isdigit() for ch in entity):
        return Found(entity, None, sure=False)
    return None


def product(turn: Turn) -> str | None:
    """The product as the answer to the product question: found as above, else the text."""
    found = spot_product(turn)
    return found.value if found else free_text(turn)
