"""The knowledge base: validation at load time, policy facts in every language, search."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import PROJECT_ROOT, CompanySettings
from bot.kb_sections import Section, chat_text
from bot.knowledge import KB_DIR, KnowledgeBase, KnowledgeBaseError
from nlu.taxonomy import LANGUAGES
from wiring.assembly import KB_INTENTS

VALUES = CompanySettings().placeholders()
POLICY_FACTS: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "policy_facts.yml").read_text(encoding="utf-8"))
FACTS_BY_LANGUAGE = [pytest.param(fact, lang, id=f"{fact['fact']}-{lang}")
                     for fact in POLICY_FACTS for lang in LANGUAGES]
ANSWERED_BY_ARTICLES = (*KB_INTENTS, "warranty_claim", "request_callback", "complaint",
                        "outage_status", "ticket_status", "human_handoff")


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBase:
    return KnowledgeBase.load(VALUES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_policy_intent_has_an_article_in_every_language(
    knowledge: KnowledgeBase, lang: str,
) -> None:
    missing = [i for i in ANSWERED_BY_ARTICLES if knowledge.answer_for(i, lang) is None]
    assert missing == []


def test_company_values_are_filled_in(knowledge: KnowledgeBase) -> None:
    for article in knowledge.articles():
        assert "{" not in article.summary + article.body, article.id
    hours = knowledge.answer_for("support_hours", "de")
    assert hours is not None and VALUES["emergency_phone"] in hours.summary


@pytest.mark.parametrize("lang", LANGUAGES)
def test_summaries_state_the_policy_figures(knowledge: KnowledgeBase, lang: str) -> None:
    def summary(intent: str) -> str:
        article = knowledge.answer_for(intent, lang)
        assert article is not None
        return article.summary

    assert all(part in summary("support_hours") for part in ("06:00", "22:00", "GMT"))
    assert "10" in summary("request_callback")
    assert "5" in summary("response_times")
    assert "14" in summary("complaint") and "2" in summary("complaint")


def test_search_finds_the_mail_article_in_dutch(knowledge: KnowledgeBase) -> None:
    hits = knowledge.search("outlook werkt niet meer na een crash van mijn computer", "nl")
    assert hits[0].article.id in {"mail-setup", "mail-service-vs-mail-program"}


def test_search_of_gibberish_finds_nothing(knowledge: KnowledgeBase) -> None:
    assert knowledge.search("zzqx vlorp", "en") == []


def test_loading_leaves_the_search_library_unimported() -> None:
    code = ("import sys; from bot.config import CompanySettings; "
            "from bot.knowledge import KnowledgeBase; "
            "KnowledgeBase.load(CompanySettings().placeholders()); "
            "print(sorted({'bm25s', 'numpy', 'scipy'} & set(sys.modules)))")
    loaded = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, check=True,
                            capture_output=True, text=True).stdout.strip()
    assert loaded == "[]"


def _copy_kb(tmp_path: Path) -> Path:
    folder = tmp_path / "kb"
    shutil.copytree(KB_DIR, folder)
    return folder


def test_article_missing_in_one_language_names_the_file(tmp_path: Path) -> None:
    folder = _copy_kb(tmp_path)
    (folder / "de" / "training.md").unlink()
    with pytest.raises(KnowledgeBaseError, match=r"de/training\.md.*not in de"):
        KnowledgeBase.load(VALUES, folder)


def test_unknown_placeholder_names_the_file(tmp_path: Path) -> None:
    folder = _copy_kb(tmp_path)
    path = folder / "en" / "training.md"
    path.write_text(path.read_text().replace("{company_name}", "{company_nmae}", 1)
                    + "\nCall {fax_number}.\n")
    with pytest.raises(KnowledgeBaseError, match=r"en/training\.md: unknown placeholder"):
        KnowledgeBase.load(VALUES, folder)


def test_unknown_intent_names_the_file(tmp_path: Path) -> None:
    folder = _copy_kb(tmp_path)
    path = folder / "nl" / "training.md"
    path.write_text(path.read_text().replace("intents: [training", "intents: [cooking", 1))
    with pytest.raises(KnowledgeBaseError, match=r"nl/training\.md: unknown intents"):
        KnowledgeBase.load(VALUES, folder)


def _section(knowledge: KnowledgeBase, reference: str, lang: str) -> Section:
    article_id, number = reference.split("#")
    article = knowledge.get(article_id, lang)
    assert article is not None, reference
    return knowledge.sections(article)[int(number)]


def _states(fact: dict[str, Any], lang: str, text: str) -> bool:
    return any(phrase.format(**VALUES).lower() in text.lower() for phrase in fact["says"][lang])


@pytest.mark.parametrize(("fact", "lang"), FACTS_BY_LANGUAGE)
def test_each_policy_fact_is_stated_by_its_section(
    knowledge: KnowledgeBase, fact: dict[str, Any], lang: str,
) -> None:
    assert _states(fact, lang, _section(knowledge, fact["section"], lang).text)


@pytest.mark.parametrize(("fact", "lang"), FACTS_BY_LANGUAGE)
def test_each_policy_question_is_answered_from_a_section_that_states_it(
    knowledge: KnowledgeBase, fact: dict[str, Any], lang: str,
) -> None:
    answer = knowledge.answer(fact["intent"], lang, fact["questions"][lang])
    assert answer is not None
    chosen = f"{answer.article.id}#{answer.section.index}"
    assert chosen in [fact["section"], *fact["or_from"]], chat_text(answer.section)
    assert _states(fact, lang, chat_text(answer.section))


def test_software_assurance_question_is_not_answered_with_the_contract_text(
    knowledge: KnowledgeBase,
) -> None:
    answer = knowledge.answer("service_contract", "en", "what does software assurance include?")
    assert answer is not None and answer.article.id == "software-assurance"
    assert "source-code escrow" in chat_text(answer.section).lower()


def test_a_question_without_known_words_gets_the_summary_of_the_intents_article(
    knowledge: KnowledgeBase,
) -> None:
    answer = knowledge.answer("training", "nl", "zzqx vlorp?")
    assert answer is not None and answer.section.index == 0
    assert answer.section.text == answer.article.summary


def test_every_section_is_chat_sized(knowledge: KnowledgeBase) -> None:
    too_long = [f"{a.lang}/{a.id}#{s.index}" for a in knowledge.articles()
                for s in knowledge.sections(a) if len(chat_text(s)) > 1000]
    assert too_long == []


def test_the_policy_facts_cover_every_policy_section() -> None:
    covered = {fact["section"].split("#")[0] for fact in POLICY_FACTS}
    assert {"support-hours", "callback-service", "response-times", "support-eligibility",
            "reseller-support", "mail-setup", "support-costs",
            "service-contracts-and-priority", "software-assurance",
            "complaints-procedure"} <= covered


def test_an_article_with_fewer_sections_in_one_language_names_the_file(
    tmp_path: Path,
) -> None:
    folder = _copy_kb(tmp_path)
    path = folder / "de" / "training.md"
    path.write_text(path.read_text().replace("**Wer kann teilnehmen?**", "Wer kann teilnehmen?"))
    with pytest.raises(KnowledgeBaseError, match=r"de/training\.md: 4 sections, but 5 in en"):
        KnowledgeBase.load(VALUES, folder)


def test_a_long_question_that_asks_two_things_gets_both_sections(
        knowledge: KnowledgeBase) -> None:
    answers = knowledge.answers("mail_setup", "en", "my new computer does not get mail in "
                                "outlook anymore, can you set it up for me and what would "
                                "that cost")
    texts = [chat_text(answer.section) for answer in answers]
    assert len(texts) == 2
    assert any("IT person" in text for text in texts)
    assert any(CompanySettings().hourly_rate in text for text in texts)


def test_a_short_question_gets_one_section(knowledge: KnowledgeBase) -> None:
    assert len(knowledge.answers("support_hours", "en", "when are you open?")) == 1


def test_a_list_item_and_the_list_it_stands_in_are_never_both_said(
        knowledge: KnowledgeBase) -> None:
    question = ("thunderbird haalt sinds de update geen mail meer binnen maar de webmail "
                "werkt prima, is dat jullie probleem?")  # the item, then its list, match best
    answers = knowledge.answers("mail_setup", "nl", question)
    texts = [answer.section.text for answer in answers]
    assert len(texts) == 2 and texts[0] not in texts[1] and texts[1] not in texts[0]


def test_an_overview_that_won_only_by_its_weight_comes_with_the_better_match(
        knowledge: KnowledgeBase) -> None:
    question = ("Als Distributor fragen wir uns, bei welchem Supportmodell unsere Kunden am "
                "schnellsten Hilfe bekommen")
    overview, better = knowledge.answers("reseller_support", "de", question)
    assert overview.section.index == 0 and better.score > overview.score
