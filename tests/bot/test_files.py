"""The file store keeps each content once by its hash; types are sniffed from the bytes;
signed links stop working when they expire or are changed; a file that cannot be fetched
leaves its message intact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.conversation import Attachment, Inbound
from bot.files import (
    FileMissingError,
    LocalFileStore,
    content_key,
    keep_files,
    link_valid,
    signed_path,
    sniffed_type,
)

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
SECRET = "file-link-secret-for-tests"


def _files_in(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


async def test_same_content_is_stored_once_under_its_hash(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    first, second = await store.put(PDF), await store.put(PDF)
    assert first == second == content_key(PDF)
    assert _files_in(tmp_path) == [tmp_path / first[:2] / first[2:4] / first]
    assert await store.get(first) == PDF
    await store.delete(first)
    assert not await store.exists(first)
    with pytest.raises(FileMissingError):
        await store.get(first)


async def test_a_key_that_is_no_hash_names_no_file(tmp_path: Path) -> None:
    with pytest.raises(FileMissingError, match="not a file key"):
        await LocalFileStore(tmp_path).get("../../etc/passwd")


def test_type_comes_from_the_bytes_not_the_name() -> None:
    assert sniffed_type(PDF) == "application/pdf"
    assert sniffed_type(JPEG) == "image/jpeg"
    assert sniffed_type(b'<svg xmlns="http://www.w3.org/2000/svg"></svg>') == \
        "application/octet-stream"


def test_signed_link_works_until_it_expires_and_only_unchanged() -> None:
    key = content_key(PDF)
    path = signed_path(SECRET, key, NOW + timedelta(hours=24))
    query = dict(part.split("=") for part in path.split("?")[1].split("&"))
    assert link_valid(SECRET, key, query["expires"], query["signature"], NOW)
    assert not link_valid(SECRET, key, query["expires"], query["signature"],
                          NOW + timedelta(hours=25))
    later = str(int(query["expires"]) + 3600)
    assert not link_valid(SECRET, key, later, query["signature"], NOW)
    assert not link_valid("another-secret", key, query["expires"], query["signature"], NOW)
    assert not link_valid(SECRET, content_key(JPEG), query["expires"], query["signature"], NOW)


def _inbound(*attachments: Attachment) -> Inbound:
    return Inbound(channel="telegram", chat_id="1", user_id="1", message_id="1:1", text="",
                   kind="document", attachments=attachments)


async def test_fetched_file_is_stored_with_its_sniffed_type_and_size(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)

    async def fetch(reference: str) -> bytes:
        return PDF

    declared = Attachment("document", "telegram:BQAC", "image/jpeg", 10, name="a.pdf")
    [kept] = (await keep_files(_inbound(declared), fetch, store, 5.0)).attachments
    assert (kept.file, kept.mime_type, kept.size) == (content_key(PDF), "application/pdf",
                                                      len(PDF))
    assert await store.get(kept.file) == PDF


async def test_file_that_cannot_be_fetched_stays_a_reference(tmp_path: Path) -> None:
    async def fetch(reference: str) -> bytes:
        raise ConnectionError("Bot API down")

    voice = Attachment("voice", "telegram:AwAC", "audio/ogg", 11237)
    huge = Attachment("video", "telegram:BAAC", "video/mp4", 80 * 1024 * 1024)
    kept = (await keep_files(_inbound(voice, huge), fetch, LocalFileStore(tmp_path),
                             5.0)).attachments
    assert kept == (voice, huge)
