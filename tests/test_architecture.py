"""The one rule above all: the core and the features know nothing about platforms or timers; and
only the store speaks SQL."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {"slack_bolt", "slack_sdk", "discord", "aiohttp", "apscheduler"}
ADAPTERS = {"bot.adapters"}
# SQL lives in bot/store only: features and the scheduler reach the database through its modules.
SQL = {"sqlalchemy", "alembic", "asyncpg", "aiosqlite", "sqlite3"}
RULES: dict[str, set[str]] = {
    # The core knows neither the store nor the scheduler: contexts are generic over the services.
    "bot/core": FORBIDDEN | ADAPTERS | SQL | {"bot.store", "bot.features", "scheduler"},
    "bot/features": FORBIDDEN | ADAPTERS | SQL,
    "content": FORBIDDEN | ADAPTERS | SQL | {"bot"},
    # The scheduler is policy (recurrence, claiming, pacing, retries); kinds plug into it through
    # bot.core.scheduled, so it never imports a feature.
    "scheduler": {"slack_bolt", "slack_sdk", "discord", "aiohttp"}
    | ADAPTERS
    | SQL
    | {"bot.features"},
}


def imported_modules(source: str) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def violations(root: Path, package: str, forbidden: set[str]) -> list[str]:
    found = []
    for path in sorted((root / package).rglob("*.py")):
        for module in sorted(imported_modules(path.read_text(encoding="utf-8"))):
            if any(module == bad or module.startswith(bad + ".") for bad in forbidden):
                found.append(f"{path.relative_to(root)} imports {module}")
    return found


@pytest.mark.parametrize("package", sorted(RULES))
def test_package_imports_no_platform_code(package: str) -> None:
    assert (ROOT / package).is_dir()
    assert violations(ROOT, package, RULES[package]) == []


def test_the_rule_catches_a_violation(tmp_path: Path) -> None:
    (tmp_path / "bot" / "core").mkdir(parents=True)
    (tmp_path / "bot" / "core" / "leak.py").write_text(
        "from discord import Embed\nimport slack_sdk.web\n"
    )
    found = violations(tmp_path, "bot/core", RULES["bot/core"])
    assert found == ["bot/core/leak.py imports discord", "bot/core/leak.py imports slack_sdk.web"]


def test_the_scheduler_may_not_reach_into_a_feature(tmp_path: Path) -> None:
    (tmp_path / "scheduler").mkdir()
    (tmp_path / "scheduler" / "leak.py").write_text(
        "from bot.features.nudges import NudgeKind\nfrom sqlalchemy import select\n"
    )
    found = violations(tmp_path, "scheduler", RULES["scheduler"])
    assert found == [
        "scheduler/leak.py imports bot.features.nudges",
        "scheduler/leak.py imports sqlalchemy",
    ]


def test_every_command_and_button_in_a_feature_module_is_registered() -> None:
    """A handler in a module left out of feature_modules() would never answer (its button
    would say "no longer does anything")."""
    import importlib
    import pkgutil

    import bot.features
    from bot.core.registry import Registry
    from bot.features import feature_modules

    everything = [
        importlib.import_module(f"bot.features.{info.name}")
        for info in pkgutil.iter_modules(bot.features.__path__)
    ]
    found = Registry.collect(everything)
    registered = Registry.collect(feature_modules())
    assert {spec.name for spec in found.commands} == {spec.name for spec in registered.commands}
    assert found.action_names == registered.action_names
