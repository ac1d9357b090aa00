"""The console in the agent's language: gettext catalogues (console/locale/*/console.po,
compiled when first loaded, so no binary file is kept), the agent's choice or else the
browser's, and dates and numbers formatted per locale with Babel."""

from __future__ import annotations

import io
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from aiohttp import web
from babel import Locale, negotiate_locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from console.identity import AGENT

LOCALES = ("nl", "de", "en")
NAMES = {"nl": "Nederlands", "de": "Deutsch", "en": "English"}
DEFAULT = "en"
DOMAIN = "console"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def N_(text: str) -> str:
    """Mark a text for the catalogue; it is translated where it is shown."""
    return text


def _po(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalogue of a console locale (English is the source: no catalogue)."""
    if locale == DEFAULT or not _po(locale).exists():
        return NullTranslations()
    with _po(locale).open("rb") as po:
        catalog = read_po(po, locale=locale, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)


@cache
def js_texts(locale: str) -> dict[str, Any]:
    """The translations of the texts the console's scripts use (`SB.t`, `SB.tn`), by
    English text; plurals as `"one|other": [one, other]`."""
    if locale == DEFAULT or not _po(locale).exists():
        return {}
    with _po(locale).open("rb") as po:
        catalog = read_po(po, locale=locale, domain=DOMAIN)
    texts: dict[str, Any] = {}
    for message in catalog:
        if not message.id or not any(path.endswith(".js") for path, _ in message.locations):
            continue
        if isinstance(message.id, tuple):
            texts["|".join(message.id)] = [str(form) for form in message.string or ()]
        elif message.string:
            texts[str(message.id)] = message.string
    return texts


def request_locale(request: web.Request) -> str:
    """The agent's chosen language, else the best match of the browser's, else English."""
    agent = request.get(AGENT)
    if agent is not None and agent.locale in LOCALES:
        return str(agent.locale)
    wanted = [part.split(";")[0].strip().replace("-", "_")
              for part in request.headers.get("Accept-Language", "").split(",") if part]
    return negotiate_locale(wanted, list(LOCALES), sep="_") or DEFAULT


def translate(request: web.Request, text: str, **values: object) -> str:
    """`text` in the request's console language, `{placeholders}` filled in."""
    translated = translations(request_locale(request)).gettext(text)
    return translated.format(**values) if values else translated


def error_text(request: web.Request, error: Exception) -> str:
    """An action's error in the request's language: a `DeskError`'s template translated
    and filled in (state words too), anything else as it is."""
    template, values = getattr(error, "template", None), getattr(error, "values", {})
    if not isinstance(template, str):
        return str(error)
    words = {key: translate(request, value)
             if isinstance(value, str) and (key == "state" or value == "nobody") else value
             for key, value in values.items()}
    return translate(request, template, **words) if words else translate(request, template)


def formatters(locale: str) -> dict[str, Any]:
    """Jinja filters for dates, times and numbers in `locale`."""
    babel_locale = Locale.parse(locale)

    def when(value: datetime, width: str = "medium") -> str:
        return format_datetime(value, width, tzinfo=value.tzinfo, locale=babel_locale)

    def day(value: Any, width: str = "medium") -> str:
        return format_date(value, width, locale=babel_locale)

    def number(value: float, digits: int = 0) -> str:
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, pattern, locale=babel_locale)

    return {"datetime": when, "date": day, "number": number}
