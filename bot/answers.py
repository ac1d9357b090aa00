"""How a knowledge-base answer reads in the chat: the section's text and the link to its
article, the same for an intent's answer and for a search when the intent is unclear."""

from __future__ import annotations

from bot.kb_sections import chat_text
from bot.knowledge import Answer
from bot.turn import Turn


def say_answer(turn: Turn, answer: Answer) -> None:
    """Send the section as one chat-sized message ending in the article's link."""
    link = turn.t("read_more", url=turn.services.knowledge.link(answer.article))
    turn.say_text(f"{chat_text(answer.section)}\n{link}")
