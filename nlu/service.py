"""Starting, probing and stopping the Rasa NLU HTTP service."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from nlu.errors import ServiceStartError
from nlu.runtime import RasaRuntime
from nlu.training import rasa_environment
from nlu.workers import worker_options


def service_status(base_url: str, token: str, timeout: float = 1.0) -> dict[str, object] | None:
    """Return Rasa's `/status` answer when a service with a loaded model answers, else None."""
    query = urllib.parse.urlencode({"token": token})
    try:
        with urllib.request.urlopen(f"{base_url}/status?{query}", timeout=timeout) as response:
            body = json.loads(response.read())
    except (OSError, ValueError, urllib.error.URLError):
        return None
    if isinstance(body, dict) and body.get("model_file"):
        return body
    return None


class NluProcess:
    """A Rasa HTTP server (`rasa run --enable-api`) that this process started and owns."""

    def __init__(self, runtime: RasaRuntime, model: Path, host: str, port: int, token: str,
                 log_file: Path, workers: int = 1, redis_url: str | None = None) -> None:
        self.workers = workers
        self.redis_url = redis_url
        self.runtime = runtime
        self.model = model
        self.host = host
        self.port = port
        self.token = token
        self.log_file = log_file
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        """Launch the server in its own process group, logging to `log_file`."""
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        command = [
            str(self.runtime.rasa), "run", "--enable-api", "--auth-token", self.token,
            "--model", str(self.model), "--interface", self.host, "--port", str(self.port),
            "--log-file", str(self.log_file),
        ]
        arguments, environment = worker_options(self.workers, self.redis_url,
                                                self.log_file.parent, self.port)
        with self.log_file.open("ab") as output:
            self._process = subprocess.Popen(
                command + arguments, stdout=output, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, cwd=self.log_file.parent,
                env={**rasa_environment(), **environment}, start_new_session=True,
            )

    def wait_healthy(self, timeout: float, progress: Callable[[float], None] | None = None) -> None:
        """Block until `/status` reports a loaded model.

        Raises:
            ServiceStartError: when the process exits or the timeout passes first.
        """
        started = time.monotonic()
        while (elapsed := time.monotonic() - started) < timeout:
            if self._process is not None and self._process.poll() is not None:
                raise ServiceStartError(
                    f"The NLU service exited with code {self._process.returncode}; "
                    f"see {self.log_file}"
                )
            if service_status(self.url, self.token) is not None:
                return
            if progress is not None:
                progress(elapsed)
            time.sleep(0.5)
        self.stop()
        raise ServiceStartError(
            f"The NLU service on {self.url} was not ready after {timeout:.0f} s; "
            f"see {self.log_file}"
        )

    def stop(self, grace: float = 10.0) -> None:
        """Terminate the server's process group, killing it if it does not exit in time."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def ensure_service(
    url: str, token: str, start: Callable[[], NluProcess], log: Callable[[str], None],
    timeout: float,
) -> Iterator[str]:
    """Yield the URL of a healthy NLU service; start one when none answers, stop it afterwards."""
    if service_status(url, token) is not None:
        log(f"Using the NLU service already running at {url}")
        yield url
        return
    process = start()
    log(f"Starting the NLU service at {process.url} (ready in about 25 s)")
    process.start()
    try:
        process.wait_healthy(timeout)
        log(f"NLU service ready at {process.url}")
        yield process.url
    finally:
        process.stop()
