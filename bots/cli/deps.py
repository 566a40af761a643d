"""What one `ttc` command depends on: the settings, loaded once, and the services built from them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.services import Services, build_services
from assistant.settings import Settings
from bots.cli.progress import progress_bar
from retrieval.errors import InvalidInput

__all__ = ["load_settings", "open_services"]


def load_settings(data_dir: Path | None) -> Settings:
    """The settings from the environment, with `--data-dir` over TTC_DATA_DIR; the only place the CLI builds them."""
    try:
        return Settings(data_dir=data_dir) if data_dir else Settings()
    except ValueError as exc:  # pydantic-settings rejects a malformed setting
        raise InvalidInput(f"invalid setting: {exc}".splitlines()[0]) from None


@contextmanager
def open_services(settings: Settings, *, current: bool = False) -> Iterator[Services]:
    """The services of one command, built by the composition function and closed when the command ends.

    `current`: the command reads records, so a node over a shared record store catches up with it first (an
    empty data dir warms up here, with progress)."""
    services = build_services(settings)
    try:
        if current:
            with progress_bar() as progress:
                services.records.refresh(progress)
        yield services
    finally:
        services.close()
