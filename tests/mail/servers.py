"""Real mail servers for the e-mail tests: Dovecot (IMAP for the mailboxes, LMTP for
delivery into them) and an in-process `aiosmtpd` SMTP server in front of it.

The SMTP side is aiosmtpd rather than Postfix: it needs no root daemon, queue or aliases,
starts in milliseconds on a free port, and hands every mail to Dovecot's LMTP while the
SMTP transaction is still open, so a mail is in the recipient's Maildir (delivered by
Dovecot itself) when the sender's `send` returns. Recipients at a `.invalid` domain cannot
be delivered: like a real submission server, it accepts them and then sends the sender a
delivery status notification (a multipart/report bounce) through the same path.

Every address is a mailbox (Dovecot's static userdb), all with the password `PASSWORD`,
so each test uses addresses of its own and never sees another test's mail.
"""

from __future__ import annotations

import email.policy
import imaplib
import os
import shutil
import smtplib
import socket
import ssl
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from email.message import Message
from email.parser import BytesParser
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

PASSWORD = "mail-test-secret"
BOUNCER = "mailer-daemon@mx.example.net"

DOVECOT_CONF = """\
protocols = imap lmtp
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
ssl = yes
ssl_cert = <{root}/tls/cert.pem
ssl_key = <{root}/tls/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {root}/dovecot.log
mail_location = maildir:{root}/mail/%u
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
first_valid_uid = 100
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/mail/%u allow_all_users=yes
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp_port}
  }}
}}
service anvil {{
  chroot =
}}
service auth {{
  user = root
}}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_dovecot() -> str:
    """The dovecot binary; installed from Debian when missing (as root, like CI)."""
    found = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "-q", "dovecot-imapd", "dovecot-lmtpd"],
                   check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    return "/usr/sbin/dovecot"


class _Delivery:
    """aiosmtpd handler: each recipient is delivered over LMTP, or bounced."""

    def __init__(self, lmtp_port: int) -> None:
        self.lmtp_port = lmtp_port
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: SMTP, session: Session,
                          envelope: Envelope) -> str:
        data = envelope.content if isinstance(envelope.content, bytes) else \
            str(envelope.content).encode()
        sender = envelope.mail_from or ""
        self.received.append((sender, list(envelope.rcpt_tos), data))
        for recipient in envelope.rcpt_tos:
            if recipient.rsplit("@", 1)[-1].endswith(".invalid"):
                if sender:
                    self.deliver(sender, bounce(sender, recipient, data))
            else:
                self.deliver(recipient, data)
        return "250 OK delivered"

    def deliver(self, recipient: str, data: bytes) -> None:
        with smtplib.LMTP("127.0.0.1", self.lmtp_port) as lmtp:
            lmtp.sendmail(BOUNCER, [recipient], data)


def bounce(sender: str, recipient: str, original: bytes) -> bytes:
    """A delivery status notification (RFC 3464) as Postfix sends one."""
    headers = original.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("utf-8", "replace")
    boundary = uuid.uuid4().hex
    text = f"""\
From: Mail Delivery System <{BOUNCER}>
To: {sender}
Subject: Undelivered Mail Returned to Sender
Message-ID: {make_msgid(domain="mx.example.net")}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"

--{boundary}
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not be delivered to
{recipient}.

--{boundary}
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; {recipient}
Action: failed
Status: 5.1.2
Diagnostic-Code: smtp; 550 5.1.2 Host or domain name not found

--{boundary}
Content-Type: text/rfc822-headers

{headers}

