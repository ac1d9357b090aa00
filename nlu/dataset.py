"""Reading Rasa NLU YAML files (version 3.1) with the line of every example kept."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from nlu.errors import DatasetError

_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<entity>[^)]+)\)|\{(?P<json>[^}]+)\})")


@dataclass(frozen=True)
class Example:
    """One labelled message: plain text (annotations removed), its intent and its file line."""

    text: str
    intent: str
    line: int
    annotated: str


def plain_text(annotated: str) -> str:
    """Remove entity annotations: `[T-10234](ticket_id)` becomes `T-10234`."""
    return _ANNOTATION.sub(lambda match: match.group("text"), annotated)


def load_examples(path: Path, known_intents: Iterable[str] | None = None) -> list[Example]:
    """Read every intent example of a Rasa NLU YAML file, in file order.

    Raises:
        DatasetError: on unreadable files, bad YAML, a wrong structure or an unknown intent,
            naming the file and the line.
    """
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DatasetError(f"{path}: cannot read the file: {error}") from error
    try:
        root = yaml.compose(source)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "unknown line"
        problem = getattr(error, "problem", None) or str(error)
        raise DatasetError(f"{path}, {where}: invalid YAML: {problem}") from error
    if not isinstance(root, yaml.MappingNode):
        raise DatasetError(f"{path}, line 1: expected a mapping with an `nlu:` list")
    nlu_node = _child(root, "nlu")
    if not isinstance(nlu_node, yaml.SequenceNode):
        raise DatasetError(f"{path}, line {root.start_mark.line + 1}: no `nlu:` list found")
    allowed = set(known_intents) if known_intents is not None else None
    examples: list[Example] = []
    for item in nlu_node.value:
        if not isinstance(item, yaml.MappingNode):
            raise DatasetError(f"{path}, line {item.start_mark.line + 1}: expected a mapping")
        intent_node = _child(item, "intent")
        if intent_node is None:
            continue  # regex, synonym and lookup entries carry no examples
        intent = str(intent_node.value)
        if allowed is not None and intent not in allowed:
            raise DatasetError(
                f"{path}, line {intent_node.start_mark.line + 1}: unknown intent {intent!r}"
            )
        examples.extend(_examples_of(path, item, intent))
    return examples


def _child(node: yaml.MappingNode, key: str) -> yaml.Node | None:
    for key_node, value_node in node.value:
        if key_node.value == key:
            found: yaml.Node = value_node
            return found
    return None


def _examples_of(path: Path, item: yaml.MappingNode, intent: str) -> list[Example]:
    node = _child(item, "examples")
    where = f"{path}, line {item.start_mark.line + 1}"
    if isinstance(node, yaml.ScalarNode):
        block = node.style in ("|", ">")
        first_line = node.start_mark.line + (2 if block else 1)
        found = []
        for offset, raw in enumerate(str(node.value).split("\n")):
            stripped = raw.strip()
            if not stripped:
                continue
            if not stripped.startswith("- "):
                raise DatasetError(
                    f"{path}, line {first_line + offset}: an example must start with '- '"
                )
            annotated = stripped[2:].strip()
            found.append(Example(plain_text(annotated), intent, first_line + offset, annotated))
        return found
    if isinstance(node, yaml.SequenceNode):
        found = []
        for entry in node.value:
            text_node = _child(entry, "text") if isinstance(entry, yaml.MappingNode) else None
            if text_node is None:
                raise DatasetError(f"{path}, line {entry.start_mark.line + 1}: expected `text:`")
            annotated = str(text_node.value).strip()
            found.append(Example(plain_text(annotated), intent,
                                 text_node.start_mark.line + 1, annotated))
        return found
    raise DatasetError(f"{where}: intent {intent!r} has no `examples:`")
