"""The knowledge base: validation at load time, policy facts in every language, search."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, CompanySettings
from bot.knowledge import KB_DIR, KnowledgeBase, KnowledgeBaseError
from nlu.taxonomy import LANGUAGES
from wiring.assembly import KB_INTENTS

VALUES = CompanySettings().placeholders()
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
