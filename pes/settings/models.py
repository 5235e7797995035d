"""The typed settings: the part every process shares and a section per process."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, root_validator, validator

from language.translation import UNOFFICIAL, TranslationConfig
from pes.settings.variables import (
    DEFAULT_MAX_FUTURE_APPOINTMENTS,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_TRACKER_CACHE_SIZE,
    DEV_PSEUDONYM_KEY,
    MAX_RETENTION_DAYS,
)


class _Frozen(BaseModel):
    class Config:
        allow_mutation = False
        frozen = True
        extra = "forbid"
        arbitrary_types_allowed = True  # TranslationConfig, a dataclass of the language layer


class Shared(_Frozen):
    """What every process reads."""

    environment: str = "development"
    database_url: str
    retention_days: int = DEFAULT_RETENTION_DAYS
    pseudonym_key: str = DEV_PSEUDONYM_KEY
    log_format: str = "text"
    translation: TranslationConfig = TranslationConfig()
    translation_allow_unofficial: bool = False  # google/mymemory in production, knowingly
    rasa_auth_token: str | None = None  # guards Rasa's HTTP API

    @validator("environment")
    def _environment(cls, value: str) -> str:
        if value not in ("development", "production"):
            raise ValueError(f"APP_ENV must be development or production, not {value!r}")
        return value

    @validator("log_format")
    def _log_format(cls, value: str) -> str:
        if value not in ("json", "text"):
            raise ValueError(f"LOG_FORMAT must be json or text, not {value!r}")
        return value

    @validator("retention_days")
    def _retention(cls, value: int) -> int:
        if not 1 <= value <= MAX_RETENTION_DAYS:
            raise ValueError(
                f"RETENTION_DAYS must be between 1 and {MAX_RETENTION_DAYS}, not {value}"
            )
        return value

    @root_validator(skip_on_failure=True)
    def _official_translation(cls, values: dict[str, Any]) -> dict[str, Any]:
        """A PES sends people's words only to a provider it has an agreement with."""
        provider = values["translation"].provider
        if (
            values.get("environment") == "production"
            and provider in UNOFFICIAL
            and not values.get("translation_allow_unofficial")
        ):
            raise ValueError(
                f"TRANSLATION_PROVIDER={provider} is an unofficial free endpoint with no "
                "data-processing agreement: production does not send people's words there. "
                "Use libre (self-hosted), deepl or microsoft, or set "
                "TRANSLATION_ALLOW_UNOFFICIAL=true to accept it knowingly"
            )
        return values

    @property
    def production(self) -> bool:
        return self.environment == "production"


class GatewaySettings(Shared):
    """The gateway's settings: the shared part and its own."""

    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8000
    rasa_url: str = "http://127.0.0.1:5005"
    action_health_url: str = "http://127.0.0.1:5055/health"
    rasa_timeout: float = 20
    max_message_chars: int = 2000
    telegram_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None
    widget_allowed_origins: tuple[str, ...] = ()  # besides the gateway's own origin
    widget_rate_per_minute: int = 20
    rasa_urls: tuple[str, ...] = ()  # replicas the gateway spreads conversations over
    metrics_token: str | None = None
    counsellor_telegram_chat_id: str | None = None  # counsellors' group: new cases
    trusted_proxy_hops: int = 0  # reverse proxies in front of the gateway (X-Forwarded-For)

    @property
    def translation_provider(self) -> str:
        return self.translation.provider

    @validator("rasa_urls")
    def _rasa_urls(cls, urls: tuple[str, ...]) -> tuple[str, ...]:
        for url in urls:
            if not re.fullmatch(r"https?://[A-Za-z0-9._\[\]:-]+", url):
                raise ValueError(f"RASA_URLS must be a comma list of http://host:port, not {url!r}")
        if len(set(urls)) != len(urls):
            raise ValueError("RASA_URLS lists a replica twice")
        return urls

    @validator("counsellor_telegram_chat_id")
    def _chat_id(cls, raw: str | None) -> str | None:
        if raw and not re.fullmatch(r"-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31}", raw):
            raise ValueError(
                f"COUNSELLOR_TELEGRAM_CHAT_ID must be a chat id such as -1001234567890 or "
                f"@channelname, not {raw!r}"
            )
        return raw

    @root_validator(skip_on_failure=True)
    def _webhook_secret(cls, values: dict[str, Any]) -> dict[str, Any]:
        secret = values.get("telegram_webhook_secret")
        if values.get("telegram_webhook_url") and (
            not secret or not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret)
        ):
            raise ValueError(
                "TELEGRAM_WEBHOOK_SECRET must be 16-256 characters of A-Z, a-z, 0-9, _ or - "
                "when TELEGRAM_WEBHOOK_URL is set"
            )
        return values


class ActionSettings(_Frozen):
    """The action server's settings."""

    host: str = "127.0.0.1"  # ACTION_HOST: where it listens (rasa-sdk's SANIC_HOST)
    port: int = 5055
    public_url: str = "http://127.0.0.1:8000"  # the gateway as browsers reach it
    max_future_appointments: int = DEFAULT_MAX_FUTURE_APPOINTMENTS

    @validator("public_url")
    def _public_url(cls, raw: str) -> str:
        if not re.fullmatch(r"https?://[A-Za-z0-9.\[\]:_-]+(/[A-Za-z0-9._~/-]*)?", raw):
            raise ValueError(f"PUBLIC_URL must be like https://assistant.ess.gov.si, not {raw!r}")
        return raw


class RasaSettings(_Frozen):
    """A Rasa replica's settings."""

    host: str = "127.0.0.1"  # RASA_HOST, RASA_PORT: where it listens (the stack passes them)
    port: int = 5005
    tracker_cache_size: int = DEFAULT_TRACKER_CACHE_SIZE  # 0: off
    redis_url: str | None = None  # the Redis lock store; in memory when unset
    redis_key_prefix: str | None = None
    e5_threads: int = 1  # the sentence encoder's OpenMP threads

    @validator("tracker_cache_size")
    def _cache_size(cls, size: int) -> int:
        if size < 0:
            raise ValueError("TRACKER_CACHE_SIZE must be 0 (off) or more")
        return size


class StackSettings(_Frozen):
    """``python -m bot.stack``'s settings (``make run``)."""

    startup_timeout: float = 240.0  # seconds to wait for the processes to be healthy
    rasa_model: str = "models"
