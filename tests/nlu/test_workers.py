"""Several Rasa workers: the service started with more than one gets Rasa's Redis lock
store (without it Rasa 3.6 silently runs one) and `SANIC_WORKERS`; one worker changes
nothing, and several without Redis are refused with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nlu.workers import lock_store_endpoints, worker_options


def test_two_workers_get_a_redis_lock_store_and_sanic_workers(tmp_path: Path) -> None:
    arguments, environment = worker_options(2, "redis://:s3cret@cache.example.com:6380/2",
                                            tmp_path, 5005)
    assert arguments[0] == "--endpoints" and environment == {"SANIC_WORKERS": "2"}
    store = yaml.safe_load(Path(arguments[1]).read_text())["lock_store"]
    assert store == {"type": "redis", "url": "cache.example.com", "port": 6380, "db": 2,
                     "password": "s3cret", "key_prefix": "supportbotnlu", "use_ssl": False}


def test_one_worker_runs_rasa_as_before(tmp_path: Path) -> None:
    assert worker_options(1, None, tmp_path, 5005) == ([], {})
    assert list(tmp_path.iterdir()) == []


def test_several_workers_without_redis_are_refused_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="SUPPORTBOT_REDIS_URL"):
        worker_options(2, None, tmp_path, 5005)


def test_a_tls_redis_url_keeps_tls_and_the_default_port() -> None:
    store = lock_store_endpoints("rediss://cache.example.com")["lock_store"]
    assert store == {"type": "redis", "url": "cache.example.com", "port": 6379, "db": 0,
                     "key_prefix": "supportbotnlu", "use_ssl": True}
