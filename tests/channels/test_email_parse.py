"""Reading customer mail: the text the bot sees, threads, robots' mail and bounces."""

from __future__ import annotations

from channels.email_html import html_to_text
from channels.email_parse import channel_id, clean_subject, parse_mail

REPLY = b"""\
From: Jan Jansen <Jan@Example.org>
To: support@example.com
Subject: Re: Printer [T-10234]
Message-ID: <reply-1@example.org>
In-Reply-To: <sb.1.2.abc@example.com>
References: <first@example.org> <sb.1.2.abc@example.com>
Content-Type: text/plain; charset=utf-8

It still prints blank pages.

On Mon, 2 Nov 2026 at 10:00, Support <support@example.com> wrote:
> Please try a new cartridge.
> Kind regards
"""


def test_a_reply_is_read_without_its_quoted_history_and_with_its_thread() -> None:
    mail = parse_mail(REPLY)
    assert mail.text == "It still prints blank pages."
    assert "Please try a new cartridge." in mail.original
    assert mail.sender == "jan@example.org" and mail.sender_name == "Jan Jansen"
    assert mail.references == ("<sb.1.2.abc@example.com>", "<first@example.org>")
    assert mail.token == "T-10234" and mail.automatic is None


def test_a_signature_after_the_dash_line_is_dropped() -> None:
    mail = parse_mail(b"From: a@example.org\nMessage-ID: <s@x>\nSubject: x\n\n"
                      b"What does support cost?\n\n-- \nJan Jansen\nExample BV\n555-0142\n")
    assert mail.text == "What does support cost?"


def test_html_only_mail_becomes_text_without_markup_styles_or_scripts() -> None:
    text = html_to_text("<html><head><style>p {color: red}</style></head><body>"
                        "<p>Hallo,</p><p>mijn <b>printer</b> is kapot.</p>"
                        "<script>alert(1)</script><ul><li>model X</li></ul></body></html>")
    assert text == "Hallo,\n\nmijn printer is kapot.\n\n- model X"


def test_robots_mail_is_recognised_by_its_headers() -> None:
    def header(line: str) -> str | None:
        return parse_mail(f"From: a@example.org\n{line}\nSubject: x\n\nhi\n".encode()).automatic
    assert header("Auto-Submitted: auto-replied") == "Auto-Submitted: auto-replied"
    assert header("Auto-Submitted: no") is None
    assert header("Precedence: list") == "Precedence: list"
    assert header("List-Id: <news.example.org>") == "List-Id"
    assert header("X-Autoreply: yes") == "X-Autoreply"


def test_a_bounce_names_the_mail_it_reports_and_why() -> None:
    raw = (b'From: MAILER-DAEMON@mx.example.net\nSubject: Undelivered\n'
           b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
           b'--b\nContent-Type: text/plain\n\nSorry.\n'
           b'--b\nContent-Type: message/delivery-status\n\n'
           b'Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; x@nowhere.invalid\n'
           b'Action: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 no such user\n'
           b'--b\nContent-Type: text/rfc822-headers\n\n'
           b'Message-ID: <sb.4.9.abc@example.com>\nSubject: Re: x\n'
           b'--b--\n')
    mail = parse_mail(raw)
    assert mail.bounce is not None and mail.automatic is not None
    assert mail.bounce.message_id == "<sb.4.9.abc@example.com>"
    assert "5.1.1" in mail.bounce.reason and "no such user" in mail.bounce.reason


def test_a_long_or_missing_message_id_still_gives_a_stable_id() -> None:
    long_id = "<" + "x" * 200 + "@example.org>"
    assert channel_id(long_id, b"") == channel_id(long_id, b"other")
    assert channel_id(None, b"mail one") != channel_id(None, b"mail two")
    assert len(channel_id(long_id, b"")) <= 128


def test_reply_prefixes_and_our_token_leave_the_subject() -> None:
    assert clean_subject("AW: Re: Printer [T-10234]") == "Printer"
