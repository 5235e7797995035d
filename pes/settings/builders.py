"""From the environment to each section, with every check and its message."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from language.translation import ALIASES, PROVIDERS, TranslationConfig
from pes.settings.environment import _PLACEHOLDER, SettingsError, _Env, placeholder_secret
from pes.settings.models import ActionSettings, GatewaySettings, RasaSettings, Shared, StackSettings
from pes.settings.variables import DEFAULT_SQLITE, DEV_PSEUDONYM_KEY, VARIABLES


def _checked(build: Any, *args: Any) -> Any:
    """``build(*args)``, its pydantic errors as one ``SettingsError`` (the first message)."""
    try:
        return build(*args)
    except ValidationError as exc:
        raise SettingsError(str(exc.errors()[0]["msg"])) from None


def _translation(env: _Env) -> TranslationConfig:
    provider = env.text("TRANSLATION_PROVIDER").lower()
    if provider not in PROVIDERS:
        raise SettingsError(
            f"TRANSLATION_PROVIDER must be one of {', '.join(PROVIDERS)}, not {provider!r}"
        )
    provider = ALIASES.get(provider, provider)  # azure is microsoft
    timeout = env.parse("TRANSLATION_TIMEOUT_SECONDS", float, "a number of seconds")
    api_key = env.text("TRANSLATION_API_KEY") or None
    if provider in ("deepl", "microsoft") and not api_key:
        raise SettingsError(f"TRANSLATION_API_KEY is needed for TRANSLATION_PROVIDER={provider}")
    return TranslationConfig(
        provider=provider,
        api_key=api_key,
        api_url=env.text("TRANSLATION_API_URL") or None,
        region=env.text("TRANSLATION_REGION") or None,
        timeout=timeout,
    )


def _database_url(env: _Env) -> str:
    """``DATABASE_URL`` or an SQLite file under var/ (the folder is made when missing)."""
    url = env.text("DATABASE_URL")
    if url:
        return url
    DEFAULT_SQLITE.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE}"


def _shared(env: _Env) -> dict[str, Any]:
    environment = str(env.get("APP_ENV", "development")).strip().lower()
    log_format = env.text("LOG_FORMAT").lower() or (
        "json" if environment == "production" else "text"
    )
    return {
        "environment": environment,
        "database_url": _database_url(env),
        "retention_days": env.parse("RETENTION_DAYS", int, "a whole number of days"),
        "pseudonym_key": env.text("PSEUDONYM_KEY") or DEV_PSEUDONYM_KEY,
        "log_format": log_format,
        "translation": _translation(env),
        "translation_allow_unofficial": env.flag("TRANSLATION_ALLOW_UNOFFICIAL"),
        "rasa_auth_token": env.text("RASA_AUTH_TOKEN") or None,
    }


def _refuse_placeholders(env: _Env) -> None:
    """Production mode starts the gateway only with real secrets."""
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
        if env.text(name) and placeholder_secret(env.get(name), 16):
            raise SettingsError(f"{name} looks like a placeholder; use a random value")
    for name in ("TELEGRAM_TOKEN", "TRANSLATION_API_KEY"):  # issued by others: words only
        if _PLACEHOLDER.search(env.text(name)):
            raise SettingsError(f"{name} looks like a placeholder; use the real one")
    url = env.text("DATABASE_URL")
    try:
        password = make_url(url).password if url else None
    except ArgumentError:
        raise SettingsError("DATABASE_URL is not a database URL") from None
    if password and _PLACEHOLDER.search(str(password)):
        raise SettingsError("DATABASE_URL has a placeholder password; use a real one")


def _rasa_urls(env: _Env) -> tuple[str, ...]:
    """``RASA_URLS``: a comma list of Rasa replicas (the one ``RASA_URL`` when empty)."""
    raw = env.text("RASA_URLS")
    return tuple(u.strip().rstrip("/") for u in raw.split(",") if u.strip())


def _origins(env: _Env) -> tuple[str, ...]:
    """``WIDGET_ALLOWED_ORIGINS``: the sites that may embed the chat widget (scheme://host[:port])."""
    origins = []
    for raw in env.text("WIDGET_ALLOWED_ORIGINS").split(","):
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


def _gateway(env: _Env, shared: Shared) -> GatewaySettings:
    if shared.production:
        _refuse_placeholders(env)
    rasa_host = str(env.get("RASA_HOST", VARIABLES["RASA_HOST"])).strip()
    rasa_port = env.integer("RASA_PORT", 1, 65535)
    action_host = str(env.get("ACTION_HOST", VARIABLES["ACTION_HOST"])).strip()
    action_port = env.integer("ACTION_PORT", 1, 65535)
    rasa_url = (env.text("RASA_URL") or f"http://{rasa_host}:{rasa_port}").rstrip("/")
    return GatewaySettings(
        **shared.dict(),
        gateway_host=str(env.get("GATEWAY_HOST", VARIABLES["GATEWAY_HOST"])).strip(),
        gateway_port=env.integer("GATEWAY_PORT", 1, 65535),
        rasa_url=rasa_url,
        action_health_url=f"http://{action_host}:{action_port}/health",
        rasa_timeout=env.integer("RASA_TIMEOUT_SECONDS", 1, 300),
        max_message_chars=env.integer("MAX_MESSAGE_CHARS", 100, 20000),
        telegram_token=env.text("TELEGRAM_TOKEN") or None,
        telegram_api_url=env.text("TELEGRAM_API_URL"),
        telegram_webhook_url=env.text("TELEGRAM_WEBHOOK_URL") or None,
        telegram_webhook_secret=env.text("TELEGRAM_WEBHOOK_SECRET") or None,
        widget_allowed_origins=_origins(env),
        widget_rate_per_minute=env.integer("WIDGET_RATE_PER_MINUTE", 1, 600),
        rasa_urls=_rasa_urls(env) or (rasa_url,),
        metrics_token=env.text("METRICS_TOKEN") or None,
        counsellor_telegram_chat_id=env.text("COUNSELLOR_TELEGRAM_CHAT_ID") or None,
        trusted_proxy_hops=env.integer("TRUSTED_PROXY_HOPS", 0, 5),
    )


def _actions(env: _Env, shared: Shared) -> ActionSettings:
    public_url = env.text("PUBLIC_URL").rstrip("/") or (
        f"http://{env.text('GATEWAY_HOST')}:{env.text('GATEWAY_PORT')}"
    )
    if not re.fullmatch(r"https?://[A-Za-z0-9.\[\]:_-]+(/[A-Za-z0-9._~/-]*)?", public_url):
        raise SettingsError(
            f"PUBLIC_URL must be like https://assistant.ess.gov.si, not {public_url!r}"
        )
    raw_max = env.text("MAX_FUTURE_APPOINTMENTS")
    if not raw_max.isdigit() or not 1 <= int(raw_max) <= 20:
        raise SettingsError(
            f"MAX_FUTURE_APPOINTMENTS must be a whole number from 1 to 20, not {raw_max!r}"
        )
    return ActionSettings(
        host=env.text("ACTION_HOST"),
        port=env.integer("ACTION_PORT", 1, 65535),
        public_url=public_url,
        max_future_appointments=int(raw_max),
    )


def _rasa(env: _Env, shared: Shared) -> RasaSettings:
    threads = env.text("E5_THREADS")
    if not threads.isdigit() or int(threads) < 1:
        raise SettingsError(f"E5_THREADS must be a whole number of 1 or more, not {threads!r}")
    return RasaSettings(
        host=env.text("RASA_HOST"),
        port=env.integer("RASA_PORT", 1, 65535),
        tracker_cache_size=env.parse("TRACKER_CACHE_SIZE", int, "a whole number"),
        redis_url=env.text("REDIS_URL") or None,
        redis_key_prefix=env.get("REDIS_KEY_PREFIX") or None,
        e5_threads=int(threads),
    )


def _stack(env: _Env, shared: Shared) -> StackSettings:
    return StackSettings(
        startup_timeout=env.parse("STACK_STARTUP_TIMEOUT", float, "a number of seconds"),
        rasa_model=env.text("RASA_MODEL"),
    )
