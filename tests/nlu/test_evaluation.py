"""`supportbot nlu eval`: the JSON report, and the model's quality on the held-out split."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nlu.training import HELD_OUT_DATA

TEST_SPLIT = HELD_OUT_DATA


def _eval(nlu_service: tuple[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    url, token = nlu_service
    env = {**os.environ, "SUPPORTBOT_NLU_URL": url, "SUPPORTBOT_NLU_TOKEN": token}
    return subprocess.run([sys.executable, "-m", "cli", "nlu", "eval", *args],
                          capture_output=True, text=True, env=env, timeout=600)


@pytest.fixture(scope="module")
def report(nlu_service: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    folder = tmp_path_factory.mktemp("report")
    done = _eval(nlu_service, str(TEST_SPLIT), "--json", "--report", str(folder))
    assert done.returncode == 0, done.stderr
    data: dict = json.loads(done.stdout)  # type: ignore[type-arg]
    data["_folder"] = folder
    return data


def test_eval_prints_one_json_object_with_every_prediction(report: dict) -> None:  # type: ignore[type-arg]
    for key in ("accuracy", "macro_f1", "per_intent", "per_language", "predictions"):
        assert key in report
    first = report["predictions"][0]
    assert set(first) >= {"text", "intent", "predicted", "confidence"}
    assert len(report["predictions"]) == report["count"]
    assert set(report["per_language"]) == {"nl", "de", "en"}
    assert set(report["per_intent"]["greet"]) == {"precision", "recall", "f1", "support"}


def test_report_folder_has_a_confusion_matrix(report: dict) -> None:  # type: ignore[type-arg]
    png = Path(report["_folder"]) / "confusion_matrix.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (Path(report["_folder"]) / "intents.md").exists()


def test_model_reaches_the_quality_bar_on_the_held_out_split(report: dict) -> None:  # type: ignore[type-arg]
    assert report["macro_f1"] >= 0.85
    for language, figures in report["per_language"].items():
        assert figures["macro_f1"] >= 0.80, language


def test_unknown_intent_in_the_file_is_a_clear_error(
    nlu_service: tuple[str, str], tmp_path: Path,
) -> None:
    path = tmp_path / "bad.yml"
    path.write_text('version: "3.1"\nnlu:\n- intent: order_pizza\n  examples: |\n    - pizza\n')
    done = _eval(nlu_service, str(path), "--json")
    assert done.returncode == 2
    assert "line 3: unknown intent 'order_pizza'" in done.stderr
    assert done.stdout == ""
