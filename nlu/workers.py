"""Several Rasa workers behind the NLU service's one port.

Rasa 3.6 runs `SANIC_WORKERS` Sanic processes (each loads the model: about 1.1 GB) only
with a lock store other than its in-memory one, although `/model/parse` takes no lock; so
with more than one worker the service gets an endpoints file naming a Redis lock store.
Measured on 2 busy cores, two workers parsed 96-148 requests/s where one parsed 77-91.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import yaml

LOCK_KEY_PREFIX = "supportbotnlu"  # Rasa allows letters and digits only


def lock_store_endpoints(redis_url: str) -> dict[str, object]:
    """Rasa's `endpoints.yml` content for a Redis lock store at `redis_url`."""
    parts = urlsplit(redis_url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise ValueError(f"not a redis:// or rediss:// URL: {redis_url!r}")
    store: dict[str, object] = {
        "type": "redis", "url": parts.hostname, "port": parts.port or 6379,
        "db": int(parts.path.strip("/") or 0), "key_prefix": LOCK_KEY_PREFIX,
        "use_ssl": parts.scheme == "rediss"}
    if parts.password:
        store["password"] = parts.password
    return {"lock_store": store}


def worker_options(workers: int, redis_url: str | None,
                   folder: Path, port: int) -> tuple[list[str], dict[str, str]]:
    """The extra `rasa run` arguments and environment for `workers` Sanic workers (none
    for one); more than one needs `redis_url`."""
    if workers <= 1:
        return [], {}
    if redis_url is None:
        raise ValueError("several NLU workers need SUPPORTBOT_REDIS_URL (Rasa's lock store)")
    endpoints = folder / f"nlu-{port}-endpoints.yml"
    endpoints.parent.mkdir(parents=True, exist_ok=True)
    endpoints.write_text(yaml.safe_dump(lock_store_endpoints(redis_url)))
    return ["--endpoints", str(endpoints)], {"SANIC_WORKERS": str(workers)}
