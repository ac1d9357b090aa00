"""`bench/load.py --quick`: the load benchmark runs end to end against the real app, NLU
service and fake platform APIs, every message it sends is acknowledged and answered, and
it reports what a message costs and the targets as ratios."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bot.config import PROJECT_ROOT

PHASE_KEYS = {"messages", "sent_per_s", "replied", "sustained_msg_per_s", "errors",
              "error_kinds", "webhook_ack", "reply", "per_channel", "app_cpu_ms_per_message",
              "nlu_cpu_ms_per_message"}
TARGETS = {"sustained_over_nlu_capacity", "reply_p50_over_bare_parse_p50_at_80pct",
           "reply_p99_over_bare_parse_p50_at_80pct",
           "reply_p50_over_bare_parse_p50_one_in_flight", "ack_p99_ms_at_4x_sustainable",
           "app_cpu_ms_per_message_at_80pct", "app_peak_rss_mb_per_process"}


def test_quick_load_run_answers_every_message_and_reports_its_cost(
        nlu_service: tuple[str, str]) -> None:
    url, token = nlu_service
    finished = subprocess.run(
        [sys.executable, "bench/load.py", "--quick", "--phase", "single,reply",
         "--rate", "5"],
        env={**os.environ, "SUPPORTBOT_NLU_URL": url, "SUPPORTBOT_NLU_TOKEN": token},
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert finished.returncode == 0, finished.stderr[-2000:]
    result = json.loads(finished.stdout)

    assert result["errors"] == 0, {n: p["error_kinds"] for n, p in result["phases"].items()}
    assert result["nlu_parse_capacity_per_s"] > 0
    assert result["bare_rasa_parse"]["p50_ms"] > 0
    single, reply = result["phases"]["single"], result["phases"]["reply"]
    assert single.keys() >= PHASE_KEYS and reply.keys() >= PHASE_KEYS
    assert single["replied"] == single["messages"] == 8
    assert reply["replied"] == reply["messages"] == 15
    assert result["reply_p50_over_bare_parse_p50"] == single["reply_p50_over_bare_parse_p50"] > 0
    assert reply["app_cpu_ms_per_message"] > 0 and reply["nlu_cpu_ms_per_message"] >= 0
    assert reply["webhook_ack"]["p99_ms"] > 0
    assert result["app_memory"]["peak_rss_mb_per_process"] > 0
    verdicts = {t["target"]: t for t in result["targets"]}
    assert verdicts.keys() == TARGETS
    assert verdicts["sustained_over_nlu_capacity"]["pass"] is None  # its phase did not run
    assert verdicts["app_cpu_ms_per_message_at_80pct"]["measured"] == \
        reply["app_cpu_ms_per_message"]
