"""Evaluating the trained model on a labelled Rasa NLU file, through the running service."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from nlu.client import NluClient
from nlu.dataset import Example
from nlu.language import LanguageIdentifier
from nlu.taxonomy import LANGUAGES


@dataclass(frozen=True)
class Prediction:
    """The model's answer for one labelled example."""

    text: str
    intent: str
    predicted: str
    confidence: float
    language: str


async def predict(client: NluClient, examples: Sequence[Example],
                  concurrency: int = 4) -> list[Prediction]:
    """Parse every example through the service, keeping file order."""
    identifier = LanguageIdentifier(high_accuracy=True)
    limit = asyncio.Semaphore(concurrency)

    async def one(example: Example) -> Prediction:
        async with limit:
            result = await client.parse(example.text)
        return Prediction(example.text, example.intent, result.intent.name,
                          round(result.intent.confidence, 4),
                          identifier.detect(example.text, default="en"))

    return list(await asyncio.gather(*(one(example) for example in examples)))


def _scores(predictions: Sequence[Prediction]) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score

    gold = [p.intent for p in predictions]
    guessed = [p.predicted for p in predictions]
    labels = sorted(set(gold))
    return {
        "accuracy": round(float(accuracy_score(gold, guessed)), 4),
        "macro_f1": round(float(f1_score(gold, guessed, labels=labels, average="macro",
                                         zero_division=0)), 4),
    }


def summarize(predictions: Sequence[Prediction]) -> dict[str, Any]:
    """Return the evaluation report: overall, per intent, per language and every prediction.

    scikit-learn (with scipy, some 65 MB) is imported here, not at module level: the CLI
    imports this module for every command, `supportbot run` included."""
    from sklearn.metrics import precision_recall_fscore_support

    if not predictions:
        return {"count": 0, "accuracy": 0.0, "macro_f1": 0.0, "per_intent": {},
                "per_language": {}, "predictions": []}
    gold = [p.intent for p in predictions]
    guessed = [p.predicted for p in predictions]
    labels = sorted(set(gold))
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, guessed, labels=labels, zero_division=0,
    )
    per_intent = {
        label: {"precision": round(float(p), 4), "recall": round(float(r), 4),
                "f1": round(float(f), 4), "support": int(s)}
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    }
    per_language: dict[str, dict[str, float | int]] = {}
    for code in LANGUAGES:
        subset = [p for p in predictions if p.language == code]
        if subset:
            per_language[code] = {**_scores(subset), "count": len(subset)}
    return {
        "count": len(predictions),
        **_scores(predictions),
        "per_intent": per_intent,
        "per_language": per_language,
        "predictions": [asdict(p) for p in predictions],
    }
