"""Getting the NLU side ready: interpreter, cached Rasa venv and cached trained model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nlu.runtime import RasaRuntime, find_python310
from nlu.service import NluProcess
from nlu.training import ModelSpec, train


@dataclass(frozen=True)
class PreparedNlu:
    """A ready Rasa runtime and a trained model in the cache."""

    runtime: RasaRuntime
    model: Path
    cache_dir: Path

    def process(self, host: str, port: int, token: str, workers: int = 1,
                redis_url: str | None = None) -> NluProcess:
        """Return a (not yet started) service process for this model; more than one
        worker needs `redis_url` (see nlu/workers.py)."""
        log_file = self.cache_dir / "logs" / f"nlu-{port}.log"
        return NluProcess(self.runtime, self.model, host, port, token, log_file, workers,
                          redis_url)


def prepare(cache_dir: Path, log: Callable[[str], None], spec: ModelSpec | None = None,
            retrain: bool = False) -> PreparedNlu:
    """Find Python 3.10, install Rasa and train the model, each only when not cached."""
    log("[1/3] Looking for Python 3.10 for the Rasa service")
    interpreter = find_python310()
    log(f"      found {interpreter}")
    runtime = RasaRuntime.for_cache(cache_dir, interpreter)
    log("[2/3] Rasa venv")
    runtime.install(interpreter, log)
    log("[3/3] NLU model")
    model = train(runtime, spec or ModelSpec(), cache_dir, log, force=retrain)
    return PreparedNlu(runtime, model, cache_dir)

