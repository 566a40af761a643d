"""Settings for tests, and the environment variables Settings reads (so tests can clear them)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import AliasChoices

from assistant.settings import Settings


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings isolated from the developer's environment and .env."""
    values: dict[str, object] = {"data_dir": data_dir, "embedder": "hash:64"}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def settings_env_names() -> frozenset[str]:
    """Every environment variable Settings reads, upper-cased: derived from its fields, prefix and aliases."""
    prefix = Settings.model_config.get("env_prefix", "")
    names: set[str] = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias or field.alias
        if isinstance(alias, AliasChoices):
            names.update(choice for choice in alias.choices if isinstance(choice, str))
        elif isinstance(alias, str):
            names.add(alias)
        else:
            names.add(f"{prefix}{name}")
    return frozenset(name.upper() for name in names)


def clear_settings_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unset every variable Settings would read, in any letter case (Settings matches names case-insensitively)."""
    wanted = settings_env_names()
    for name in list(os.environ):
        if name.upper() in wanted:
            monkeypatch.delenv(name)
