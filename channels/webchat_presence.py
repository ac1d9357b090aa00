"""What the widget shows besides messages: who is talking, that an agent is typing, and
that an agent has seen the customer's messages. The composition root calls these when the
core publishes `PresenceChanged`, `AgentTyping` and `MessagesSeen`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any


class PresenceFrames:
    """Frames of presence for a channel that can `push` a frame to a visitor."""

    push: Callable[[str, dict[str, Any]], Awaitable[None]]

    async def show_presence(self, chat_id: str, name: str) -> None:
        """The chat's header shows the person who joined, or the assistant again."""
        frame: dict[str, Any] = ({"type": "agent_joined", "name": name, "announced": True}
                                 if name else {"type": "agent_left", "announced": True})
        await self.push(chat_id, frame)

    async def show_typing(self, chat_id: str, name: str, on: bool) -> None:
        """Show (or stop showing) that agent `name` is typing. The console repeats `on`
        every few seconds while the agent types and sends `off` when the field empties or
        the reply is sent; the widget hides the indicator by itself 8 seconds after the
        last `on`."""
        await self.push(chat_id, {"type": "typing", "on": on, "who": "agent",
                                  "name": name[:120]})

    async def show_seen(self, chat_id: str, message_id: int, at: datetime) -> None:
        """An agent has read the conversation: the customer's messages so far show
        "seen" (`chat_id` is the conversation's `external_chat_id`, the visitor)."""
        await self.push(chat_id, {"type": "seen", "up_to": message_id, "at": at.isoformat()})