--{boundary}--
"""
    return text.replace("\n", "\r\n").encode()


class MailServers:
    """Dovecot + aiosmtpd, started on free localhost ports with config in a temp folder."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="supportbot-mail-"))
        self.imap_port = _free_port()  # plain, and STARTTLS
        self.imaps_port = _free_port()  # TLS from the first byte
        self.smtps_port = _free_port()
        self.ca_file = self.root / "tls" / "cert.pem"  # self-signed for 127.0.0.1
        self.lmtp_port = _free_port()
        self.smtp_port = _free_port()
        self.config = self.root / "dovecot.conf"
        self.handler = _Delivery(self.lmtp_port)
        self._smtp: list[Controller] = []

    def start(self) -> None:
        dovecot = ensure_dovecot()
        for folder in ("run", "state", "mail", "tls"):
            (self.root / folder).mkdir()
        _self_signed(self.root / "tls")
        self.config.write_text(DOVECOT_CONF.format(
            root=self.root, password=PASSWORD, imap_port=self.imap_port,
            imaps_port=self.imaps_port, lmtp_port=self.lmtp_port))
        os.chmod(self.root, 0o755)
        shutil.chown(self.root / "mail", "dovecot", "dovecot")
        # it daemonizes: its output goes to a file, so no pipe is held open by the daemon
        with open(self.root / "start.log", "wb") as output:
            started = subprocess.run([dovecot, "-c", str(self.config)], stdout=output,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        if started.returncode:
            raise RuntimeError(f"dovecot did not start: {(self.root / 'start.log').read_text()}")
        _wait_for_port(self.imap_port)
        _wait_for_port(self.lmtp_port)
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(self.ca_file, self.root / "tls" / "key.pem")
        # STARTTLS offered (not required) on the submission port; TLS only on the other
        self._smtp = [Controller(self.handler, hostname="127.0.0.1", port=self.smtp_port,
                                 tls_context=tls),
                      Controller(self.handler, hostname="127.0.0.1", port=self.smtps_port,
                                 ssl_context=tls)]
        for controller in self._smtp:
            controller.start()

    def stop(self) -> None:
        for controller in self._smtp:
            controller.stop()
        subprocess.run(["doveadm", "-c", str(self.config), "stop"], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text() if path.exists() else ""

    @staticmethod
    def address(name: str, domain: str = "example.org") -> str:
        """A fresh address (and so an empty mailbox) for one test."""
        return f"{name}-{uuid.uuid4().hex[:8]}@{domain}"

    def imap(self, user: str) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.imap_port)
        client.login(user, PASSWORD)
        client.select("INBOX")
        return client

    def put(self, user: str, message: Message | bytes) -> None:
        """Deliver a mail into `user`'s mailbox (what the customer's provider does)."""
        data = message if isinstance(message, bytes) else \
            message.as_bytes(policy=email.policy.SMTP)
        self.handler.deliver(user, data)

    def messages(self, user: str) -> list[tuple[Message, set[str]]]:
        """Every mail in `user`'s inbox with its flags, oldest first."""
        client = self.imap(user)
        try:
            _, data = client.uid("SEARCH", "ALL")
            found: list[tuple[Message, set[str]]] = []
            for uid in data[0].split():
                _, parts = client.uid("FETCH", uid, "(FLAGS BODY.PEEK[])")
                head, body = _fetched(parts)
                flags = {flag.decode() for flag in imaplib.ParseFlags(head)}
                found.append((BytesParser(policy=email.policy.default).parsebytes(body),
                              flags))
            return found
        finally:
            client.logout()

    def wait_for(self, user: str, count: int = 1, timeout: float = 20.0
                 ) -> list[Message]:
        """Wait until `user`'s inbox holds `count` mails; returns them all."""
        deadline = time.monotonic() + timeout
        while True:
            found = [message for message, _ in self.messages(user)]
            if len(found) >= count or time.monotonic() > deadline:
                assert len(found) >= count, f"{user} got {len(found)} mail(s), not {count}"
                return found
            time.sleep(0.2)


def _self_signed(folder: Path) -> None:
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem"),
                    "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def _fetched(parts: list[Any]) -> tuple[bytes, bytes]:
    for part in parts:
        if isinstance(part, tuple):
            return part[0], part[1]
    raise AssertionError(f"no message in FETCH answer {parts!r}")


def _wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"mail server port {port} did not open")


@pytest.fixture(scope="session")
def mail() -> Iterator[MailServers]:
    """The mail servers, once per test session (each test uses mailboxes of its own)."""
    servers = MailServers()
    servers.start()
    try:
        yield servers
    finally:
        servers.stop()
