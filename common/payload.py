"""Button payloads and deep links in Rasa's syntax: ``/intent{"entity": "value"}``.

Written once, with JSON escaping, so a value with a quote or a backslash still makes a
payload Rasa can read (../shared/CONTRACT.md, "Payloads").
"""

from __future__ import annotations

import json


def payload(intent: str, **entities: str) -> str:
    """``/intent`` alone, or with its entities as a JSON object."""
    if not entities:
        return f"/{intent}"
    return f"/{intent}" + json.dumps(entities, ensure_ascii=False)


def button(title: str, intent: str, **entities: str) -> dict[str, str]:
    """A button whose payload is ``payload(intent, **entities)``."""
    return {"title": title, "payload": payload(intent, **entities)}
