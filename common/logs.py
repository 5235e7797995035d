"""Structured JSON logs for every process, without what people wrote or who they are.

One JSON object per line: ``time`` (UTC, ISO 8601), ``level``, ``logger``,
``message`` and any structured fields. Rasa's own structured events (structlog,
rendered as JSON strings) are merged in as fields. Fields that can carry a
user's words or identity (``text``, ``message`` of Rasa's events, ``sender_id``,
slot values, parse data, ...) are replaced by ``"[redacted]"``, and an
exception is logged by its type and code path only, never its text, which may
quote the message.

The gateway calls :func:`configure`; ``rasa run`` and ``rasa run actions``
take ``--logging-config-file common/logging.yml``, which points here.
``LOG_FORMAT=json`` (the default with ``APP_ENV=production``) turns it on.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import datetime, timezone
from typing import Any, TextIO

REDACTED = "[redacted]"
# Rasa's own list of fields that may hold user content (rasa.utils.log_utils), and ids.
SENSITIVE = frozenset(
    {
        "text",
        "response_text",
        "user_text",
        "slot_values",
        "parse_data_text",
        "parse_data_entities",
        "prediction_events",
        "tracker_latest_message",
        "prefilled_slots",
        "message",
        "response",
        "slot_candidates",
        "rasa_event",
        "rasa_events",
        "tracker_states",
        "current_states",
        "old_states",
        "successes",
        "current_entity",
        "next_entity",
        "states",
        "entity",
        "token_text",
        "user_message",
        "json_message",
        "sender_id",
        "sender",
        "conversation_id",
        "session",
        "user_id",
        "chat_id",
        "metadata",
        "events",
        "tracker",
    }
)
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: REDACTED if k in SENSITIVE else v for k, v in fields.items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


class JsonFormatter(logging.Formatter):
    """Formats each record as one JSON line, redacting user content."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        structured = _structlog_event(message)
        if structured is not None:
            event = structured.pop("event", "")
            structured.pop("level", None)
            entry["message"] = str(event)
            entry.update(_clean(structured))
        else:
            entry["message"] = message
        extra = {k: _jsonable(v) for k, v in vars(record).items() if k not in _STANDARD}
        entry.update(_clean(extra))
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            entry["exc_type"] = type(exc).__name__
            entry["traceback"] = "".join(traceback.format_tb(exc.__traceback__))
        return json.dumps(entry, ensure_ascii=False, default=str)


def _structlog_event(message: str) -> dict[str, Any] | None:
    """Rasa's structlog events arrive as JSON strings with an ``event`` key."""
    if not message.startswith("{"):
        return None
    try:
        parsed = json.loads(message)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) and "event" in parsed else None


def configure_rasa(fmt: str) -> None:
    """JSON logs for a Rasa server when ``fmt`` (its settings' ``LOG_FORMAT``) asks for them.

    ``rasa run`` applies ``--logging-config-file`` and then installs coloredlogs
    on the root logger, which replaces that handler; the REST channel calls
    this once it is created, after coloredlogs, so the JSON handler stays.
    """
    if fmt == "json":
        configure("json", logging.getLogger().level or logging.INFO, stream=sys.stdout)


def configure(fmt: str = "text", level: int = logging.INFO, stream: TextIO | None = None) -> None:
    """Log to standard error, as JSON lines (``json``) or plain text (``text``)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
        logging.captureWarnings(True)  # warnings become JSON lines too
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
