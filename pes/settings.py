"""The assistant's settings: one typed model, read from the environment once per process.

``settings()`` is what a process reads, once, at its entry point (``python -m
bot``, ``python -m actions``, the stores and the channel Rasa builds from
``endpoints.yml`` and ``credentials.yml``, ``python -m bot.stack``) and passes
on; library code takes the values it needs as arguments.

The model has a part every process shares (``Settings``: APP_ENV, the database,
retention, the pseudonym key, the log format, machine translation, Rasa's API
token) and a section per process, built and checked when that process first
asks for it, so one process never refuses to start over another's setting:

- ``gateway``: everything the gateway reads (``GatewaySettings``, the shared
  part included); in production it refuses placeholder secrets.
- ``actions``: the action server (address, ``PUBLIC_URL``, appointment limit).
- ``rasa``: a Rasa replica (its address, tracker cache, Redis lock store,
  encoder threads).
- ``stack``: ``python -m bot.stack`` (``make run``).

``VARIABLES`` names every environment variable the model reads, with the
default ``scripts/env.sh`` would give it ("" for unset or derived); reading a
name not listed there is a programming error. ``READ_ELSEWHERE`` names the
variables the deployment sets for other programs (Rasa, Python, TensorFlow,
the database images). tests/deploy/test_settings_agree.py checks the
deployment files and scripts/env.sh against both.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, PrivateAttr, ValidationError, root_validator, validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from language.translation import PROVIDERS, TranslationConfig

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = ROOT / "var" / "assistant.db"
DEV_PSEUDONYM_KEY = "dev-only-pseudonym-key-change-me"
DEFAULT_RETENTION_DAYS = 90
MAX_RETENTION_DAYS = 3650
DEFAULT_TRACKER_CACHE_SIZE = 1000
DEFAULT_MAX_FUTURE_APPOINTMENTS = 2

# Every variable the model reads, with its default as scripts/env.sh spells it
# ("": unset, or derived from others as the README's table says).
VARIABLES: dict[str, str] = {
    # shared
    "APP_ENV": "development",
    "DATABASE_URL": "",
    "RETENTION_DAYS": str(DEFAULT_RETENTION_DAYS),
    "PSEUDONYM_KEY": "",
    "LOG_FORMAT": "",
    "RASA_AUTH_TOKEN": "",
    "TRANSLATION_PROVIDER": "none",
    "TRANSLATION_API_KEY": "",
    "TRANSLATION_API_URL": "",
    "TRANSLATION_REGION": "",
    "TRANSLATION_TIMEOUT_SECONDS": "4",
    # gateway
    "GATEWAY_HOST": "127.0.0.1",
    "GATEWAY_PORT": "8000",
    "RASA_URL": "",
    "RASA_URLS": "",
    "RASA_TIMEOUT_SECONDS": "20",
    "MAX_MESSAGE_CHARS": "2000",
    "TELEGRAM_TOKEN": "",
    "TELEGRAM_API_URL": "https://api.telegram.org/bot",
    "TELEGRAM_WEBHOOK_URL": "",
    "TELEGRAM_WEBHOOK_SECRET": "",
    "WIDGET_ALLOWED_ORIGINS": "",
    "WIDGET_RATE_PER_MINUTE": "20",
    "METRICS_TOKEN": "",
    "COUNSELLOR_TELEGRAM_CHAT_ID": "",
    "TRUSTED_PROXY_HOPS": "0",
    # actions
    "ACTION_HOST": "127.0.0.1",
    "ACTION_PORT": "5055",
    "PUBLIC_URL": "",
    "MAX_FUTURE_APPOINTMENTS": str(DEFAULT_MAX_FUTURE_APPOINTMENTS),
    # rasa
    "RASA_HOST": "127.0.0.1",
    "RASA_PORT": "5005",
    "TRACKER_CACHE_SIZE": str(DEFAULT_TRACKER_CACHE_SIZE),
    "REDIS_URL": "",
    "REDIS_KEY_PREFIX": "",
    "E5_THREADS": "1",
    # stack
    "STACK_STARTUP_TIMEOUT": "240",
    "RASA_MODEL": "models",
}

# Variables the deployment sets for other programs; the model does not read them.
READ_ELSEWHERE: dict[str, str] = {
    "ACTION_SERVER_URL": "Rasa, through endpoints.yml",
    "TICKET_LOCK_LIFETIME": "Rasa's lock store",
    "RASA_TELEMETRY_ENABLED": "Rasa",
    "TF_CPP_MIN_LOG_LEVEL": "TensorFlow",
    "OMP_WAIT_POLICY": "OpenMP (the e5 encoder)",
    "OMP_NUM_THREADS": "OpenMP (the e5 encoder)",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "SQLAlchemy",
    "SANIC_HOST": "rasa-sdk's Sanic server (python -m actions sets it from ACTION_HOST)",
    "PATH": "the shell",
    "PYTHONDONTWRITEBYTECODE": "Python",
    "PYTHONUNBUFFERED": "Python",
    "PYTHONWARNINGS": "Python",
    "POSTGRES_USER": "the PostgreSQL image",
    "POSTGRES_DB": "the PostgreSQL image",
    "POSTGRES_PASSWORD": "the PostgreSQL image (and DATABASE_URL's password)",
    "PGDATA": "the PostgreSQL image",
    "REDIS_PASSWORD": "the Redis server (and REDIS_URL's password)",
}

_PLACEHOLDER = re.compile(
    r"change.?(me|it)|example|placeholder|replace.?me|dummy|sample|insecure|dev.?only|"
    r"your.?(token|key|secret|password)|^(secret|password|passwd|token|test|admin|pes|postgres|rasa)$",
    re.IGNORECASE,
)


class SettingsError(ValueError):
    """A missing, malformed or unsafe setting; the message says which and why."""


def placeholder_secret(value: str | None, min_length: int = 32) -> bool:
    """A secret nobody should run production with: missing, short, a word from a template
    (change-me, example, ...), or too few different characters to be random."""
    value = (value or "").strip()
    return len(value) < min_length or len(set(value)) < 8 or bool(_PLACEHOLDER.search(value))


_T = TypeVar("_T")


class _Env(Mapping[str, str]):
    """The environment as the model reads it: only names in ``VARIABLES``, each recorded."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> str:
        if name not in VARIABLES:
            raise KeyError(f"{name} is not in pes.settings.VARIABLES")
        self.read.add(name)
        return self._env[name]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in VARIABLES and name in self._env

    def __iter__(self) -> Any:
        return (name for name in self._env if name in VARIABLES)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def get(self, name: str, default: Any = None) -> Any:
        if name not in VARIABLES:
            raise KeyError(f"{name} is not in pes.settings.VARIABLES")
        self.read.add(name)
        return self._env.get(name, default)

    def text(self, name: str) -> str:
        """The value stripped; the default when unset or blank."""
        return str(self.get(name, "")).strip() or VARIABLES[name]

    def parse(self, name: str, kind: Callable[[str], _T], expected: str) -> _T:
        """``kind(value)``; a ``SettingsError`` saying ``name must be <expected>`` otherwise."""
        raw = self.text(name)
        try:
            return kind(raw)
        except ValueError:
            raise SettingsError(f"{name} must be {expected}, not {raw!r}") from None

    def integer(self, name: str, low: int, high: int) -> int:
        value = self.parse(name, int, "a whole number")
        if not low <= value <= high:
            raise SettingsError(f"{name} must be between {low} and {high}, not {value}")
        return value


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


