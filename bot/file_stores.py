"""Which file store the settings name: the S3-compatible bucket when one is set, else the
local folder (`bot/files.py`)."""

from __future__ import annotations

from bot.config import Settings
from bot.files import FileStore, LocalFileStore


def file_store(settings: Settings) -> FileStore:
    """The store the settings name: the bucket when one is set, else the local folder."""
    if settings.files_s3_bucket:
        from bot.files_s3 import S3FileStore

        secret = settings.files_s3_secret_access_key
        return S3FileStore(settings.files_s3_bucket, endpoint_url=settings.files_s3_endpoint_url,
                           region=settings.files_s3_region,
                           access_key_id=settings.files_s3_access_key_id,
                           secret_access_key=secret.get_secret_value() if secret else None)
    return LocalFileStore(settings.files_dir)
