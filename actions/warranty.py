"""`warranty_claim`: product, serial number, fault, where it was bought, optional photo."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from actions import device, extract
from actions.mail_confirmation import confirm_by_mail
from bot.capabilities import PHOTOS
from bot.forms import Form, Found, Slot
from bot.turn import Turn

# Typed answers to "directly from us or through a reseller?"
_RESELLER_WORDS = ("reseller", "wederverkoper", "dealer", "händler", "haendler", "partner",
                   "winkel", "shop", "store", "laden", "verkoper", "leverancier", "via",
                   "fachhandel", "fachhändler", "elektronikmarkt", "mediamarkt", "retailer",
                   "indirect", "im handel",
                   "über einen", "ueber einen", "through a", "through")
_DIRECT_WORDS = ("direct", "directly", "rechtstreeks", "direkt", "bij jullie", "bei ihnen",
                 "bei euch", "from you", "van jullie", "webshop", "online bei", "zelf bij",
                 "your website", "your shop", "jullie webshop", "eurem shop", "ihrem shop")
# Said in passing in any message: only the unmistakable ones.
_BOUGHT_SPOTS = extract.choice(
    ("reseller", ("via een reseller", "via de winkel", "bij een winkel", "bij de winkel",
                  "bei einem händler", "beim händler", "im laden", "from a reseller",
                  "through a reseller", "via a reseller", "from a shop", "in a shop",
                  "via een dealer", "über einen händler", "bij een dealer")),
    ("direct", ("direct bij jullie", "rechtstreeks bij jullie", "direkt bei euch",
                "direkt bei ihnen", "directly from you", "bought it from you",
                "bij jullie gekocht", "bei euch gekauft", "bei ihnen gekauft")),
)
# What a fault sounds like; the clause that says it is the fault description.
_FAULT = re.compile(
    r"\b(?:kapot|stuk|defect|werkt niet|doet (het )?niet|doet niks|gaat niet|uit(gevallen)?\b|"
    r"kaputt|defekt|geht nicht|funktioniert nicht|startet nicht|ausgefallen|"
    r"broken|died|dead|not working|doesn'?t work|won'?t|stopped|fails?|failed|crash|"
    r"flicker\w*|flacker\w*|knipper\w*|stays black|bleibt schwarz|blijft zwart|"
    r"overheat\w*|überhitz\w*|oververhit\w*|reboot\w*|restarts?|startet .*neu|"
    r"crack\w*|gebarsten|gesprungen|gerissen|beschädigt|beschadigd|damaged|smashed|"
    r"geist aufgegeben|gave up|given up|quit working|het begeven|begeven|opgehouden|"
    r"no (power|sound|picture|signal)|keine?n? (strom|ton|bild)|geen (stroom|geluid|beeld)|"
    r"smok\w*|rauch\w*|rook\w*|rookt|brennt|burn\w*|brandlucht|stinkt|smells?|"
    r"loud|laut|lawaai\w*|noise|noisy|geräusch\w*|herrie|piept|piepst|beep\w*|"
    r"shuts? (down|off)|schaltet .*ab|valt .*uit|hangs|freez\w*|friert|hängt sich|"
    r"bevriest|won'?t charge|lädt nicht|laadt niet)",
    re.IGNORECASE)
_CLAIM_WORDS = re.compile(r"garantie|warranty|guarantee|repar|claim|melden|indienen|"
                          r"file|request|aanvragen|beantragen|ersetz|vervang|replace",
                          re.IGNORECASE)
_LEADING_JOIN = re.compile(r"\s*(?:(?:and|en|und|also|ook|auch|dann|then|dan)\s+)*",
                           re.IGNORECASE)
_GENERIC = frozenset({"das", "gerät", "ist", "the", "device", "is", "het", "apparaat",
                      "defekt", "kaputt", "broken", "stuk", "kapot", "defect", "my", "mein",
                      "mijn", "it", "es", "er", "hij", "een", "a", "ein", "und", "and",
                      "en", "at", "all", "meins", "mijne", "mine", "werkt", "niet", "geht",
                      "nicht", "funktioniert", "work", "works", "working", "not", "doesn't",
                      "does", "meer", "mehr", "anymore", "more", "no", "longer"})


def photo(turn: Turn) -> str | None:
    """The reference of the first attachment the customer sent, if any."""
    return str(turn.attachments[0]["reference"]) if turn.attachments else None


def spot_photo(turn: Turn) -> Found | None:
    reference = photo(turn)
    return Found(reference) if reference else None


def fault_clause(text: str, product: str = "") -> str | None:
    """The part of a message that says what is wrong ("my VX-220 intercom died"), unless
    it says nothing more than that the product is broken ("mijn NetBox 500 is kapot")."""
    found = _fault_span(text, product)
    return text[found[0]:found[1]] if found else None


def _fault_span(text: str, product: str) -> tuple[int, int] | None:
    start = 0
    for separator in [*re.finditer(r"[,.;!?]|\b(?:but|aber|maar)\b", text), None]:
        end = separator.start() if separator else len(text)
        clause = text[start:end]
        rest = clause.replace(product, " ") if product else clause
        words = re.findall(r"[\w'-]+", rest.lower())
        if _FAULT.search(clause) and not _CLAIM_WORDS.search(clause) and \
                not set(words) <= _GENERIC:
            joined = _LEADING_JOIN.match(clause)
            offset = joined.end() if joined else 0
            return start + offset, start + len(clause.rstrip())
        start = separator.end() if separator else end
    return None


def spot_fault(turn: Turn) -> Found | None:
    """What is wrong, said in passing in any message ("VX-220, the display is cracked")."""
    product = device.spot_product(turn)
    found = _fault_span(turn.text, product.value if product else "")
    return Found(turn.text[found[0]:found[1]], found, sure=False) if found else None


class WarrantyForm(Form):
    name = "warranty_claim"
    slots = (
        Slot("product", "warranty_ask_product", device.product, spot=device.spot_product),
        Slot("serial", "warranty_ask_serial", device.serial, spot=device.spot_serial,
             invalid="warranty_serial_invalid", structured=True, skippable=True),
        Slot("fault", "warranty_ask_fault", extract.free_text, spot=spot_fault,
             adds_detail=True),
        Slot("bought", "warranty_ask_reseller",
             extract.choice(("reseller", _RESELLER_WORDS), ("direct", _DIRECT_WORDS)),
             spot=_BOUGHT_SPOTS.spot, structured=True, on_affirm="direct",
             choices=(("=direct", "warranty_choice_direct"),
                      ("=reseller", "warranty_choice_reseller"))),
        Slot("photo", "warranty_ask_photo", photo, spot=spot_photo, optional=True,
             needs=PHOTOS, affirm_says="warranty_photo_send"),
    )

    def confirmation(self, turn: Turn, values: Mapping[str, Any]) -> str:
        return turn.t("warranty_confirm", product=values["product"],
                      serial=self.shown(turn, values["serial"]), fault=values["fault"],
                      channel=turn.t(f"warranty_channel_{values['bought']}"))

    async def submit(self, turn: Turn, values: Mapping[str, Any]) -> None:
        details = {key: values.get(key) or None for key in ("product", "serial", "fault", "bought")}
        details["attachments"] = [values["photo"]] if values.get("photo") else []
        serial = values["serial"] or "-"
        ticket = await turn.services.desk.open_ticket(
            turn.session, kind="warranty", customer=turn.customer,
            conversation=turn.conversation,
            subject=f"Warranty: {values['product']} ({serial})", details=details,
            now=turn.now,
        )
        turn.ticket = ticket.reference
        key = "warranty_created_reseller" if values["bought"] == "reseller" else "warranty_created"
        turn.say(key, reference=ticket.reference)
        await confirm_by_mail(turn, ticket.reference or "")
