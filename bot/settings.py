"""Settings read once from the environment, typed, refusing unsafe values in production."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from language.translation import PROVIDERS
from pes.db import database_url
from pes.retention import days_from_env

DEV_PSEUDONYM_KEY = "dev-only-pseudonym-key-change-me"
_PLACEHOLDER = re.compile(
    r"change.?(me|it)|example|placeholder|replace.?me|dummy|sample|insecure|dev.?only|"
    r"your.?(token|key|secret|password)|^(secret|password|passwd|token|test|admin|pes|postgres|rasa)$",
    re.IGNORECASE,
)


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
    widget_allowed_origins: tuple[str, ...] = ()  # besides the gateway's own origin
    widget_rate_per_minute: int = 20
    rasa_urls: tuple[str, ...] = ()  # replicas the gateway spreads conversations over
    metrics_token: str | None = None
    log_format: str = "text"
    retention_days: int = 90
    counsellor_telegram_chat_id: str | None = None  # counsellors' group: new cases
    trusted_proxy_hops: int = 0  # reverse proxies in front of the gateway (X-Forwarded-For)

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


def placeholder_secret(value: str | None, min_length: int = 32) -> bool:
    """A secret nobody should run production with: missing, short, a word from a template
    (change-me, example, ...), or too few different characters to be random."""
    value = (value or "").strip()
    return len(value) < min_length or len(set(value)) < 8 or bool(_PLACEHOLDER.search(value))


def _refuse_placeholders(env: Mapping[str, str]) -> None:
    """Production mode starts only with real secrets."""
    if placeholder_secret(env.get("PSEUDONYM_KEY")):
        raise SettingsError(
            "PSEUDONYM_KEY must be set to a random secret of at least 32 characters in production"
        )
    if placeholder_secret(env.get("RASA_AUTH_TOKEN"), 24):
        raise SettingsError(
            "RASA_AUTH_TOKEN must be set to a random token of at least 24 characters in "
            "production (it guards Rasa's HTTP API)"
        )
    for name in ("TELEGRAM_WEBHOOK_SECRET", "METRICS_TOKEN"):
        if env.get(name, "").strip() and placeholder_secret(env.get(name), 16):
            raise SettingsError(f"{name} looks like a placeholder; use a random value")
    for name in ("TELEGRAM_TOKEN", "TRANSLATION_API_KEY"):  # issued by others: words only
        if _PLACEHOLDER.search(env.get(name, "").strip()):
            raise SettingsError(f"{name} looks like a placeholder; use the real one")
    url = env.get("DATABASE_URL", "").strip()
    try:
        password = make_url(url).password if url else None
    except ArgumentError:
        raise SettingsError("DATABASE_URL is not a database URL") from None
    if password and _PLACEHOLDER.search(str(password)):
        raise SettingsError("DATABASE_URL has a placeholder password; use a real one")


def _rasa_urls(env: Mapping[str, str], single: str) -> tuple[str, ...]:
    """``RASA_URLS``: a comma list of Rasa replicas; the one ``RASA_URL`` when unset."""
    urls = tuple(u.strip().rstrip("/") for u in env.get("RASA_URLS", "").split(",") if u.strip())
    for url in urls:
        if not re.fullmatch(r"https?://[A-Za-z0-9._\[\]:-]+", url):
            raise SettingsError(f"RASA_URLS must be a comma list of http://host:port, not {url!r}")
    if len(set(urls)) != len(urls):
        raise SettingsError("RASA_URLS lists a replica twice")
    return urls or (single,)


def _origins(env: Mapping[str, str]) -> tuple[str, ...]:
    """``WIDGET_ALLOWED_ORIGINS``: the sites that may embed the chat widget (scheme://host[:port])."""
    origins = []
    for raw in env.get("WIDGET_ALLOWED_ORIGINS", "").split(","):
        origin = raw.strip().rstrip("/").lower()
        if not origin:
            continue
        if not re.fullmatch(r"https?://[a-z0-9.\[\]:-]+", origin):
            raise SettingsError(
                f"WIDGET_ALLOWED_ORIGINS must be a comma list of origins such as "
                f"https://www.ess.gov.si, not {raw.strip()!r}"
            )
        origins.append(origin)
    return tuple(origins)


def _chat_id(env: Mapping[str, str]) -> str | None:
    """``COUNSELLOR_TELEGRAM_CHAT_ID``: the counsellors' Telegram group (a number such as
    -1001234567890, or @channelname) that new cases are announced to."""
    raw = env.get("COUNSELLOR_TELEGRAM_CHAT_ID", "").strip()
    if raw and not re.fullmatch(r"-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31}", raw):
        raise SettingsError(
            f"COUNSELLOR_TELEGRAM_CHAT_ID must be a chat id such as -1001234567890 or "
            f"@channelname, not {raw!r}"
        )
    return raw or None


def from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from ``env`` (the process environment by default)."""
    env = os.environ if env is None else env
    environment = env.get("APP_ENV", "development").strip().lower()
    if environment not in ("development", "production"):
        raise SettingsError(f"APP_ENV must be development or production, not {environment!r}")
    key = env.get("PSEUDONYM_KEY", "").strip()
    if environment == "production":
        _refuse_placeholders(env)
    try:
        retention_days = days_from_env(env)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
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
    rasa_url = (env.get("RASA_URL", "").strip() or f"http://{rasa_host}:{rasa_port}").rstrip("/")
    log_format = env.get("LOG_FORMAT", "").strip().lower() or (
        "json" if environment == "production" else "text"
    )
    if log_format not in ("json", "text"):
        raise SettingsError(f"LOG_FORMAT must be json or text, not {log_format!r}")
    return Settings(
        environment=environment,
        gateway_host=env.get("GATEWAY_HOST", "127.0.0.1").strip(),
        gateway_port=_int(env, "GATEWAY_PORT", 8000, 1, 65535),
        rasa_url=rasa_url,
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
        widget_allowed_origins=_origins(env),
        widget_rate_per_minute=_int(env, "WIDGET_RATE_PER_MINUTE", 20, 1, 600),
        rasa_urls=_rasa_urls(env, rasa_url),
        metrics_token=env.get("METRICS_TOKEN", "").strip() or None,
        log_format=log_format,
        retention_days=retention_days,
        counsellor_telegram_chat_id=_chat_id(env),
        trusted_proxy_hops=_int(env, "TRUSTED_PROXY_HOPS", 0, 0, 5),
    )


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process's settings, read once."""
    return from_env()
