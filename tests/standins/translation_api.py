"""A local stand-in for translation providers, speaking their HTTP protocols on loopback.

One server answers all of them, each on its own paths:

- Google's web endpoint (what deep-translator's GoogleTranslator scrapes):
  ``GET /?sl=..&tl=..&q=..`` answers HTML with ``<div class="result-container">``.
- LibreTranslate: ``POST /translate`` (JSON, a form or query parameters:
  ``q``, ``source``, ``target``, ``format``, ``api_key``) answers
  ``{"translatedText": ...}``; ``GET /languages`` lists ``{"code", "name",
  "targets"}``. A language it does not serve: 400 ``{"error": "xx is not
  supported"}``. With ``libre_key`` set, a wrong key gets 403 ``{"error": "Invalid
  API key"}`` and none 400, as a server run with ``--api-keys`` and a key required.
- DeepL API v2: ``POST /v2/translate`` (JSON ``text`` list, ``source_lang``,
  ``target_lang``) answers ``{"translations": [{"detected_source_language",
  "text"}]}``; ``GET /v2/languages?type=source|target``. The header
  ``Authorization: DeepL-Auth-Key <deepl_key>`` is checked (403 otherwise);
  ``deepl_quota_exceeded`` answers 456; a language not served 400 ``{"message"}``.
- Azure Translator v3: ``POST /translate?api-version=3.0&from=..&to=..`` with
  ``[{"Text": ...}]`` answers ``[{"translations": [{"text", "to"}]}]``;
  ``GET /languages?api-version=3.0&scope=translation``. The headers
  ``Ocp-Apim-Subscription-Key`` and ``Ocp-Apim-Subscription-Region`` are
  checked against ``azure_key`` and ``azure_region`` (401 ``{"error": {"code":
  401000, ...}}``); a language not served 400 (code 400035 or 400036).

Each protocol serves its own list (``libre_languages``, ``deepl_sources``,
``deepl_targets``, ``azure_languages``), in the provider's own codes.
Translations come from a dictionary in the assistant's codes; unknown texts come
back as ``<target>:<text>`` so tests can see that a translation happened. Every
request is recorded (``q``, ``source`` and ``target`` in the assistant's codes
whatever the protocol); ``delay`` makes each slow, ``fail`` makes each answer 500.
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

# What a LibreTranslate server loaded with the deployment's LT_LOAD_ONLY serves
# (Argos Translate has no models for ps, so, ti, ku, ckb).
LIBRE_LANGUAGES = ["en", "sl", "uk", "ru", "ar", "fa", "ur", "tr", "fr"]
# DeepL's long-standing languages (its list grew in 2026; tests add what they need).
DEEPL_SOURCES = [
    "AR",
    "BG",
    "CS",
    "DA",
    "DE",
    "EL",
    "EN",
    "ES",
    "ET",
    "FI",
    "FR",
    "HU",
    "ID",
    "IT",
    "JA",
    "KO",
    "LT",
    "LV",
    "NB",
    "NL",
    "PL",
    "PT",
    "RO",
    "RU",
    "SK",
    "SL",
    "SV",
    "TR",
    "UK",
    "ZH",
]
DEEPL_TARGETS = [c for c in DEEPL_SOURCES if c not in ("EN", "PT")] + [
    "EN-GB",
    "EN-US",
    "PT-PT",
    "PT-BR",
]
# Azure's codes: ku is Central Kurdish (the assistant's ckb), kmr Kurmanji (its ku).
AZURE_LANGUAGES = [
    "en",
    "sl",
    "uk",
    "ru",
    "ar",
    "fa",
    "prs",
    "ps",
    "ur",
    "tr",
    "fr",
    "so",
    "ti",
    "kmr",
    "ku",
    "de",
    "it",
]
_FROM_DEEPL = {"kmr": "ku"}
_FROM_AZURE = {"kmr": "ku", "ku": "ckb"}


def _ours(code: str, special: dict[str, str] | None = None) -> str:
    """A provider's code in the assistant's codes (``EN-GB`` -> ``en``)."""
    code = code.lower()
    code = (special or {}).get(code, code)
    return code.split("-")[0]


@dataclass
class StandIn:
    url: str
    dictionary: dict[tuple[str, str, str], str] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    delay: float = 0.0
    fail: bool = False
    libre_languages: list[str] = field(default_factory=lambda: list(LIBRE_LANGUAGES))
    libre_key: str | None = None
    deepl_sources: list[str] = field(default_factory=lambda: list(DEEPL_SOURCES))
    deepl_targets: list[str] = field(default_factory=lambda: list(DEEPL_TARGETS))
    deepl_key: str | None = None
    deepl_quota_exceeded: bool = False
    azure_languages: list[str] = field(default_factory=lambda: list(AZURE_LANGUAGES))
    azure_key: str | None = None
    azure_region: str | None = None

    def translate(self, text: str, source: str, target: str) -> str:
        return self.dictionary.get((source, target, text), f"{target}:{text}")

    def translations(self, path: str) -> list[dict[str, Any]]:
        """The recorded requests to one path that carried text (not the language lists)."""
        return [r for r in self.requests if r["path"] == path and "q" in r]


Answer = tuple[int, Any]


def _libre(state: StandIn, path: str, fields: dict[str, Any]) -> Answer:
    if path == "/languages":  # open to all, as LibreTranslate's
        served = state.libre_languages
        return 200, [{"code": c, "name": c, "targets": list(served)} for c in served]
    if state.libre_key is not None:
        given = fields.get("api_key")
        if not given:
            return 400, {"error": "Please contact the server operator to get an API key"}
        if given != state.libre_key:
            return 403, {"error": "Invalid API key"}
    for name in ("q", "source", "target"):
        if not fields.get(name):
            return 400, {"error": f"Invalid request: missing {name} parameter"}
    for name in ("source", "target"):
        if fields[name] not in state.libre_languages:
            return 400, {"error": f"{fields[name]} is not supported"}
    out = state.translate(str(fields["q"]), str(fields["source"]), str(fields["target"]))
    return 200, {"translatedText": out}


def _deepl(state: StandIn, path: str, headers: dict[str, str], fields: dict[str, Any]) -> Answer:
    if state.deepl_key is None or headers.get("authorization") != (
        f"DeepL-Auth-Key {state.deepl_key}"
    ):
        return 403, {"message": "Wrong endpoint or authorization failure, check auth_key"}
    if path == "/v2/languages":
        kind = fields.get("type", "source")
        codes = state.deepl_targets if kind == "target" else state.deepl_sources
        return 200, [{"language": c, "name": c} for c in codes]
    if state.deepl_quota_exceeded:
        return 456, {"message": "Quota Exceeded"}
    source, target = str(fields.get("source_lang", "")), str(fields.get("target_lang", ""))
    if source and source.upper() not in state.deepl_sources:
        return 400, {"message": "Value for 'source_lang' not supported."}
    if target.upper() not in state.deepl_targets:
        return 400, {"message": "Value for 'target_lang' not supported."}
    texts = fields.get("text") or []
    ours = _ours(source, _FROM_DEEPL), _ours(target, _FROM_DEEPL)
    return 200, {
        "translations": [
            {"detected_source_language": source.upper(), "text": state.translate(t, *ours)}
            for t in texts
        ]
    }


def _azure(state: StandIn, path: str, headers: dict[str, str], fields: dict[str, Any]) -> Answer:
    if path == "/languages":  # no key needed, as Azure's
        codes = state.azure_languages
        return 200, {"translation": {c: {"name": c, "nativeName": c, "dir": "ltr"} for c in codes}}
    if headers.get("ocp-apim-subscription-key") != state.azure_key or (
        state.azure_region is not None
        and headers.get("ocp-apim-subscription-region") != state.azure_region
    ):
        message = "The request is not authorized because credentials are missing or invalid."
        return 401, {"error": {"code": 401000, "message": message}}
    source, target = str(fields.get("from", "")), str(fields.get("to", ""))
    if source not in state.azure_languages:
        return 400, {"error": {"code": 400035, "message": "The source language is not valid."}}
    if target not in state.azure_languages:
        return 400, {"error": {"code": 400036, "message": "The target language is not valid."}}
    ours = _ours(source, _FROM_AZURE), _ours(target, _FROM_AZURE)
    items = fields.get("body") or []
    return 200, [
        {"translations": [{"text": state.translate(str(i.get("Text", "")), *ours), "to": target}]}
        for i in items
    ]


@contextmanager
def translation_api() -> Iterator[StandIn]:
    state = StandIn(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, answer: Answer) -> None:
            status, body = answer
            self._answer(status, json.dumps(body).encode(), "application/json")

        def _fields(self) -> tuple[str, dict[str, Any], Any]:
            """The path; query and body fields together; the JSON body as sent."""
            parsed = urlparse(self.path)
            fields: dict[str, Any] = {k: v[0] for k, v in parse_qs(parsed.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body: Any = None
            if raw and "json" in (self.headers.get("Content-Type") or ""):
                body = json.loads(raw)
                if isinstance(body, dict):
                    fields.update(body)
            elif raw:
                fields.update({k: v[0] for k, v in parse_qs(raw.decode()).items()})
            return parsed.path, fields, body

        def _record(self, path: str, fields: dict[str, Any], normal: dict[str, Any]) -> bool:
            headers = {k.lower(): v for k, v in self.headers.items()}
            state.requests.append(
                {"method": self.command, "path": path, **fields, **normal, "headers": headers}
            )
            if state.delay:
                time.sleep(state.delay)
            if state.fail:
                self._answer(500, b"error", "text/plain")
                return False
            return True

        def do_GET(self) -> None:
            path, fields, _ = self._fields()
            headers = {k.lower(): v for k, v in self.headers.items()}
            if path == "/" and "q" in fields:  # Google's web endpoint
                normal = {"source": fields.get("sl", ""), "target": fields.get("tl", "")}
                if not self._record(path, fields, normal):
                    return
                out = state.translate(fields["q"], normal["source"], normal["target"])
                escaped = html.escape(out)
                page = f'<html><body><div class="result-container">{escaped}</div></body></html>'
                self._answer(200, page.encode(), "text/html; charset=utf-8")
                return
            if not self._record(path, fields, {}):
                return
            if path == "/v2/languages":
                self._json(_deepl(state, path, headers, fields))
            elif path == "/languages" and "api-version" in fields:
                self._json(_azure(state, path, headers, fields))
            elif path == "/languages":
                self._json(_libre(state, path, fields))
            else:
                self._json((404, {"error": "Not Found"}))

        def do_POST(self) -> None:
            path, fields, body = self._fields()
            headers = {k.lower(): v for k, v in self.headers.items()}
            if path == "/v2/translate":
                texts = fields.get("text") or [""]
                normal = {
                    "q": texts[0],
                    "source": _ours(str(fields.get("source_lang", "")), _FROM_DEEPL),
                    "target": _ours(str(fields.get("target_lang", "")), _FROM_DEEPL),
                }
                if self._record(path, fields, normal):
                    self._json(_deepl(state, path, headers, fields))
            elif path == "/translate" and "api-version" in fields:
                items = body if isinstance(body, list) else []
                normal = {
                    "q": str(items[0].get("Text", "")) if items else "",
                    "source": _ours(str(fields.get("from", "")), _FROM_AZURE),
                    "target": _ours(str(fields.get("to", "")), _FROM_AZURE),
                }
                if self._record(path, fields, normal):
                    self._json(_azure(state, path, headers, {**fields, "body": items}))
            elif path == "/translate":
                if self._record(path, fields, {}):
                    self._json(_libre(state, path, fields))
            else:
                self._json((404, {"error": "Not Found"}))

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
