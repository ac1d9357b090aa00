"""The file store on an S3-compatible bucket (AWS S3, MinIO, Ceph, ...), for production
with several replicas: every replica reads what any other one stored. Same contract as
`LocalFileStore`: content-addressed, `put` is idempotent."""

from __future__ import annotations

from typing import Any

import aioboto3
from botocore.exceptions import ClientError

from bot.files import FileMissingError, checked_key, content_key

MISSING = frozenset({"404", "NoSuchKey", "NotFound"})


class S3FileStore:
    """Files as objects `<prefix><sha256>` in one bucket."""

    def __init__(self, bucket: str, *, endpoint_url: str | None = None,
                 region: str | None = None, access_key_id: str | None = None,
                 secret_access_key: str | None = None, prefix: str = "attachments/") -> None:
        self.bucket = bucket
        self.endpoint_url = endpoint_url
        self.prefix = prefix
        self.session = aioboto3.Session(aws_access_key_id=access_key_id,
                                        aws_secret_access_key=secret_access_key,
                                        region_name=region)

    def _client(self) -> Any:
        return self.session.client("s3", endpoint_url=self.endpoint_url)

    def _name(self, key: str) -> str:
        return self.prefix + checked_key(key)

    async def put(self, content: bytes) -> str:
        key = content_key(content)
        if not await self.exists(key):
            async with self._client() as s3:
                await s3.put_object(Bucket=self.bucket, Key=self._name(key), Body=content)
        return key

    async def get(self, key: str) -> bytes:
        async with self._client() as s3:
            try:
                found = await s3.get_object(Bucket=self.bucket, Key=self._name(key))
            except ClientError as error:
                if _code(error) in MISSING:
                    raise FileMissingError(f"no file {key}") from None
                raise
            async with found["Body"] as body:
                return bytes(await body.read())

    async def delete(self, key: str) -> None:
        async with self._client() as s3:
            await s3.delete_object(Bucket=self.bucket, Key=self._name(key))

    async def exists(self, key: str) -> bool:
        async with self._client() as s3:
            try:
                await s3.head_object(Bucket=self.bucket, Key=self._name(key))
            except ClientError as error:
                if _code(error) in MISSING:
                    return False
                raise
        return True


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
