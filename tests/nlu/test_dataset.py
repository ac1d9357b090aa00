"""Reading Rasa NLU YAML files, and the shape of our own training and test data."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from nlu.dataset import load_examples, plain_text
from nlu.errors import DatasetError
from nlu.taxonomy import ENTITIES, INTENTS
from nlu.training import DEFAULT_TRAINING_DATA, HELD_OUT_DATA

TEST_SPLIT = HELD_OUT_DATA


def test_annotations_are_removed_from_the_text() -> None:
    assert plain_text("status of [T-10234](ticket_id) please") == "status of T-10234 please"
    assert plain_text('my [NAS]{"entity": "product"} died') == "my NAS died"


def test_examples_keep_their_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "data.yml"
    path.write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hoi\n'
                    "    - hallo daar\n")
    examples = load_examples(path, INTENTS)
    assert [(e.text, e.line) for e in examples] == [("hoi", 5), ("hallo daar", 6)]


def test_unknown_intent_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "data.yml"
    path.write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hoi\n'
                    "- intent: order_pizza\n  examples: |\n    - pizza\n")
    with pytest.raises(DatasetError, match=r"line 6: unknown intent 'order_pizza'"):
        load_examples(path, INTENTS)


def test_bad_yaml_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "data.yml"
    path.write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hoi\n'
                    '  - intent: [broken\n')
    with pytest.raises(DatasetError, match=r"data.yml, line \d+: invalid YAML"):
        load_examples(path, INTENTS)


def test_training_data_covers_every_intent_generously() -> None:
    counts = Counter(e.intent for e in load_examples(DEFAULT_TRAINING_DATA, INTENTS))
    assert set(counts) == set(INTENTS)
    assert min(counts.values()) >= 60  # at least 20 per language
    assert sum(counts.values()) >= 1380


def test_test_split_is_separate_from_training_data() -> None:
    training = {e.text.lower() for e in load_examples(DEFAULT_TRAINING_DATA, INTENTS)}
    held_out = load_examples(TEST_SPLIT, INTENTS)
    assert min(Counter(e.intent for e in held_out).values()) >= 18  # 6 per language
    assert [e.text for e in held_out if e.text.lower() in training] == []


def test_training_data_has_no_exact_duplicates() -> None:
    texts = Counter(e.text.lower() for e in load_examples(DEFAULT_TRAINING_DATA, INTENTS))
    assert [text for text, n in texts.items() if n > 1] == []


def test_only_known_entities_are_annotated() -> None:
    names = set()
    for path in (DEFAULT_TRAINING_DATA, TEST_SPLIT):
        for example in load_examples(path, INTENTS):
            names.update(re.findall(r"\]\((\w+)\)", example.annotated))
    assert names and names <= set(ENTITIES)
