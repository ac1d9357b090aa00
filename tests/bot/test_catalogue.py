"""The message catalogue: every text in every language, same placeholders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.catalogue import CATALOGUE_DIR, Catalogue, CatalogueError
from bot.config import CompanySettings

VALUES = CompanySettings().placeholders()


def test_texts_are_filled_with_company_values() -> None:
    catalogue = Catalogue.load(VALUES)
    assert "Example Systems" in catalogue.text("de", "greet")
    assert VALUES["emergency_phone"] in catalogue.text("nl", "closed_now", reason="het is weekend",
                                                         opening="maandag")


def test_a_missing_value_is_a_clear_error() -> None:
    catalogue = Catalogue.load(VALUES)
    with pytest.raises(KeyError, match=r"needs a value for \{reference\}"):
        catalogue.text("en", "handoff_open")


def test_a_key_missing_in_one_language_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, folder)
    path = folder / "nl.yml"
    path.write_text("\n".join(line for line in path.read_text().splitlines()
                              if not line.startswith("thank:")) + "\n")
    with pytest.raises(CatalogueError, match=r"nl\.yml: keys differ.*thank"):
        Catalogue.load(VALUES, folder)
