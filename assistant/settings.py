"""Settings from the environment (prefix TTC_) or a .env file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from retrieval.embedder import DEFAULT_EMBEDDER

__all__ = ["DEFAULT_PUBLIC_URL", "Settings"]

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


class Settings(BaseSettings):
    """Everything an operator can set; see the settings table in README.md."""

    model_config = SettingsConfigDict(env_prefix="TTC_", env_file=".env", extra="ignore")

    data_dir: Path = Path(".ttc")
    embedder: str = DEFAULT_EMBEDDER
    embed_lead_chars: int = Field(default=400, ge=0, le=20_000)
    companion: Literal["use", "off"] = "use"
    chroma_url: str | None = None
    database_url: str | None = None
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout_seconds: float = Field(default=20.0, gt=0)
    llm_rewrite: bool = True
    llm_rerank: bool = True
    embedder_base_url: str | None = None
    embedder_api_key: SecretStr | None = None
    staff_api_keys: SecretStr | None = None
    rate_limit_per_minute: int = Field(default=30, ge=0)
    web_workers: int = Field(default=1, ge=1, le=64)
    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "TTC_TELEGRAM_BOT_TOKEN")
    )
    telegram_base_url: str | None = None
    telegram_retry_budget_seconds: float = Field(default=30.0, gt=0)
    api_keys: SecretStr | None = None
    public_url: str | None = None
    insights_retention_days: int = Field(default=180, ge=1, le=36_500)
    translator: Literal["off", "libretranslate", "llm"] = "off"
    translate_url: str | None = None
    translate_api_key: SecretStr | None = None
    translate_timeout_seconds: float = Field(default=4.0, gt=0, le=120)

    @field_validator("chroma_url", "database_url", "llm_base_url", "llm_model", "telegram_base_url",
                     "embedder_base_url", "public_url", "translate_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    def staff_keys(self) -> list[str]:
        """The configured staff API keys (never logged)."""
        if self.staff_api_keys is None:
            return []
        return [k.strip() for k in self.staff_api_keys.get_secret_value().split(",") if k.strip()]

    def client_keys(self) -> list[str]:
        """The keys of TTC_API_KEYS for the OpenAI-compatible API (never logged); empty: the API is open."""
        if self.api_keys is None:
            return []
        return [k.strip() for k in self.api_keys.get_secret_value().split(",") if k.strip()]

    def public_base_url(self) -> str:
        """Where users reach the web app (record page links sent where no request tells it, e.g. Telegram)."""
        return (self.public_url or DEFAULT_PUBLIC_URL).rstrip("/")

    @property
    def inquiry_database_url(self) -> str:
        """The URL of the inquiry database (inquiries, insights) in effect: TTC_DATABASE_URL (e.g. PostgreSQL),
        else SQLite in the data dir."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'ttc.sqlite').as_posix()}"
