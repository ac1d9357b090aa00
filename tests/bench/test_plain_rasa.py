"""The plain Rasa bot of `bench/plain_rasa.py` is built from supportbot's own NLU pipeline
and training data, with a RulePolicy, one response and one rule per intent and the REST
channel; and supportbot answers each of the benchmark's questions with a single reply
(the driver takes the first reply frame as the answer)."""

from __future__ import annotations

import yaml

from bench.plain_rasa import QUESTIONS, project_files
from bot.config import PROJECT_ROOT
from tests.conversation import Customer


def test_plain_bot_has_our_pipeline_a_rule_policy_and_one_response_per_intent() -> None:
    files = {name: yaml.safe_load(text) for name, text in project_files().items()}
    ours = yaml.safe_load((PROJECT_ROOT / "nlu" / "config.yml").read_text())
    intents = {block["intent"] for block in files["data/nlu.yml"]["nlu"] if "intent" in block}

    assert files["config.yml"]["pipeline"] == ours["pipeline"]
    assert files["config.yml"]["policies"] == [{"name": "RulePolicy"}]
    assert set(files["domain.yml"]["intents"]) == intents
    assert set(files["domain.yml"]["responses"]) == {f"utter_{i}" for i in intents}
    assert {tuple(step.get("intent") or step["action"] for step in rule["steps"])
            for rule in files["data/rules.yml"]["rules"]} == {(i, f"utter_{i}") for i in intents}
    assert files["credentials.yml"] == {"rest": None}


async def test_each_benchmark_question_gets_one_reply(customer: Customer) -> None:
    for number, (_, text) in enumerate(QUESTIONS):
        result = await Customer(customer.intake, customer.clock, user=f"bench-{number}").says(
            text)
        assert len(result.replies) == 1, (text, [r.text for r in result.replies])
