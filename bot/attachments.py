"""Attachment limits per channel (size, count, types): what breaks them is refused with a
message to the customer in their language and recorded on the message, never dropped
silently."""

from __future__ import annotations

from typing import Any

from bot.config import AttachmentLimits
from bot.message_kinds import ANSWERS
from bot.turn import Turn


def refuse_attachments(turn: Turn) -> None:
    """Keep the attachments within the channel's limits; tell the customer about the rest."""
    limits = turn.services.lifecycle.attachment_limits.get(turn.conversation.channel)
    if limits is None or not turn.attachments:
        return
    kept: list[dict[str, Any]] = []
    refused: list[dict[str, Any]] = []
    for attachment in turn.attachments:
        if attachment.get("kind") in ANSWERS:
            kept.append(attachment)  # a voice note, a sticker: answered by its kind
            continue
        reason = _breach(attachment, limits, len(kept))
        if reason is None:
            kept.append(attachment)
        else:
            refused.append({**attachment, "refused": reason[0]})
            turn.say("attachment_refused", reason=turn.t(reason[0], **reason[1]))
    if refused:
        turn.attachments[:] = kept
        turn.message.payload = {**turn.message.payload, "attachments": kept,
                                "refused_attachments": refused}


def _breach(attachment: dict[str, Any], limits: AttachmentLimits,
            accepted: int) -> tuple[str, dict[str, object]] | None:
    size = attachment.get("size")
    mime = str(attachment.get("mime_type") or "")
    if accepted >= limits.max_count:
        return "attachment_too_many", {"limit": limits.max_count}
    if isinstance(size, int) and size > limits.max_bytes:
        return "attachment_too_large", {"limit": f"{limits.max_bytes / 1024 / 1024:g} MB"}
    if mime and mime not in limits.types:
        return "attachment_wrong_type", {"type": mime}
    return None
