"""The targets of issue 19, as ratios measured in one run (absolute figures move by 3x from
one machine to another; these do not), each judged pass or fail."""

from __future__ import annotations

from typing import Any

SUSTAINED_OVER_CAPACITY_MIN = 0.9  # answered rate / NLU's saturated parse rate
REPLY_P50_OVER_PARSE_MAX = 3.0  # at 80 % of capacity
REPLY_P99_OVER_PARSE_MAX = 10.0  # at 80 % of capacity
SINGLE_P50_OVER_PARSE_MAX = 1.3  # one message in flight
ACK_P99_MAX_MS = 50.0  # at 4x the sustainable rate
APP_CPU_MS_MAX = 5.0  # per answered message, at 80 % of capacity
APP_RSS_MAX_MB = 200.0  # per app process


def _ratio(value: Any, base: Any) -> float | None:
    if value is None or not base:
        return None
    return round(float(value) / float(base), 2)


def judge(phases: dict[str, dict[str, Any]], capacity: float | None, parse_p50: float | None,
          app_rss_per_process_mb: float) -> list[dict[str, Any]]:
    """Each target with the figure it is judged on; `pass` is null when its phase did not
    run. A target on a phase also fails when any message of that phase went unanswered."""
    verdicts: list[dict[str, Any]] = []

    def add(name: str, phase_name: str, measured: float | None, limit: float,
            at_least: bool = False) -> None:
        phase = phases.get(phase_name)
        verdict: bool | None = None
        if phase is not None and measured is not None:
            within = measured >= limit if at_least else measured <= limit
            verdict = within and phase["errors"] == 0
        verdicts.append({"target": name, "phase": phase_name,
                         "rate_msg_per_s": phase.get("rate_msg_per_s") if phase else None,
                         "limit": limit, "measured": measured, "pass": verdict})

    saturate, reply, single, ack = (phases.get(name) or {} for name in
                                    ("saturate", "reply", "single", "ack"))
    add("sustained_over_nlu_capacity", "saturate",
        _ratio(saturate.get("sustained_msg_per_s"), capacity), SUSTAINED_OVER_CAPACITY_MIN,
        at_least=True)
    add("reply_p50_over_bare_parse_p50_at_80pct", "reply",
        _ratio((reply.get("reply") or {}).get("p50_ms"), parse_p50), REPLY_P50_OVER_PARSE_MAX)
    add("reply_p99_over_bare_parse_p50_at_80pct", "reply",
        _ratio((reply.get("reply") or {}).get("p99_ms"), parse_p50), REPLY_P99_OVER_PARSE_MAX)
    add("reply_p50_over_bare_parse_p50_one_in_flight", "single",
        single.get("reply_p50_over_bare_parse_p50"), SINGLE_P50_OVER_PARSE_MAX)
    add("ack_p99_ms_at_4x_sustainable", "ack",
        (ack.get("webhook_ack") or {}).get("p99_ms"), ACK_P99_MAX_MS)
    add("app_cpu_ms_per_message_at_80pct", "reply", reply.get("app_cpu_ms_per_message"),
        APP_CPU_MS_MAX)
    verdicts.append({"target": "app_peak_rss_mb_per_process", "phase": None,
                     "limit": APP_RSS_MAX_MB, "measured": app_rss_per_process_mb,
                     "pass": app_rss_per_process_mb <= APP_RSS_MAX_MB})
    return verdicts
