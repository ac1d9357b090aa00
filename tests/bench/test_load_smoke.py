"""`bench/load.py --quick`: the load benchmark runs end to end against the real app, NLU
service and fake platform APIs, and every message it sends is acknowledged and answered."""

from __future__ import annotations

import json
import subprocess
import sys

from bot.config import PROJECT_ROOT

PHASE_KEYS = {"messages", "sent_per_s", "replied", "sustained_msg_per_s", "errors",
              "error_kinds", "webhook_ack", "reply", "per_channel"}


def test_quick_load_run_answers_every_message_without_errors() -> None:
    finished = subprocess.run(
        [sys.executable, "bench/load.py", "--quick", "--phase", "reply"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=240, check=False)
    assert finished.returncode == 0, finished.stderr[-2000:]
    result = json.loads(finished.stdout)

    assert {"machine", "bare_rasa_parse", "phases", "reply_p50_over_bare_rasa_p50", "errors",
            "app_memory", "nlu_memory", "targets"} <= result.keys()
    phase = result["phases"]["reply"]
    assert phase.keys() >= PHASE_KEYS
    assert result["errors"] == 0 and phase["errors"] == 0, phase["error_kinds"]
    assert phase["messages"] == 30 and phase["replied"] == phase["messages"]
    assert phase["reply"]["p50_ms"] > 0 and phase["webhook_ack"]["p99_ms"] > 0
    assert result["bare_rasa_parse"]["p50_ms"] > 0
    assert result["app_memory"]["rss_mb"] > 0
    assert {t["target"] for t in result["targets"]} == {
        "reply_p50", "reply_p99", "ack_p99", "app_peak_rss"}
