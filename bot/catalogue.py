"""The message catalogue: every bot text in Dutch, German and English (bot/catalogue/*.yml)."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from pathlib import Path

import yaml

from nlu.taxonomy import LANGUAGES

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class CatalogueError(Exception):
    """The catalogue files are inconsistent; the message names the file and key."""


class Catalogue:
    """Looks up texts by key and language and fills in company values and turn values."""

    def __init__(self, texts: Mapping[str, Mapping[str, str]], company: Mapping[str, str]) -> None:
        self._texts = texts
        self._company = dict(company)

    @classmethod
    def load(cls, company: Mapping[str, str], folder: Path = CATALOGUE_DIR) -> Catalogue:
        """Read and validate all three languages: same keys, same placeholders.

        Raises:
            CatalogueError: naming the file and the key at fault.
        """
        texts: dict[str, dict[str, str]] = {}
        for lang in LANGUAGES:
            path = folder / f"{lang}.yml"
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError) as error:
                raise CatalogueError(f"{path}: {error}") from error
            if not isinstance(data, dict):
                raise CatalogueError(f"{path}: expected a mapping of keys to texts")
            texts[lang] = {str(key): str(value) for key, value in data.items()}
        reference = texts["en"]
        for lang, entries in texts.items():
            missing = sorted(set(reference) ^ set(entries))
            if missing:
                raise CatalogueError(f"{folder / lang}.yml: keys differ from en.yml: {missing}")
            for key, value in entries.items():
                if set(_PLACEHOLDER.findall(value)) != set(_PLACEHOLDER.findall(reference[key])):
                    raise CatalogueError(f"{folder / lang}.yml: placeholders of {key!r} differ")
        return cls(texts, company)

    def keys(self) -> set[str]:
        return set(self._texts["en"])

    def text(self, lang: str, key: str, **values: object) -> str:
        """Return the text for `key` in `lang`, placeholders filled."""
        template = self._texts.get(lang, self._texts["en"])[key]
        filled = {**self._company, **{name: str(value) for name, value in values.items()}}
        return string.Formatter().vformat(template, (), _Strict(filled, key))


class _Strict(dict[str, str]):
    def __init__(self, values: Mapping[str, str], key: str) -> None:
        super().__init__(values)
        self._key = key

    def __missing__(self, name: str) -> str:
        raise KeyError(f"catalogue text {self._key!r} needs a value for {{{name}}}")
