"""Reading one customer mail: who wrote it, which thread it belongs to, what it says
without quoted history and signature, its attachments, and whether it is a robot's mail
(auto-reply, list or bulk mail, a bounce) that the bot must not answer."""

from __future__ import annotations

import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message, MIMEPart
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from mailparser_reply import EmailReplyParser

from channels.email_html import html_to_text

MAX_ID = 128  # the stored channel message id's length
MAX_ORIGINAL_CHARS = 100_000
TOKEN = re.compile(r"\[(T-\d{4,6})\]")
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
REPLY_LANGUAGES = ["en", "de", "nl"]
SENT_FROM = re.compile(r"^\s*(sent from my|verzonden vanaf mijn|von meinem \S+ gesendet)",
                       re.I)


@dataclass(frozen=True)
class Bounce:
    """A delivery status notification: the Message-ID it reports on and why it failed."""

    message_id: str | None
    reason: str


@dataclass(frozen=True)
class ParsedMail:
    """What the channel needs of one mail."""

    message_id: str
    sender: str  # the From address, lower case
    sender_name: str | None
    subject: str
    text: str  # without quoted history and signature
    original: str  # the whole text as the customer sent it
    references: tuple[str, ...]  # In-Reply-To first, then References, newest first
    attachments: tuple[dict[str, Any], ...] = ()
    automatic: str | None = None  # why the bot must not answer it
    bounce: Bounce | None = None
    language: str | None = None
    authenticated: bool = False  # our mail provider vouches for the From domain (DMARC)
    received_at: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def token(self) -> str | None:
        """The ticket reference in the subject, e.g. `T-10234`."""
        found = TOKEN.search(self.subject)
        return found.group(1) if found else None


