"""Settings read once from the environment, typed, refusing unsafe values in production."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from language.translation import PROVIDERS
from pes.db import database_url

DEV_PSEUDONYM_KEY = "dev-only-pseudonym-key-change-me"


class SettingsError(ValueError):
    """A missing, malformed or unsafe setting; the message says which and why."""


@dataclass(frozen=True)
class Settings:
    environment: str
    gateway_host: str
    gateway_port: int
    rasa_url: str
    rasa_auth_token: str | None
    action_health_url: str
    rasa_timeout: float
    pseudonym_key: str
    translation_provider: str
    max_message_chars: int
    database_url: str = ""
    telegram_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None

    @property
    def production(self) -> bool:
        return self.environment == "production"


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip() or str(default)
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, not {value}")
    return value


def from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from ``env`` (the process environment by default)."""
    env = os.environ if env is None else env
    environment = env.get("APP_ENV", "development").strip().lower()
    if environment not in ("development", "production"):
        raise SettingsError(f"APP_ENV must be development or production, not {environment!r}")
    key = env.get("PSEUDONYM_KEY", "").strip()
    if environment == "production" and (not key or key == DEV_PSEUDONYM_KEY or len(key) < 32):
        raise SettingsError(
            "PSEUDONYM_KEY must be set to a random secret of at least 32 characters in production"
        )
    provider = env.get("TRANSLATION_PROVIDER", "none").strip().lower() or "none"
    if provider not in PROVIDERS:
        raise SettingsError(
            f"TRANSLATION_PROVIDER must be one of {', '.join(PROVIDERS)}, not {provider!r}"
        )
    webhook_url = env.get("TELEGRAM_WEBHOOK_URL", "").strip() or None
    webhook_secret = env.get("TELEGRAM_WEBHOOK_SECRET", "").strip() or None
    if webhook_url and (
        not webhook_secret or not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", webhook_secret)
    ):
        raise SettingsError(
            "TELEGRAM_WEBHOOK_SECRET must be 16-256 characters of A-Z, a-z, 0-9, _ or - when "
            "TELEGRAM_WEBHOOK_URL is set"
        )
    rasa_host = env.get("RASA_HOST", "127.0.0.1").strip()
    rasa_port = _int(env, "RASA_PORT", 5005, 1, 65535)
    action_host = env.get("ACTION_HOST", "127.0.0.1").strip()
    action_port = _int(env, "ACTION_PORT", 5055, 1, 65535)
    return Settings(
        environment=environment,
        gateway_host=env.get("GATEWAY_HOST", "127.0.0.1").strip(),
        gateway_port=_int(env, "GATEWAY_PORT", 8000, 1, 65535),
        rasa_url=(env.get("RASA_URL", "").strip() or f"http://{rasa_host}:{rasa_port}").rstrip("/"),
        rasa_auth_token=env.get("RASA_AUTH_TOKEN", "").strip() or None,
        action_health_url=f"http://{action_host}:{action_port}/health",
        rasa_timeout=_int(env, "RASA_TIMEOUT_SECONDS", 20, 1, 300),
        pseudonym_key=key or DEV_PSEUDONYM_KEY,
        translation_provider=provider,
        max_message_chars=_int(env, "MAX_MESSAGE_CHARS", 2000, 100, 20000),
        database_url=database_url(dict(env)),
        telegram_token=env.get("TELEGRAM_TOKEN", "").strip() or None,
        telegram_api_url=env.get("TELEGRAM_API_URL", "").strip() or "https://api.telegram.org/bot",
        telegram_webhook_url=webhook_url,
        telegram_webhook_secret=webhook_secret,
    )


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process's settings, read once."""
    return from_env()
