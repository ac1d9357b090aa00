"""Training the Rasa NLU model, cached by a hash of everything the model depends on."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nlu.errors import TrainingError
from nlu.runtime import NLU_DIR, RASA_REQUIREMENTS, RasaRuntime, content_hash

DEFAULT_CONFIG = NLU_DIR / "config.yml"
DEFAULT_TRAINING_DATA = NLU_DIR / "data" / "nlu.yml"
HELD_OUT_DATA = NLU_DIR / "data" / "test_nlu.yml"
COMPONENTS_DIR = NLU_DIR / "rasa_components"


def rasa_environment() -> dict[str, str]:
    """Environment for Rasa subprocesses: no telemetry, quiet TensorFlow."""
    env = dict(os.environ)
    path = [str(NLU_DIR.parent), env.get("PYTHONPATH", "")]
    env.update({
        "PYTHONPATH": os.pathsep.join(p for p in path if p),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "PYTHONWARNINGS": "ignore",
    })
    return env


@dataclass(frozen=True)
class ModelSpec:
    """What a model is trained from; its hash names the cached model file."""

    config: Path = DEFAULT_CONFIG
    training_data: Path = DEFAULT_TRAINING_DATA

    @property
    def key(self) -> str:
        components = [p.read_bytes() for p in sorted(COMPONENTS_DIR.glob("*.py"))]
        return content_hash(
            self.config.read_bytes(), self.training_data.read_bytes(),
            RASA_REQUIREMENTS.read_bytes(), *components,
        )

    def model_path(self, cache_dir: Path) -> Path:
        return cache_dir / "models" / f"nlu-{self.key}.tar.gz"


def train(
    runtime: RasaRuntime, spec: ModelSpec, cache_dir: Path, log: Callable[[str], None],
    force: bool = False,
) -> Path:
    """Train the model unless the cache has one for exactly this config and data.

    Returns:
        The path of the trained model archive.

    Raises:
        TrainingError: when Rasa exits with an error or writes no model.
    """
    target = spec.model_path(cache_dir)
    if target.exists() and not force:
        log(f"Model is up to date (cached): {target}")
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    log(f"Training the NLU model from {spec.training_data.name} (about 2-3 minutes)")
    with tempfile.TemporaryDirectory(prefix="supportbot-train-") as work:
        out_dir = Path(work) / "out"
        command = [
            str(runtime.rasa), "train", "nlu", "--config", str(spec.config),
            "--nlu", str(spec.training_data), "--out", str(out_dir),
            "--fixed-model-name", "model",
        ]
        try:
            subprocess.run(command, check=True, cwd=work, env=rasa_environment())
        except (OSError, subprocess.CalledProcessError) as error:
            raise TrainingError(f"Rasa training failed: {error}") from error
        produced = out_dir / "model.tar.gz"
        if not produced.exists():
            raise TrainingError(f"Rasa finished but wrote no model to {out_dir}")
        partial = target.with_suffix(".partial")
        shutil.move(str(produced), partial)
        partial.replace(target)
    log(f"Model trained: {target}")
    return target
