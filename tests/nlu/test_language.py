"""The conversation's language: it stays put on data and short words, and changes on a
clear sentence in another language or on request."""

from __future__ import annotations

import pytest

from nlu.language import LanguageIdentifier, requested_language, words_of


@pytest.fixture(scope="module")
def identifier() -> LanguageIdentifier:
    return LanguageIdentifier()  # low-accuracy mode, as the engine uses it


# Messages that are data, single words or a few words: they never change the language.
KEEPS = {
    "nl": [
        "jan.devries@example.com",
        "mijn mailadres is jan.devries@example.com",
        "j.bakker@example.com graag",
        "+31 20 555 0142",
        "020-5550142",
        "06 5550 1234",
        "PF3X9KQ2",
        "ThinkPad T14, serienummer PF3X9KQ2",
        "SN: 4K7Q-2X91/B",
        "T-10234",
        "ticket T10234",
        "https://example.com/status",
        "www.example.com",
        "NetBox 500",
        "VX-220",
        "ok",
        "ja",
        "Thanks!",
        "Yes please",
        "ok super",
        "sorry",
        "Danke",
        "ok danke schön",
        "alles klar",
        "ja bitte",
        "super, merci",
        "top, thx",
        "mijn Outlook zegt Cannot connect to server",
        'er staat "The mailbox is full, please contact your administrator"',
        "Outlook 365 op Windows 11",
        "Apple Mail",
        "iPhone 15 Pro",
        "👍",
    ],
    "de": [
        "PF3X9KQ2",
        "ThinkPad T14, Seriennummer PF3X9KQ2",
        "Seriennummer: SN4K7Q2X91",
        "max.mustermann@example.com",
        "meine Mail ist max.mustermann@example.com",
        "+49 30 5550142",
        "0151 5550 1234",
        "T-10234",
        "https://example.com/faq",
        "IS-710",
        "NetBox 500",
        "ja",
        "ok",
        "nein",
        "Thanks",
        "Bedankt",
        "sorry",
        "Outlook 2019",
        "Windows 11 Pro",
        'Mein Outlook sagt "Cannot connect to the server"',
        "Fehlermeldung: „Authentication failed“",
        "Samsung Galaxy S23",
        "my serial is AB-1234/5",
        "thank you very much",
        "super, danke!",
        "🙂",
    ],
    "en": [
        "PF3X9KQ2",
        "john.smith@example.com",
        "my email is john.smith@example.com",
        "+44 20 7946 0018",
        "T-10234",
        "https://example.com",
        "NetBox 500",
        "yes",
        "ja",
        "danke",
        "bedankt",
        "hallo",
        "moin",
        "doei",
        "Ich",
        "Apple Mail",
        "Outlook",
        "Seriennummer SN4K7Q2X91",
        "serienummer PF3X9KQ2",
        "ok prima",
        "ja graag",
        "ja bitte",
        "Garantie",
        "👋",
    ],
}


@pytest.mark.parametrize(("current", "text"),
                         [(lang, text) for lang, texts in KEEPS.items() for text in texts])
def test_data_and_short_words_keep_the_language(identifier: LanguageIdentifier, current: str,
                                                text: str) -> None:
    assert identifier.detect(text, current) == current


# Clear sentences: the conversation follows the customer into the new language.
SWITCHES = {
    "nl": [
        "kunnen jullie mij terugbellen?",
        "Ik heb een vraag over mijn factuur",
        "de printer doet het niet meer sinds gisteren",
        "mijn mail werkt niet meer op mijn nieuwe laptop",
        "hoe laat zijn jullie morgen open?",
        "ik wil graag een klacht indienen over de monteur",
        "is er vandaag iemand bereikbaar voor een storing?",
        "mijn serienummer is PF3X9KQ2 en het apparaat gaat niet meer aan",
        "kan ik mijn wachtwoord zelf wijzigen of moet dat via jullie",
        "sorry, ik spreek geen duits, kan het in het nederlands?",
    ],
    "de": [
        "Ich habe eine Frage zu meiner Rechnung",
        "mein Drucker geht nicht mehr",
        "Hallo, ich brauche Hilfe mit meinem Drucker",
        "Können Sie mich bitte zurückrufen?",
        "wann seid ihr am Wochenende erreichbar?",
        "Ich möchte einen Garantiefall melden, das Gerät ist defekt",
        "Er geht nach zwei Sekunden einfach wieder aus",
        "meine Seriennummer ist SN4K7Q2X91 und das Display bleibt schwarz",
        "gibt es bei euch auch einen Wartungsvertrag?",
        "ich spreche kein Englisch",
    ],
    "en": [
        "Can you help me with my mail settings",
        "my printer stopped working yesterday",
        "when are you open on saturday?",
        "I would like to file a complaint about the engineer",
        "is anyone available today to help with our server?",
        "please call me back on +44 20 7946 0018",
        "my serial number is PF3X9KQ2 and the device won't turn on",
        "how much does an hour of support cost?",
        "I don't speak German, sorry",
        "we have a problem with our mail server since this morning",
    ],
}


