"""What the warranty form reads from a customer's own words: the fault in the first
message and typed answers to "directly from us or through a reseller?"."""

from __future__ import annotations

import pytest

from actions.warranty import WarrantyForm, fault_clause, spot_fault
from tests.turns import turn_saying

BOUGHT = next(slot for slot in WarrantyForm.slots if slot.name == "bought")


@pytest.mark.parametrize(("text", "product", "expected"), [
    ("my VX-220 intercom died, can I get it repaired under warranty", "VX-220",
     "my VX-220 intercom died"),
    ("Mein Drucker IS-710 ist kaputt, Garantie?", "IS-710", "Mein Drucker IS-710 ist kaputt"),
    ("hallo, de camera blijft zwart sinds gisteren. valt dat onder de garantie?", "",
     "de camera blijft zwart sinds gisteren"),
    ("my laptop screen flickers, is that covered by warranty", "",
     "my laptop screen flickers"),
    ("Mein Router RX-300 hat den Geist aufgegeben. Garantie?", "RX-300",
     "Mein Router RX-300 hat den Geist aufgegeben"),
])
def test_the_fault_is_taken_from_the_first_message(text: str, product: str,
                                                   expected: str) -> None:
    assert fault_clause(text, product) == expected


@pytest.mark.parametrize(("text", "product"), [
    ("Ich möchte einen Garantiefall melden, das Gerät ist defekt", ""),
    ("mijn NetBox 500 is kapot, valt dat onder garantie?", "NetBox 500"),
    ("my device is broken", ""),
    ("I want to file a warranty claim", ""),
])
def test_a_first_message_that_only_says_broken_leaves_the_fault_question(
        text: str, product: str) -> None:
    assert fault_clause(text, product) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("direct", "direct"), ("rechtstreeks bij jullie", "direct"), ("direkt", "direct"),
    ("directly from you", "direct"), ("in jullie webshop", "direct"),
    ("via de winkel", "reseller"), ("Über einen Händler", "reseller"),
    ("bei einem Fachhändler", "reseller"), ("through a reseller", "reseller"),
    ("at a shop in town", "reseller"), ("bij een dealer", "reseller"),
])
def test_a_typed_answer_to_where_it_was_bought_is_understood(text: str, expected: str) -> None:
    assert BOUGHT.extract(turn_saying(text)) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("VX-220, the display is cracked", "the display is cracked"),
    ("serienummer NB500-2231, en het scherm blijft zwart", "het scherm blijft zwart"),
    ("IS-710. Er startet ständig neu", "Er startet ständig neu"),
    ("Typ: AX-9, das Netzteil riecht verbrannt und raucht",
     "das Netzteil riecht verbrannt und raucht"),
    ("VX-220, the fan is very loud and then it shuts down",
     "the fan is very loud and then it shuts down"),
    ("NetBox 300. De ventilator maakt veel lawaai", "De ventilator maakt veel lawaai"),
])
def test_a_fault_said_in_passing_is_spotted_in_any_message(text: str, expected: str) -> None:
    found = spot_fault(turn_saying(text))
    assert found is not None and found.value == expected and not found.sure


def test_a_message_without_a_fault_spots_none() -> None:
    assert spot_fault(turn_saying("SN: VX220-55012")) is None
