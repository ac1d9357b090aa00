"""The Python 3.10 runtime of the Rasa service: interpreter discovery and the cached venv."""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nlu.errors import PythonNotFoundError, RasaInstallError

NLU_DIR = Path(__file__).resolve().parent
RASA_REQUIREMENTS = NLU_DIR / "requirements-rasa.txt"
_COMPLETE_MARK = ".supportbot-complete"


def find_python310(search_path: str | None = None, pyenv_root: Path | None = None) -> Path:
    """Find a working Python 3.10 interpreter: first on PATH, then in pyenv's versions.

    A pyenv shim on PATH that does not resolve to 3.10 is skipped.

    Raises:
        PythonNotFoundError: naming every place that was searched.
    """
    root = pyenv_root or Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    pattern = str(root / "versions" / "3.10.*" / "bin" / "python3.10")
    on_path = shutil.which("python3.10", path=search_path)
    candidates = [on_path] if on_path else []
    candidates += sorted(glob.glob(pattern), key=_version_key, reverse=True)
    for candidate in candidates:
        if _is_python310(Path(candidate)):
            return Path(candidate)
    raise PythonNotFoundError(
        "No Python 3.10 found (Rasa 3.6 needs it): looked for python3.10 on PATH and for "
        f"{pattern}. Install one, e.g. `pyenv install 3.10` or `apt-get install python3.10`, "
        "then run the command again."
    )


def _is_python310(interpreter: Path) -> bool:
    try:
        result = subprocess.run(
            [str(interpreter), "-c", "import sys; print(sys.version_info[:2] == (3, 10))"],
            capture_output=True, text=True, timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and result.stdout.strip() == "True"


def _version_key(path: str) -> tuple[int, ...]:
    version = Path(path).parent.parent.name
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def content_hash(*parts: bytes, length: int = 16) -> str:
    """Return a short, stable hash of the given contents, used as a cache key."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:length]


@dataclass(frozen=True)
class RasaRuntime:
    """A Rasa venv in the cache, keyed by the pinned requirements and the interpreter version."""

    venv: Path

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def rasa(self) -> Path:
        return self.venv / "bin" / "rasa"

    @property
    def is_installed(self) -> bool:
        return (self.venv / _COMPLETE_MARK).exists() and self.rasa.exists()

    @classmethod
    def for_cache(cls, cache_dir: Path, interpreter: Path) -> RasaRuntime:
        """Return the runtime whose venv path depends on what the venv is built from."""
        key = content_hash(RASA_REQUIREMENTS.read_bytes(), _interpreter_version(interpreter))
        return cls(venv=cache_dir / f"rasa-venv-{key}")

    def install(self, interpreter: Path, log: Callable[[str], None]) -> None:
        """Create the venv and install the pinned Rasa into it (skipped when already complete).

        Raises:
            RasaInstallError: when venv creation or pip fails.
        """
        if self.is_installed:
            log(f"Rasa venv is ready (cached): {self.venv}")
            return
        if self.venv.exists():
            shutil.rmtree(self.venv)
        self.venv.parent.mkdir(parents=True, exist_ok=True)
        log(f"Creating the Rasa venv with {interpreter}: {self.venv}")
        _run([str(interpreter), "-m", "venv", str(self.venv)], "creating the Rasa venv")
        pip = [str(self.python), "-m", "pip", "--disable-pip-version-check"]
        _run([*pip, "install", "--upgrade", "pip"], "upgrading pip in the Rasa venv")
        log("Installing Rasa (about 2 minutes and 2.7 GB on a first run)")
        _run([*pip, "install", "--progress-bar", "on", "-r", str(RASA_REQUIREMENTS)],
             "installing Rasa")
        (self.venv / _COMPLETE_MARK).write_text(RASA_REQUIREMENTS.read_text())
        log("Rasa installed")


def _interpreter_version(interpreter: Path) -> bytes:
    result = subprocess.run(
        [str(interpreter), "-c", "import sys; print(sys.version)"],
        capture_output=True, check=True, text=True,
    )
    return result.stdout.strip().encode()


def _run(command: list[str], what: str) -> None:
    try:
        subprocess.run(command, check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        raise RasaInstallError(f"Failed while {what}: {error}") from error
