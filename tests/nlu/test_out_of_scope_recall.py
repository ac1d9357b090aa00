"""Near misses (jobs, shopping advice, homework and coding, sponsoring, questions about the
company) are recognised as out of scope by the real model, on a held-out file written
apart from the training data (nlu/data/test_out_of_scope.yml)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from bot.config import Settings
from nlu.dataset import load_examples
from nlu.training import DEFAULT_TRAINING_DATA, NLU_DIR

NEAR_MISSES = NLU_DIR / "data" / "test_out_of_scope.yml"
# Recall measured on the held-out near misses: 0.52 before the near-miss training
# examples, 0.91 after. The bar leaves room for a retrained model to lose two or three
# of the 56 examples, and still fails if the near-miss examples go missing.
MIN_RECALL = 0.85
# The share the bot answers with the out-of-scope text: predicted out_of_scope with at
# least the confidence threshold (below it the bot asks to clarify instead). 0.25 before.
MIN_ANSWERED = 0.60


@pytest.fixture(scope="module")
def report(nlu_service: tuple[str, str]) -> dict[str, Any]:
    url, token = nlu_service
    env = {**os.environ, "SUPPORTBOT_NLU_URL": url, "SUPPORTBOT_NLU_TOKEN": token}
    done = subprocess.run([sys.executable, "-m", "cli", "nlu", "eval", str(NEAR_MISSES),
                           "--json"], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def test_near_misses_are_held_out_from_training() -> None:
    training = {e.text.lower() for e in load_examples(DEFAULT_TRAINING_DATA)}
    near_misses = load_examples(NEAR_MISSES)
    assert len(near_misses) >= 50
    assert {e.intent for e in near_misses} == {"out_of_scope"}
    assert not {e.text.lower() for e in near_misses} & training


def test_near_misses_cover_all_three_languages(report: dict[str, Any]) -> None:
    assert {"nl", "de", "en"} <= set(report["per_language"])
    for figures in report["per_language"].values():
        assert figures["count"] >= 15


def test_out_of_scope_recall_on_near_misses(report: dict[str, Any]) -> None:
    assert report["per_intent"]["out_of_scope"]["recall"] >= MIN_RECALL


def test_most_near_misses_get_the_out_of_scope_answer(report: dict[str, Any]) -> None:
    threshold = Settings().nlu_confidence_threshold
    answered = [p for p in report["predictions"]
                if p["predicted"] == "out_of_scope" and p["confidence"] >= threshold]
    assert len(answered) / report["count"] >= MIN_ANSWERED
