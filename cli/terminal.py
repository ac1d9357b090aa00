"""The terminal as a channel: its sender prints what the outbox delivers, as text with
numbered buttons or as one JSON object per reply."""

from __future__ import annotations

import json

from bot.channel import Delivery
from bot.conversation import TurnResult

CHANNEL = "cli"


class TerminalSender:
    """Prints deliveries; `turn` is the turn being shown, for the JSON fields that describe
    it (intent, confidence, language, ticket)."""

    channel = CHANNEL

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.turn: TurnResult | None = None

    async def send(self, delivery: Delivery) -> str:
        reply, turn = delivery.reply, self.turn
        if self.as_json:
            print(json.dumps({
                "text": reply.text, "buttons": [b.title for b in reply.buttons],
                "payloads": [b.payload for b in reply.buttons],
                "intent": turn.intent if turn else None,
                "confidence": turn.confidence if turn else None,
                "language": turn.language if turn else None,
                "ticket": turn.ticket if turn else None,
            }, ensure_ascii=False), flush=True)
        else:
            print(f"bot> {reply.as_text()}", flush=True)
        return f"cli:{delivery.message_id}"
