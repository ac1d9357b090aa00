"""How many app and NLU workers `supportbot run` starts: one per core by default when
PostgreSQL and Redis are there, one (with the reason said) when they are not, and an
explicit number that cannot work is refused."""

from __future__ import annotations

import pytest

from bot.config import Settings
from cli.common import CliError
from cli.workers import nlu_worker_count, worker_count

POSTGRES = "postgresql+asyncpg://bot@db.example.com/support"
REDIS = "redis://cache.example.com:6379/0"


def test_by_default_every_core_gets_a_worker_with_postgres_and_redis(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    said: list[str] = []
    settings = Settings(database_url=POSTGRES, redis_url=REDIS)
    assert worker_count(None, settings, said.append) == 4
    assert said == []


def test_by_default_sqlite_runs_one_worker_and_says_why(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    said: list[str] = []
    settings = Settings(database_url="sqlite+aiosqlite:///support.db", redis_url=REDIS)
    assert worker_count(None, settings, said.append) == 1
    assert len(said) == 1 and "PostgreSQL" in said[0] and "REDIS" not in said[0]


def test_asking_for_workers_without_redis_is_refused_with_the_reason() -> None:
    settings = Settings(database_url=POSTGRES, redis_url=None, workers=3)
    with pytest.raises(CliError, match="3 workers need SUPPORTBOT_REDIS_URL"):
        worker_count(None, settings, print)


def test_nlu_workers_follow_the_app_workers_and_need_redis() -> None:
    said: list[str] = []
    assert nlu_worker_count(Settings(redis_url=REDIS), 2, said.append) == 2
    assert nlu_worker_count(Settings(redis_url=REDIS, nlu_workers=3), 1, said.append) == 3
    assert said == []
    assert nlu_worker_count(Settings(redis_url=None), 2, said.append) == 1
    assert "SUPPORTBOT_REDIS_URL" in said[0]
