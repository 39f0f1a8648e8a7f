"""Shared fixtures: no real network, no leaking configuration, a store on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.app import Application, build_application
from bot.core.model import Member
from bot.settings import Settings
from bot.store.db import create_engine, upgrade_database
from bot.store.repos import Store
from tests.chat import Chat
from tests.fakes.clock import FakeClock

POSTGRES_ENV = "STUDYBOT_TEST_POSTGRES_URL"
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@pytest.fixture(autouse=True, scope="session")
def _no_real_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests (and the processes they start) write nothing into the developer's home: data,
    config and caches (charts, console history, matplotlib's font cache) go to a temporary
    home shared by the session."""
    home = tmp_path_factory.mktemp("home")
    for name, folder in (
        ("HOME", home),
        ("XDG_DATA_HOME", home / ".local" / "share"),
        ("XDG_CONFIG_HOME", home / ".config"),
        ("XDG_CACHE_HOME", home / ".cache"),
        ("MPLCONFIGDIR", home / ".config" / "matplotlib"),
    ):
        os.environ[name] = str(folder)
    # matplotlib builds its font cache on first use (seconds): do it now, once, so no test's
    # first chart is slow enough to change what it measures (e.g. a Discord deferral).
    subprocess.run(
        [sys.executable, "-c", "import matplotlib.pyplot"], check=True, capture_output=True
    )


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A developer's own tokens or database must never leak into a test."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "DISCORD_")) or (
            name.startswith("STUDYBOT_") and name != POSTGRES_ENV
        ):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # so no developer `.env` is read


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection to a non-loopback host fails the test loudly."""
    real_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            if host not in _LOOPBACK and not str(host).startswith("127."):
                raise RuntimeError(f"test tried to reach {host!r}; use a loopback fake")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


async def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: SQLite always, PostgreSQL when the CI variable names one."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'studybot.db'}"
    url = postgres_url()
    if url is None:
        pytest.skip(f"PostgreSQL case: set {POSTGRES_ENV} (.ci/run does) to run it")
    await reset_postgres(url)
    return url


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    engine = create_engine(database_url)
    await upgrade_database(engine)
    yield Store(engine)
    await engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


ADMIN = Member(id="test:admin", name="Ada", is_admin=True)


@pytest.fixture
async def app(database_url: str, clock: FakeClock) -> AsyncIterator[Application]:
    """studybot on a fresh database (SQLite, and PostgreSQL where configured)."""
    application = await build_application(Settings(STUDYBOT_DATABASE_URL=database_url), clock=clock)
    yield application
    await application.close()


@pytest.fixture
def chat(app: Application) -> Chat:
    return Chat(dispatcher=app.dispatcher)


@pytest.fixture
def admin(app: Application) -> Chat:
    """The same conversation, typed by a group admin."""
    return Chat(dispatcher=app.dispatcher, member=ADMIN)
