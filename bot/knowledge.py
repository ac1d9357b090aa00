"""The knowledge base: Markdown articles per language with front matter, validated at
start-up, rendered with company values and searchable with BM25.

The bot answers with the best-matching *section* of the articles an intent names, ranked
by a small pure-Python BM25 over sections (bot/kb_sections.py) built once at load.
A message with an unclear intent gets the best section of all articles the same way.
Only `supportbot kb search` ranks whole articles, with bm25s, which with numpy and scipy
(some 25 MB) is loaded at the first such search, never by the app."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT
from bot.kb_sections import Section, SectionIndex, split_sections
from nlu.taxonomy import INTENTS, LANGUAGES

KB_DIR = PROJECT_ROOT / "kb_articles"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_STOPWORDS = {"nl": "nl", "de": "de", "en": "en"}
_OVERVIEW_WEIGHT = 1.3
LONG_QUESTION_TERMS = 7  # content words from which a question may ask two things
SPECIFIC_QUESTION_TERMS = 5  # a question this long asks more than the overview says
RUNNER_UP_SHARE = 0.8  # how nearly (unweighted) the second must match to be said too
_REQUIRED = ("id", "title", "intents", "tags", "updated", "summary")


class KnowledgeBaseError(Exception):
    """An article is invalid; the message names the file."""


@dataclass(frozen=True)
class Article:
    """One article in one language, with placeholders already filled in."""

    id: str
    lang: str
    title: str
    intents: tuple[str, ...]
    tags: tuple[str, ...]
    updated: date
    summary: str
    body: str
    also: tuple[str, ...] = ()  # intents it may answer, though never by default

    def answers(self, intent: str) -> bool:
        """Whether the article is a candidate answer to `intent`."""
        return intent in self.intents or intent in self.also


@dataclass(frozen=True)
class Answer:
    """The section that answers a question, with the article it belongs to."""

    article: Article
    section: Section
    score: float


@dataclass(frozen=True)
class SearchHit:
    article: Article
    score: float


class KnowledgeBase:
    """All articles, their sections and the section index of every language."""

    def __init__(self, articles: Iterable[Article], base_url: str) -> None:
        self._articles = {(a.lang, a.id): a for a in articles}
        self._base_url = base_url.rstrip("/")
        self._indexes: dict[str, _Index] = {}  # built at the first search of a language
        self._sections = {key: split_sections(a.id, a.title, a.summary, a.body)
                          for key, a in self._articles.items()}
        self._section_indexes = {
            lang: SectionIndex(lang, [(section, " ".join([a.title, *a.tags]))
                                      for (language, _), a in self._articles.items()
                                      if language == lang
                                      for section in self._sections[(lang, a.id)]])
            for lang in {lang for lang, _ in self._articles}
        }

    @classmethod
    def load(cls, values: Mapping[str, str], folder: Path = KB_DIR,
             known_intents: Iterable[str] = INTENTS) -> KnowledgeBase:
        """Read and validate every article.

        Raises:
            KnowledgeBaseError: for a missing field, an unknown intent or placeholder, or an
                article missing in one of the languages, naming the file.
        """
        intents = set(known_intents)
        articles = [_read(path, lang, values, intents)
                    for lang in LANGUAGES for path in sorted((folder / lang).glob("*.md"))]
        ids = {lang: {a.id for a in articles if a.lang == lang} for lang in LANGUAGES}
        every = set().union(*ids.values())
        for lang in LANGUAGES:
            for missing in sorted(every - ids[lang]):
                raise KnowledgeBaseError(f"{folder / lang / missing}.md: article {missing!r} "
                                         f"exists in another language but not in {lang}")
        knowledge = cls(articles, values.get("kb_url", ""))
        _check_parallel_sections(knowledge, folder)
        for lang in LANGUAGES:
            firsts = [a.intents[0] for a in articles if a.lang == lang and a.intents]
            doubled = sorted({i for i in firsts if firsts.count(i) > 1})
            if doubled:
                raise KnowledgeBaseError(
                    f"{folder / lang}: several articles answer {doubled} first")
        return knowledge

    def articles(self, lang: str | None = None) -> list[Article]:
        return [a for a in self._articles.values() if lang is None or a.lang == lang]

    def get(self, article_id: str, lang: str) -> Article | None:
        return self._articles.get((lang, article_id))

    def answer_for(self, intent: str, lang: str) -> Article | None:
        """The article that answers `intent` first, in `lang`."""
        return next((a for a in self._articles.values()
                     if a.lang == lang and a.intents[:1] == (intent,)), None)

    def sections(self, article: Article) -> list[Section]:
        """The article's sections: its summary first, then the body's sections."""
        return self._sections[(article.lang, article.id)]

    def answer(self, intent: str, lang: str, question: str) -> Answer | None:
        """The section that best answers `question` among the articles naming `intent`.

        Without any matching word it is the summary of the article answering `intent`
        first; None when no article names `intent` at all."""
        ranked = self._ranked(intent, lang, question)
        if ranked:
            return ranked[0]
        primary = self.answer_for(intent, lang)
        fallback = primary or next((a for a in self.articles(lang) if a.answers(intent)),
                                   None)
        if fallback is None:
            return None
        return Answer(fallback, self.sections(fallback)[0], 0.0)

    def answers(self, intent: str, lang: str, question: str) -> list[Answer]:
        """The answer to `question` (as `answer`); a long question that asks two things
        ("does it work with Outlook, and what does it cost?") also gets the runner-up
        section when it matches nearly as well, and so does a question whose overview
        answer won only by the weight of overviews."""
        ranked = self._ranked(intent, lang, question)
        if not ranked:
            best = self.answer(intent, lang, question)
            return [best] if best else []
        index = self._section_indexes[lang]
        terms = len(set(index.tokenize(question)))
        long_question = terms >= LONG_QUESTION_TERMS
        best = ranked[0]
        others = [answer for answer in ranked[1:]  # a list item and its list are one answer
                  if answer.section.text not in best.section.text
                  and best.section.text not in answer.section.text]
        # The overview came first only by its weight: the section that matched better too.
        overview_won = bool(others) and others[0].score > best.score and \
            terms >= SPECIFIC_QUESTION_TERMS
        if others and (overview_won or (long_question and
                                        others[0].score >= best.score * RUNNER_UP_SHARE)):
            return [best, others[0]]
        return [best]

    def _ranked(self, intent: str, lang: str, question: str) -> list[Answer]:
        """The sections of the articles naming `intent` that match, best first (the
        intent's own summary a little favoured)."""
        candidates = [a.id for a in self.articles(lang) if a.answers(intent)]
        primary = self.answer_for(intent, lang)
        index = self._section_indexes.get(lang)
        ranked = index.rank(question, candidates) if index and candidates else []
        ranked.sort(key=lambda pair: -_weighted(pair, primary))  # stable: ties keep order
        return [Answer(self._articles[(lang, section.article_id)], section, score)
                for section, score in ranked]

    def best_section(self, question: str, lang: str) -> Answer | None:
        """The section of any article of `lang` that best matches `question`, for messages
        whose intent is unclear; None when no word of it occurs in the knowledge base."""
        index = self._section_indexes.get(lang)
        ranked = index.rank(question) if index else []
        if not ranked:
            return None
        section, score = ranked[0]
        return Answer(self._articles[(lang, section.article_id)], section, score)

    def link(self, article: Article) -> str:
        return f"{self._base_url}/{article.lang}/{article.id}"

    def search(self, query: str, lang: str, limit: int = 3) -> list[SearchHit]:
        """Rank the articles of `lang` for a free-text query (BM25); best first."""
        index = self._indexes.get(lang)
        if index is None:
            index = self._indexes[lang] = _Index(self.articles(lang), lang)
        return index.search(query, limit)


class _Index:
    def __init__(self, articles: list[Article], lang: str) -> None:
        import bm25s

        self._articles = articles
        self._lang = lang
        self._retriever = bm25s.BM25()
        corpus = [" ".join([a.title, a.title, " ".join(a.tags), a.summary, a.body])
                  for a in articles]
        if corpus:
            self._retriever.index(self._tokenize(corpus), show_progress=False)

    def _tokenize(self, texts: list[str]) -> object:
        import bm25s

        return bm25s.tokenize(texts, stopwords=_STOPWORDS[self._lang], show_progress=False)

    def search(self, query: str, limit: int) -> list[SearchHit]:
        tokens = self._tokenize([query])
        if not self._articles or not getattr(tokens, "vocab", None):
            return []
        documents, scores = self._retriever.retrieve(
            tokens, k=min(limit, len(self._articles)), show_progress=False,
        )
        return [SearchHit(self._articles[int(index)], float(score))
                for index, score in zip(documents[0], scores[0], strict=True) if score > 0]


def _weighted(ranked: tuple[Section, float], primary: Article | None) -> float:
    """A general question is best answered by the summary of the intent's own article, so
    that summary counts a little more than its score."""
    section, score = ranked
    is_overview = primary is not None and (section.article_id, section.index) == (primary.id, 0)
    return score * _OVERVIEW_WEIGHT if is_overview else score


def _check_parallel_sections(knowledge: KnowledgeBase, folder: Path) -> None:
    """Every article has as many sections in each language, so a section means the same
    part of the policy everywhere (tests and links rely on it)."""
    for article in knowledge.articles("en"):
        count = len(knowledge.sections(article))
        for lang in LANGUAGES:
            other = knowledge.get(article.id, lang)
            if other is not None and len(knowledge.sections(other)) != count:
                raise KnowledgeBaseError(
                    f"{folder / lang / article.id}.md: {len(knowledge.sections(other))} "
                    f"sections, but {count} in en")


def _read(path: Path, lang: str, values: Mapping[str, str], intents: set[str]) -> Article:
    source = path.read_text(encoding="utf-8")
    parts = source.split("---", 2)
    if not source.startswith("---") or len(parts) < 3:
        raise KnowledgeBaseError(f"{path}: front matter between two '---' lines is missing")
    try:
        meta = yaml.safe_load(parts[1]) or {}
    except yaml.YAMLError as error:
        raise KnowledgeBaseError(f"{path}: invalid front matter: {error}") from error
    missing = [name for name in _REQUIRED if name not in meta]
    if missing:
        raise KnowledgeBaseError(f"{path}: front matter lacks {missing}")
    if meta["id"] != path.stem:
        raise KnowledgeBaseError(f"{path}: id {meta['id']!r} differs from the file name")
    unknown = sorted(set(meta["intents"] or []).union(meta.get("also") or []) - intents)
    if unknown:
        raise KnowledgeBaseError(f"{path}: unknown intents {unknown}")

    def fill(text: str) -> str:
        for name in _PLACEHOLDER.findall(text):
            if name not in values:
                raise KnowledgeBaseError(f"{path}: unknown placeholder {{{name}}}")
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)

    updated = meta["updated"]
    return Article(
        id=str(meta["id"]), lang=lang, title=fill(str(meta["title"])),
        intents=tuple(meta["intents"] or ()), tags=tuple(str(t) for t in meta["tags"] or ()),
        updated=updated if isinstance(updated, date) else date.fromisoformat(str(updated)),
        summary=fill(str(meta["summary"]).strip()), body=fill(parts[2].strip()),
        also=tuple(meta.get("also") or ()),
    )
