"""Every environment variable the settings read, with its default, and the ones other programs read."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
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
    "TRANSLATION_ALLOW_UNOFFICIAL": "false",
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
    "COMPOSE_PROFILES": "Docker Compose (translation: the optional LibreTranslate service)",
    "LT_LOAD_ONLY": "LibreTranslate (the languages it loads)",
    "LT_THREADS": "LibreTranslate (its worker processes)",
    "LT_DISABLE_WEB_UI": "LibreTranslate",
}
