"""The mail servers, once per test session (each test uses mailboxes of its own)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mail.servers import MailServers, mail_servers


@pytest.fixture(scope="session")
def mail() -> Iterator[MailServers]:
    yield from mail_servers()
