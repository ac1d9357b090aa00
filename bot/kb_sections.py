"""Sections of knowledge-base articles and a small BM25 index over them, so the bot answers
with the part of an article that says what was asked, not the whole article.

A section is the article's summary, the text before its first heading, or a block that
starts with a heading: a `## ` line or a paragraph that opens in bold (`**Heading**`).
A list item that opens with a bold label (`- **E-mail:** ...`) is a section of its own as
well as part of its block, so a question about one item gets that item and a question
about the whole list gets the list.
The index is pure Python, built once per language at load; scoring one message touches
only the sections of the candidate articles, so per-message work stays tiny."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import snowballstemmer

_BOLD_LEAD = re.compile(r"^(?:#{2,3} +(?P<hash>.+)|\*\*(?P<bold>[^*]+?)\*\*)")
_LABELLED_ITEM = re.compile(r"^ *(?:[-*]|\d+\.) \*\*(?P<label>[^*]+?):?\*\*.*$", re.MULTILINE)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STEMMERS = {"nl": "dutch", "de": "german", "en": "english"}
_STOPWORDS = {
    "en": """a about all am an and any are as at be been but by can could did do does doing
        for from get got had has have how i if in into is it its me my of on or our so that
        the their them then there these they this to us was we were what when where which
        who why will with would you your yours please hi hello also just anyone
        someone something long take takes much many""",
    "nl": """aan al als bij dan dat de die dit doe doen een en er heb hebben het hoe ik in is
        je jij jullie kan kun kunnen maar me mee men met mij mijn na naar niet nog of om onder
        ons onze ook op over te tot u uw van voor wat was wel welke wie wij wordt zal ze zij
        zijn zo hallo hoi graag welk wanneer waarom hoeveel iets iemand waar hier daar dus
        toch even eigenlijk lang duurt duren veel geen gewoon""",
    "de": """der die das den dem des ein eine einen einem einer und oder aber ich du er sie es
        wir ihr mein meine meinen mich mir uns unser unsere ihre ihr ist sind bin war hat
        habe haben kann können wie was wer wo wann warum mit von zu zum zur für auf an in im
        bei nach aus als auch noch nicht nur so dass ob man gibt bitte hallo ja welche welches
        welcher welchen am wenn es denn dann sich ihnen ihrem ihren etwas jemand hier da
        lange dauert dauern viel viele vielen wieviel kein keine keinen einfach""",
}
_K1, _B = 1.2, 0.5  # a mild length penalty: a whole list may answer as well as one item
_MIN_PART = 4  # shortest word a compound is split into
_CACHE_LIMIT = 50_000  # stems and splits remembered per language


@dataclass(frozen=True)
class Section:
    """One answerable part of an article: its heading (may be empty) and its text."""

    article_id: str
    index: int
    heading: str
    text: str


def split_sections(article_id: str, title: str, summary: str, body: str) -> list[Section]:
    """The summary (section 0, headed by the title), then the body's sections in order."""
    sections = [Section(article_id, 0, title, summary)]
    blocks: list[tuple[str, list[str]]] = []
    for paragraph in re.split(r"\n\s*\n", body.strip()):
        lead = _BOLD_LEAD.match(paragraph)
        if lead or not blocks:
            heading = (lead.group("hash") or lead.group("bold")) if lead else ""
            blocks.append((heading.strip().rstrip(":?").strip() if lead else "", [paragraph]))
        else:
            blocks[-1][1].append(paragraph)
    for heading, paragraphs in blocks:
        text = "\n\n".join(paragraphs).strip()
        sections.append(Section(article_id, len(sections), heading, text))
        for item in _LABELLED_ITEM.finditer(text):
            sections.append(Section(article_id, len(sections), item.group("label"),
                                    item.group(0).strip()[2:].strip()))
    return sections


def chat_text(section: Section) -> str:
    """The section as a chat message: Markdown emphasis and heading marks removed."""
    text = re.sub(r"^#{2,3} +", "", section.text, flags=re.MULTILINE)
    return text.replace("**", "").strip()


