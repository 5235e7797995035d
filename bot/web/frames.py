"""The widget socket's frames, read and written, and the widget's UI strings.

Nothing here does I/O: ``bot.web.socket`` reads frames with ``parse`` and sends
what the builders here return (the protocol is in ``bot.web``'s docstring).
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.polite import polite_texts
from bot.rasa_client import BotMessage
from language.catalogue import Catalogue, text_direction
from language.languages import CORE, FALLBACK, LANGUAGES, is_core, normalise_code
from pes.outbox import OutboxItem

SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]")
WIDGET_STRINGS = (
    "title",
    "launcher",
    "close",
    "input_label",
    "placeholder",
    "send",
    "language_label",
    "privacy",
    "privacy_ok",
    "offline",
    "reconnecting",
    "typing",
    "counsellor",
    "you",
    "assistant",
    "queued",
    "failed",
    "log_label",
)


def frame_limit(max_chars: int) -> int:
    """Bytes of the largest frame a message of ``max_chars`` characters can need as JSON."""
    return max_chars * 6 + 1024


def parse(data: Any) -> dict[str, Any] | None:
    """A frame as a JSON object, or ``None`` when it is not one."""
    try:
        frame = json.loads(data)
    except (TypeError, ValueError, RecursionError):  # deeply nested JSON as well
        return None
    return frame if isinstance(frame, dict) else None


def without_control(text: str) -> str:
    """A message's text without control characters (line breaks and tabs stay), stripped."""
    return _CONTROL.sub("", text).strip()


def polite_messages(catalogue: Catalogue, key: str, lang: str | None) -> list[dict[str, Any]]:
    """``key``'s texts for an error frame (``bot.polite``), each with its direction."""
    texts = polite_texts(catalogue, key, lang, marked=False)
    return [{"text": text, "dir": text_direction(text)} for text in texts]


def error_frame(
    catalogue: Catalogue,
    code: str,
    key: str,
    lang: str | None,
    reply_to: str | None = None,
    retry_after: float | None = None,
) -> dict[str, Any]:
    """``{"type": "error", ...}``: ``code`` for the widget, ``key``'s texts for the person."""
    frame: dict[str, Any] = {
        "type": "error",
        "code": code,
        "reply_to": reply_to,
        "messages": polite_messages(catalogue, key, lang),
    }
    if retry_after is not None:
        frame["retry_after"] = round(retry_after, 1)
    return frame


def reply_frame(message: BotMessage, reply_to: str, n: int) -> dict[str, Any]:
    """Rasa's ``n``-th reply to the client's message ``reply_to``.

    ``lang`` is the language the reply is written in, as the localising NLG said
    (``language.nlg``; ``None`` for the gateway's own messages): the widget's own
    words follow it unless the person chose a language in its picker."""
    return {
        "type": "message",
        "id": f"{reply_to}.{n}",
        "reply_to": reply_to,
        "kind": "reply",
        "text": message.text,
        "buttons": message.buttons,
        "image": message.image,
        "dir": text_direction(message.text),
        "lang": normalise_code(message.language),
    }


def outbox_frame(item: OutboxItem) -> dict[str, Any]:
    """A queued message (a counsellor's reply, a reminder) as the widget shows it."""
    message = item.message
    text = message.get("text")
    buttons = [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in message.get("buttons") or []
        if isinstance(b, dict)
    ]
    return {
        "type": "message",
        "id": f"o{item.id}",
        "kind": item.kind,
        "text": text,
        "buttons": buttons,
        "image": message.get("image"),
        "dir": text_direction(text),
        "lang": normalise_code(message.get("language")),
    }


def widget_strings(catalogue: Catalogue, max_chars: int, lang: str | None) -> dict[str, Any]:
    """The widget's UI texts in ``lang`` (English where a language has none)."""
    code = lang if lang in LANGUAGES else FALLBACK
    texts_in = code if is_core(code) else FALLBACK
    return {
        "lang": texts_in,
        "dir": "rtl" if LANGUAGES[code].rtl else "ltr",
        "max_chars": max_chars,
        "strings": {k: catalogue.text(f"widget.{k}", texts_in) for k in WIDGET_STRINGS},
        "languages": [
            {
                "code": info.code,
                "name": info.native_name,
                "dir": "rtl" if info.rtl else "ltr",
                "core": info.code in CORE,
            }
            for info in LANGUAGES.values()
        ],
    }
