"""The tests' environment isolation covers every setting: each variable Settings reads is cleared before a test."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from assistant.settings import Settings
from tests.support.settings import clear_settings_env, settings_env_names

JUNK = "junk-from-the-developer-environment"


def _defaults() -> dict[str, object]:
    return Settings(_env_file=None).model_dump()  # type: ignore[call-arg]


def test_every_name_cleared_is_one_that_settings_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = _defaults()
    for name in sorted(settings_env_names()):
        with monkeypatch.context() as patch:
            patch.setenv(name, JUNK)
            try:
                changed = Settings(_env_file=None).model_dump() != defaults  # type: ignore[call-arg]
            except ValidationError:
                changed = True
        assert changed, f"Settings does not read {name}"


def test_a_variable_set_for_every_field_is_cleared(monkeypatch: pytest.MonkeyPatch) -> None:
    prefix = Settings.model_config.get("env_prefix", "")
    per_field = {f"{prefix}{name}".upper() for name in Settings.model_fields}
    for name in per_field | settings_env_names():
        monkeypatch.setenv(name, JUNK)
        monkeypatch.setenv(name.lower(), JUNK)

    clear_settings_env(monkeypatch)

    assert Settings(_env_file=None).model_dump() == _defaults()  # type: ignore[call-arg]
    assert per_field.isdisjoint(key.upper() for key in os.environ)