_S = TypeVar("_S", bound=BaseModel)


class Settings(Shared):
    """The whole model: the shared part here, each process's section built when first asked for."""

    _env: _Env = PrivateAttr()
    _sections: dict[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def gateway(self) -> GatewaySettings:
        return self._section("gateway", _gateway)

    @property
    def actions(self) -> ActionSettings:
        return self._section("actions", _actions)

    @property
    def rasa(self) -> RasaSettings:
        return self._section("rasa", _rasa)

    @property
    def stack(self) -> StackSettings:
        return self._section("stack", _stack)

    def _section(self, name: str, build: Callable[[_Env, Shared], _S]) -> _S:
        if name not in self._sections:
            self._sections[name] = _checked(build, self._env, self)
        section: _S = self._sections[name]
        return section


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
    timeout = env.parse("TRANSLATION_TIMEOUT_SECONDS", float, "a number of seconds")
    return TranslationConfig(
        provider=provider,
        api_key=env.text("TRANSLATION_API_KEY") or None,
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


def from_env(env: Mapping[str, str] | None = None) -> Settings:
    """The settings from ``env`` (the process environment by default): the shared part
    checked now, each section when it is first asked for."""
    reader = _Env(os.environ if env is None else env)
    made: Settings = _checked(lambda: Settings(**_shared(reader)))
    made._env = reader
    return made


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process's settings, read once."""
    return from_env()
