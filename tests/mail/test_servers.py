"""The test mail servers speak the real protocols: SMTP in, Dovecot's Maildir, IMAP out."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from tests.mail.servers import BOUNCER, MailServers


def _mail(sender: str, recipient: str, subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, recipient, subject
    message.set_content("Hello there")
    return message


def test_a_mail_sent_over_smtp_lands_unseen_in_the_recipients_imap_inbox(
    mail: MailServers,
) -> None:
    sender, recipient = mail.address("jan"), mail.address("support", "example.com")
    with smtplib.SMTP("127.0.0.1", mail.smtp_port) as smtp:
        smtp.send_message(_mail(sender, recipient, "Printer broken"))
    [(message, flags)] = mail.messages(recipient)
    assert message["Subject"] == "Printer broken" and "\\Seen" not in flags


def test_a_mail_to_an_unknown_domain_comes_back_as_a_delivery_report(
    mail: MailServers,
) -> None:
    sender = mail.address("support", "example.com")
    with smtplib.SMTP("127.0.0.1", mail.smtp_port) as smtp:
        smtp.send_message(_mail(sender, "nobody@nowhere.invalid", "Your ticket"))
    [bounce] = mail.wait_for(sender)
    assert bounce.get_content_type() == "multipart/report"
    assert BOUNCER in bounce["From"] and "nobody@nowhere.invalid" in bounce.as_string()
