"""A run-on message the model is unsure of is read clause by clause."""

from __future__ import annotations

from nlu.clauses import ClauseReader, clauses
from nlu.client import Entity, IntentScore, ParseResult


class ScriptedModel:
    """Answers the texts it knows with their intent; anything else is unsure."""

    def __init__(self, known: dict[str, tuple[str, float]]) -> None:
        self.known = known
        self.asked: list[str] = []

    async def parse(self, text: str) -> ParseResult:
        self.asked.append(text)
        name, confidence = self.known.get(text, ("out_of_scope", 0.3))
        entities = (Entity("phone", "+49 30 901820", 17, 30),) if "+49" in text else ()
        return ParseResult(text, IntentScore(name, confidence), (IntentScore(name, confidence),),
                           entities)


def test_sentences_are_the_clauses_and_one_sentence_splits_at_commas() -> None:
    assert clauses("hallo, kann mich jemand anrufen? es geht um die Rechnung") == [
        "hallo, kann mich jemand anrufen?", "es geht um die Rechnung"]
    assert clauses("Rückruf bitte an +49 30 901820, Thema Wartungsvertrag") == [
        "Rückruf bitte an +49 30 901820", "Thema Wartungsvertrag"]
    assert clauses("hallo! wann seid ihr offen?") == ["wann seid ihr offen?"]


async def test_the_first_sure_request_among_the_clauses_gives_the_intent() -> None:
    text = "Rückruf bitte an +49 30 901820, Thema Wartungsvertrag"
    model = ScriptedModel({"Rückruf bitte an +49 30 901820": ("request_callback", 0.98),
                           "Thema Wartungsvertrag": ("service_contract", 0.99)})
    parsed = await ClauseReader(model, 0.55).parse(text)
    assert parsed.intent == IntentScore("request_callback", 0.98)
    assert parsed.text == text and parsed.first("phone") == "+49 30 901820"


async def test_a_greeting_or_yes_in_front_is_no_request() -> None:
    model = ScriptedModel({"ja, hallo": ("affirm", 0.99),
                           "wann seid ihr morgen offen": ("support_hours", 0.97)})
    parsed = await ClauseReader(model, 0.55).parse("ja, hallo. wann seid ihr morgen offen")
    assert parsed.intent.name == "support_hours"


async def test_a_sure_whole_message_is_asked_once_and_an_unsure_one_stays_unsure() -> None:
    sure = ScriptedModel({"wann seid ihr offen, heute?": ("support_hours", 0.9)})
    await ClauseReader(sure, 0.55).parse("wann seid ihr offen, heute?")
    assert sure.asked == ["wann seid ihr offen, heute?"]
    unsure = ScriptedModel({})
    parsed = await ClauseReader(unsure, 0.55).parse("blah blah, foo bar")
    assert parsed.intent == IntentScore("out_of_scope", 0.3) and len(unsure.asked) == 3


async def test_a_greeting_in_front_of_an_unsure_question_is_left_out() -> None:
    model = ScriptedModel({"wann seid ihr morgen offen?": ("support_hours", 0.9)})
    parsed = await ClauseReader(model, 0.55).parse("hallo! wann seid ihr morgen offen?")
    assert parsed.intent.name == "support_hours"
    assert model.asked == ["hallo! wann seid ihr morgen offen?", "wann seid ihr morgen offen?"]
