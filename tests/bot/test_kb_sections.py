"""Sections of articles and the small BM25 index that picks the one answering a question."""

from __future__ import annotations

from bot.kb_sections import Section, SectionIndex, Tokenizer, chat_text, split_sections

BODY = """Every reseller chooses one of three models:

1. **The reseller supports you itself** and stays your contact.
2. **The reseller passes your question on.** This extra step can add delay.

**Order of handling:** urgency first, then arrival time.

## Prices

Work is billed at the price list."""


def test_an_article_splits_into_summary_intro_items_and_headed_blocks() -> None:
    sections = split_sections("a", "Title", "The summary.", BODY)
    assert [s.heading for s in sections] == [
        "Title", "", "The reseller supports you itself", "The reseller passes your question on.",
        "Order of handling", "Prices"]
    assert sections[0].text == "The summary."
    assert "delay" in sections[1].text and "delay" in sections[3].text
    assert [s.index for s in sections] == list(range(6))


def test_chat_text_drops_markdown_marks() -> None:
    section = Section("a", 5, "Prices", "## Prices\n\n**Billed:** at the price list.")
    assert chat_text(section) == "Prices\n\nBilled: at the price list."


def test_stop_words_go_and_words_are_stemmed() -> None:
    assert Tokenizer("en")("What are the models of the resellers?") == ["model", "resel"]


def test_a_compound_also_matches_its_parts() -> None:
    tokenize = Tokenizer("nl")
    vocabulary = set(tokenize("de reseller kiest een model"))
    tokens = tokenize("welk resellermodel is het snelst", vocabulary)
    assert set(tokenize("reseller model")) <= set(tokens)


def test_the_section_that_says_it_ranks_first_and_candidates_narrow_the_choice() -> None:
    sections = split_sections("a", "Title", "The summary.", BODY)
    index = SectionIndex("en", [(s, "") for s in sections]
                         + [(Section("b", 0, "Delay", "Delays happen."), "")])
    assert index.rank("why the delay when my reseller passes it on")[0][0].index == 3
    assert index.rank("in which order is my request handled", ["a"])[0][0].heading == \
        "Order of handling"
    assert all(s.article_id == "a" for s, _ in index.rank("delay", ["a"]))
    assert index.rank("zzqx") == []