@pytest.mark.parametrize(("new", "old", "text"), [
    (lang, old, text) for lang, texts in SWITCHES.items() for text in texts
    for old in ("nl", "de", "en") if old != lang])
def test_a_clear_sentence_in_another_language_switches(identifier: LanguageIdentifier,
                                                      new: str, old: str, text: str) -> None:
    assert identifier.detect(text, old) == new


REQUESTS = {
    "en": ["In English please", "english pls", "English?", "Can we continue in English?",
           "kunnen we in het engels verder", "können Sie auf Englisch antworten?",
           "sprechen Sie Englisch?", "do you speak english", "auf englisch bitte"],
    "de": ["auf Deutsch bitte", "Deutsch?", "nur deutsch bitte", "sprechen Sie Deutsch?",
           "can you answer in German", "kunnen jullie in het duits antwoorden",
           "spreken jullie ook duits?", "lieber auf Deutsch", "kann man auch deutsch reden"],
    "nl": ["in het Nederlands", "Nederlands graag", "in het nederlands alsjeblieft",
           "spreken jullie nederlands?", "can you reply in Dutch please",
           "kann es auch auf Niederländisch sein", "do you speak dutch",
           "sorry, ik spreek geen duits, kan het in het nederlands?", "hollands aub"],
}


@pytest.mark.parametrize(("wanted", "text"),
                         [(lang, text) for lang, texts in REQUESTS.items() for text in texts])
def test_asking_for_a_language_switches_to_it(identifier: LanguageIdentifier, wanted: str,
                                              text: str) -> None:
    assert requested_language(text) == wanted
    for current in ("nl", "de", "en"):
        assert identifier.detect(text, current) == wanted


@pytest.mark.parametrize("text", [
    "ich spreche kein Englisch",
    "I don't speak German",
    "ik spreek geen engels",
    "is the manual also available in German?",
    "hebben jullie de handleiding ook in het duits?",
    "Dutch keyboard",
    "my German colleague will call you tomorrow",
    "ich brauche ein englisches Tastaturlayout",
    "English and German",
])
def test_mentioning_a_language_is_not_asking_for_it(text: str) -> None:
    assert requested_language(text) is None


def test_a_button_press_never_changes_the_language(identifier: LanguageIdentifier) -> None:
    assert identifier.detect("Yes", "de", pressed=True) == "de"
    assert identifier.detect("Über einen Händler", "nl", pressed=True) == "nl"
    assert identifier.detect("Ja", None, default="nl", pressed=True) == "nl"


@pytest.mark.parametrize(("text", "expected"), [
    ("kunnen jullie mij terugbellen?", "nl"),
    ("Ich möchte einen Garantiefall melden", "de"),
    ("my mail server is down", "en"),
    ("hoi", "de"),
    ("moin", "de"),
    ("PF3X9KQ2", "de"),
    ("+31 20 555 0142", "de"),
    ("auf Englisch bitte", "en"),
    ("moet ik een iphone of een samsung nemen?", "nl"),
    ("onze server ligt plat, wie kan ik bellen", "nl"),
    ("which laptop should I get, thinkpad or macbook?", "en"),
])
def test_the_first_message_sets_the_language_or_keeps_the_channel_hint(
        identifier: LanguageIdentifier, text: str, expected: str) -> None:
    assert identifier.detect(text, None, default="de") == expected


def test_words_leave_out_addresses_numbers_and_quoted_errors() -> None:
    text = 'mail jan@example.com, ticket T-10234, zie https://example.com "Access denied"'
    assert words_of(text) == ["mail", "ticket", "zie"]
