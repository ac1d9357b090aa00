"""A written confirmation of a callback or a warranty claim, mailed when the customer's
e-mail address is known (given earlier, e.g. for a complaint) and they wrote elsewhere:
the bot's confirmation of this turn, with the reference in the subject."""

from __future__ import annotations

from bot.conversation import Reply
from bot.mail_out import queue_mail
from bot.tickets import EMAIL_CHANNEL
from bot.turn import Turn


async def confirm_by_mail(turn: Turn, reference: str) -> None:
    """Mail what the bot said in this turn, and tell the customer it was mailed."""
    address = turn.customer.email
    if not address or turn.conversation.channel == EMAIL_CHANNEL or not turn.replies:
        return
    text = "\n\n".join(reply.text for reply in turn.replies)
    await queue_mail(turn.session, address=address, language=turn.lang, now=turn.now,
                     subject=turn.t("confirmation_mail_subject", reference=reference),
                     reply=Reply(text), name=turn.customer.name)
    turn.say("confirmation_mailed", email=address)