class Tokenizer:
    """Lower-cased, stop-word-free, stemmed words of one language."""

    def __init__(self, lang: str) -> None:
        self._stemmer = snowballstemmer.stemmer(_STEMMERS[lang])
        self._stopwords = frozenset(_STOPWORDS[lang].split())
        self._stems: dict[str, str] = {}  # the pure-Python stemmer is slow: stem each word once
        self._splits: dict[tuple[str, int], list[str]] = {}  # per word and vocabulary

    def __call__(self, text: str, vocabulary: Collection[str] = ()) -> list[str]:
        """The stems of `text`; a compound ("resellermodel", "Wartungsvertrag") also yields
        its two parts when both are words of `vocabulary`, so it matches either part."""
        words = [w for w in _WORD.findall(text.lower()) if w not in self._stopwords]
        stems = [self._stem(word) for word in words]
        if vocabulary:
            stems += [part for word in words for part in self._parts(word, vocabulary)]
        return stems

    def _stem(self, word: str) -> str:
        stem = self._stems.get(word)
        if stem is None:
            if len(self._stems) > _CACHE_LIMIT:  # customers' words must not grow it forever
                self._stems.clear()
            stem = self._stems[word] = self._stemmer.stemWord(word)
        return stem

    def _parts(self, word: str, vocabulary: Collection[str]) -> list[str]:
        key = (word, id(vocabulary))
        if key not in self._splits:
            if len(self._splits) > _CACHE_LIMIT:
                self._splits.clear()
            self._splits[key] = self._split(word, vocabulary)
        return self._splits[key]

    def _split(self, word: str, vocabulary: Collection[str]) -> list[str]:
        for cut in range(_MIN_PART, len(word) - _MIN_PART + 1):
            head, tail = word[:cut], word[cut:]
            tail_stem = self._stem(tail)
            if tail_stem not in vocabulary:
                continue
            for candidate in (head, head[:-1] if head.endswith("s") else head):
                head_stem = self._stem(candidate)
                if len(candidate) >= _MIN_PART and head_stem in vocabulary:
                    return [head_stem, tail_stem]
        return []


class SectionIndex:
    """BM25 over the sections of one language, ranking a chosen subset per query."""

    def __init__(self, lang: str, sections: Sequence[tuple[Section, str]]) -> None:
        """Index `sections`, each with the extra context (article title and tags) it
        matches on; the heading counts once more than the text, as it names the topic."""
        self.tokenize = Tokenizer(lang)
        self._sections = [section for section, _ in sections]
        texts = [" ".join([section.heading, context, section.text])
                 for section, context in sections]
        words = {stem for text in texts for stem in self.tokenize(text)}
        self._terms = [Counter(self.tokenize(text, words)) for text in texts]
        self._lengths = [sum(terms.values()) for terms in self._terms]
        self._average = sum(self._lengths) / max(len(self._lengths), 1)
        frequency: Counter[str] = Counter()
        for terms in self._terms:
            frequency.update(terms.keys())
        total = len(self._terms)
        self._idf = {term: math.log(1 + (total - n + 0.5) / (n + 0.5))
                     for term, n in frequency.items()}

    def rank(self, query: str, articles: Iterable[str] | None = None
             ) -> list[tuple[Section, float]]:
        """Sections of `articles` (all when None) with a positive score, best first."""
        wanted = None if articles is None else set(articles)
        tokens = [t for t in self.tokenize(query, self._idf) if t in self._idf]
        if not tokens:
            return []
        ranked = []
        for position, section in enumerate(self._sections):
            if wanted is not None and section.article_id not in wanted:
                continue
            score = self._score(position, tokens)
            if score > 0:
                ranked.append((section, score))
        ranked.sort(key=lambda pair: (-pair[1], pair[0].index))
        return ranked

    def _score(self, position: int, tokens: list[str]) -> float:
        terms, length = self._terms[position], self._lengths[position]
        score = 0.0
        for token in set(tokens):
            count = terms.get(token, 0)
            if count:
                norm = count + _K1 * (1 - _B + _B * length / self._average)
                score += self._idf[token] * count * (_K1 + 1) / norm
        return score
