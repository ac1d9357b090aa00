"""`warranty_claim`: product, serial number, fault, where it was bought, optional photo."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from actions import extract
from bot.forms import Form, Slot
from bot.turn import Turn

_RESELLER_WORDS = ("reseller", "wederverkoper", "dealer", "händler", "haendler", "partner",
                   "winkel", "shop", "laden", "verkoper", "leverancier", "via ")
_DIRECT_WORDS = ("direct", "rechtstreeks", "direkt", "bij jullie", "bei ihnen", "bei euch",
                 "from you", "van jullie", "webshop", "online bei", "zelf bij")


def photo(turn: Turn) -> str | None:
    """The reference of the first attachment the customer sent, if any."""
    return str(turn.attachments[0]["reference"]) if turn.attachments else None


class WarrantyForm(Form):
    name = "warranty_claim"
    slots = (
        Slot("product", "warranty_ask_product", extract.product),
        Slot("serial", "warranty_ask_serial", extract.serial, invalid="warranty_invalid_serial",
             structured=True),
        Slot("fault", "warranty_ask_fault", extract.free_text),
        Slot("bought", "warranty_ask_reseller",
             extract.choice(("reseller", _RESELLER_WORDS), ("direct", _DIRECT_WORDS)),
             structured=True,
             choices=(("=direct", "warranty_choice_direct"),
                      ("=reseller", "warranty_choice_reseller"))),
        Slot("photo", "warranty_ask_photo", photo, optional=True),
    )

    def prefill(self, turn: Turn) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if turn.parse and (product := turn.parse.first("product")):
            values["product"] = product
        if turn.parse and turn.parse.first("serial_number"):
            values["serial"] = extract.serial(turn)
        if turn.attachments:
            values["photo"] = photo(turn)
        return values

    def confirmation(self, turn: Turn, values: Mapping[str, Any]) -> str:
        return turn.t("warranty_confirm", product=values["product"], serial=values["serial"],
                      fault=values["fault"], channel=turn.t(f"warranty_channel_{values['bought']}"))

    async def submit(self, turn: Turn, values: Mapping[str, Any]) -> None:
        details = {key: values.get(key) or None for key in ("product", "serial", "fault", "bought")}
        details["attachments"] = [values["photo"]] if values.get("photo") else []
        ticket = await turn.services.desk.open_ticket(
            turn.session, kind="warranty", customer=turn.customer,
            conversation=turn.conversation,
            subject=f"Warranty: {values['product']} ({values['serial']})", details=details,
            now=turn.now,
        )
        turn.ticket = ticket.reference
        key = "warranty_created_reseller" if values["bought"] == "reseller" else "warranty_created"
        turn.say(key, reference=ticket.reference)
