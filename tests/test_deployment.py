"""The deployment files say what the docs promise: compose runs studybot with PostgreSQL and waits
for it; the image runs as a non-root user with a health check; the CLI names its version."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_runs_the_bot_with_postgres_and_waits_for_it() -> None:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "bot"}
    db, bot = services["db"], services["bot"]
    assert db["image"].startswith("postgres:")
    volume = db["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]  # a named volume: the data outlives the container
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    url = bot["environment"]["STUDYBOT_DATABASE_URL"]
    assert url.startswith("postgresql://")
    assert "@db:5432/" in url
    assert bot["build"] == "."


def test_the_image_runs_studybot_as_a_non_root_user_with_a_health_check() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.\d+-slim", dockerfile, re.MULTILINE)
    users = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert users
    assert users[-1] not in {"root", "0"}
    assert "HEALTHCHECK" in dockerfile
    assert "/healthz" in dockerfile
    assert 'ENTRYPOINT ["studybot"]' in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored  # secrets never go into an image layer


def test_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--version"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0
    assert re.fullmatch(r"studybot \d+\.\d+\.\d+\n", result.stdout)


def test_the_licence_is_declared_once_as_spdx() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'license = "MIT"' in pyproject
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