def parse_mail(raw: bytes, authserv_id: str | None = None) -> ParsedMail:
    """Parse a whole RFC 5322 message (raw bytes as fetched over IMAP). `authserv_id`
    names the provider whose Authentication-Results header is believed."""
    message = BytesParser(policy=email.policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    original = _body_text(message)
    stripped = strip_quotes(original)
    name, address = _sender(message)
    subject = str(message.get("Subject", "") or "").strip()
    return ParsedMail(
        message_id=channel_id(message.get("Message-ID"), raw), sender=address,
        sender_name=name or None, subject=subject,
        text=stripped or clean_subject(subject), original=original[:MAX_ORIGINAL_CHARS],
        references=_references(message), attachments=tuple(_attachments(message)),
        automatic=_automatic(message, address), bounce=_bounce(message),
        language=_language(message), received_at=_date(message),
        authenticated=authenticated(message, address, authserv_id),
        headers={key: str(message.get(key)) for key in
                 ("From", "To", "Cc", "Date", "Subject", "Message-ID", "In-Reply-To")
                 if message.get(key) is not None})


def channel_id(header: object, raw: bytes) -> str:
    """The stored id of a mail: its Message-ID, or a digest of it (or of the whole mail
    when it has none), so the same mail fetched twice is recognised as a duplicate."""
    found = MESSAGE_ID.search(str(header or ""))
    if found and len(found.group(0)) <= MAX_ID:
        return found.group(0)
    source = found.group(0).encode() if found else raw
    return "sha256:" + hashlib.sha256(source).hexdigest()


def strip_quotes(text: str) -> str:
    """The newest reply of a mail body: quoted history and signature removed."""
    if not text.strip():
        return ""
    try:
        latest = EmailReplyParser(languages=REPLY_LANGUAGES).parse_reply(text)
    except Exception:  # a pattern the library trips over: keep the whole text
        latest = None
    lines: list[str] = []
    for line in (latest or text).strip().splitlines():
        if line.rstrip() == "--" or SENT_FROM.match(line):  # RFC 3676 signature, phones
            break
        if not line.startswith(">"):
            lines.append(line)
    return "\n".join(lines).strip()


def clean_subject(subject: str) -> str:
    """The subject without reply prefixes and our ticket token."""
    subject = TOKEN.sub("", subject)
    return re.sub(r"^\s*((re|aw|antw|fwd?|wg)\s*:\s*)+", "", subject, flags=re.I).strip()


def _body_text(message: EmailMessage) -> str:
    """The plain-text body, or the HTML body made text when there is no plain one."""
    part = message.get_body(preferencelist=("plain",))
    if part is not None:
        return _content(part)
    part = message.get_body(preferencelist=("html",))
    if part is not None:
        return html_to_text(_content(part))
    return ""


def _content(part: MIMEPart) -> str:
    try:
        return str(part.get_content())
    except (LookupError, ValueError):  # an unknown charset: decode what we can
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def _sender(message: EmailMessage) -> tuple[str, str]:
    found = getaddresses([str(message.get("From", ""))])
    name, address = found[0] if found else ("", "")
    return name, address.strip().lower()


def _references(message: EmailMessage) -> tuple[str, ...]:
    ids = MESSAGE_ID.findall(str(message.get("In-Reply-To", "")))
    ids += reversed(MESSAGE_ID.findall(str(message.get("References", ""))))
    return tuple(dict.fromkeys(ids))


def _attachments(message: EmailMessage) -> list[dict[str, Any]]:
    found = []
    for index, part in enumerate(message.iter_attachments()):
        payload = part.get_payload(decode=True)
        size = len(payload) if isinstance(payload, bytes) else None
        found.append({"kind": "file", "reference": f"email-part:{index}",
                      "mime_type": part.get_content_type(), "size": size,
                      "name": part.get_filename()})
    return found


def _automatic(message: EmailMessage, sender: str) -> str | None:
    """Why this mail must get no bot answer (RFC 3834 and the usual list/bulk headers)."""
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    for header in ("X-Autoreply", "X-Autorespond"):
        if message.get(header) is not None:
            return header
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence in {"bulk", "list", "junk", "auto_reply"}:
        return f"Precedence: {precedence}"
    for header in ("List-Id", "List-Unsubscribe"):
        if message.get(header) is not None:
            return header
    if message.get_content_type() == "multipart/report":
        return "delivery status notification"
    local = sender.split("@", 1)[0]
    if local in {"mailer-daemon", "postmaster"} or not sender:
        return "sent by a mail system"
    return None


def _bounce(message: EmailMessage) -> Bounce | None:
    """The report of a delivery status notification (RFC 3464), if this is one."""
    if message.get_content_type() != "multipart/report":
        return None
    fields: dict[str, str] = {}
    original: str | None = None
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            blocks = part.get_payload() if part.is_multipart() else []
            for block in blocks if isinstance(blocks, list) else []:
                if isinstance(block, Message):
                    for key, value in block.items():
                        fields.setdefault(key.lower(), str(value))
            if not fields:
                raw = part.get_payload(decode=True)
                fields.update(_header_fields(raw if isinstance(raw, bytes) else b""))
        elif kind in {"text/rfc822-headers", "message/rfc822"}:
            original = original or _original_id(part)
    reason = "; ".join(f"{key}: {fields[key]}" for key in
                       ("final-recipient", "action", "status", "diagnostic-code")
                       if key in fields) or "the receiving mail server returned the mail"
    return Bounce(original, reason)


def _header_fields(raw: bytes) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in raw.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition(":")
        if sep and not line.startswith((" ", "\t")):
            fields.setdefault(key.strip().lower(), value.strip())
    return fields


def _original_id(part: Message) -> str | None:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        header = inner.get("Message-ID") if hasattr(inner, "get") else None
    else:
        raw = part.get_payload(decode=True)
        header = _header_fields(raw if isinstance(raw, bytes) else b"").get("message-id")
    found = MESSAGE_ID.search(str(header or ""))
    return found.group(0) if found else None


def authenticated(message: EmailMessage, sender: str, authserv_id: str | None) -> bool:
    """Whether the receiving provider's Authentication-Results (the topmost one, which it
    added itself; RFC 8601 has it remove look-alikes from outside) show that DMARC passed
    for the From domain. With `authserv_id` set, only that provider's header counts."""
    header = message.get_all("Authentication-Results") or []
    if not header:
        return False
    result = str(header[0]).lower()
    server = result.split(";", 1)[0].strip()
    if authserv_id and server != authserv_id.lower():
        return False
    domain = sender.rsplit("@", 1)[-1]
    return bool(re.search(r"\bdmarc=pass\b[^;]*header\.from=" + re.escape(domain) + r"\b",
                          result))


def _language(message: EmailMessage) -> str | None:
    value = str(message.get("Content-Language", "")).strip().lower()[:2]
    return value if value in {"en", "nl", "de"} else None


def _date(message: EmailMessage) -> Any:
    try:
        return parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        return None
