"""Async client of the Rasa HTTP API (`/model/parse`) with a timeout and bounded retries."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from nlu.errors import NluUnavailableError

_EXTRACTOR_PREFERENCE = {"RegexEntityExtractor": 0, "DIETClassifier": 1}


@dataclass(frozen=True)
class IntentScore:
    """One intent with the model's confidence in it."""

    name: str
    confidence: float


@dataclass(frozen=True)
class Entity:
    """An entity found in the text, with its character span."""

    entity: str
    value: str
    start: int
    end: int
    extractor: str = ""


@dataclass(frozen=True)
class ParseResult:
    """What the NLU model made of one message."""

    text: str
    intent: IntentScore
    ranking: tuple[IntentScore, ...] = ()
    entities: tuple[Entity, ...] = field(default_factory=tuple)

    def first(self, entity: str) -> str | None:
        """Return the value of the first entity of that type, if any."""
        return next((e.value for e in self.entities if e.entity == entity), None)

    @classmethod
    def from_rasa(cls, body: dict[str, Any]) -> ParseResult:
        """Build a result from Rasa's JSON, keeping one entity per span (regex extractor wins)."""
        intent = body.get("intent") or {}
        ranking = tuple(
            IntentScore(str(item["name"]), float(item["confidence"]))
            for item in body.get("intent_ranking") or []
        )
        entities: dict[tuple[int, int], Entity] = {}
        raw = sorted(body.get("entities") or [],
                     key=lambda e: _EXTRACTOR_PREFERENCE.get(e.get("extractor", ""), 2))
        for item in raw:
            span = (int(item.get("start", 0)), int(item.get("end", 0)))
            if any(s < span[1] and span[0] < e for s, e in entities):
                continue
            entities[span] = Entity(str(item["entity"]), str(item.get("value", "")), *span,
                                    extractor=str(item.get("extractor", "")))
        ordered = tuple(sorted(entities.values(), key=lambda e: e.start))
        return cls(
            text=str(body.get("text", "")),
            intent=IntentScore(str(intent.get("name") or ""), float(intent.get("confidence", 0))),
            ranking=ranking,
            entities=ordered,
        )


class ParseObserver(Protocol):
    """Told how long each successful parse took (the app's metrics)."""

    def observe_nlu_parse(self, seconds: float) -> None: ...


class NluClient:
    """Parses messages through the NLU service; raises `NluUnavailableError`, never hangs."""

    def __init__(self, base_url: str, token: str, timeout: float = 3.0, retries: int = 2,
                 session: aiohttp.ClientSession | None = None, *,
                 metrics: ParseObserver | None = None) -> None:
        self._metrics = metrics
        self._url = f"{base_url.rstrip('/')}/model/parse"
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._attempts = max(1, retries + 1)
        self._session = session
        self._owns_session = session is None

    async def __aenter__(self) -> NluClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None

    async def parse(self, text: str) -> ParseResult:
        """Classify `text`.

        Raises:
            NluUnavailableError: when the service is down, slow or answers with an error,
                after the configured retries.
        """
        started = time.perf_counter()
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self._attempts),
                wait=wait_exponential(multiplier=0.1, max=1.0),
                retry=retry_if_exception_type((aiohttp.ClientError, asyncio.TimeoutError)),
                reraise=True,
            ):
                with attempt:
                    result = await self._parse_once(text)
        except (TimeoutError, aiohttp.ClientError, ValueError, KeyError) as error:
            raise NluUnavailableError(f"NLU service at {self._url} failed: {error!r}") from error
        if self._metrics is not None:
            self._metrics.observe_nlu_parse(time.perf_counter() - started)
        return result

    async def _parse_once(self, text: str) -> ParseResult:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.post(
            self._url, params={"token": self._token}, json={"text": text}, timeout=self._timeout,
        ) as response:
            if response.status >= 500:
                raise aiohttp.ClientResponseError(
                    response.request_info, response.history, status=response.status,
                    message="NLU service error",
                )
            if response.status != 200:
                raise ValueError(f"NLU service answered HTTP {response.status}")
            body = await response.json()
        return ParseResult.from_rasa(body)
