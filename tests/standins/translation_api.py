"""A local stand-in for translation providers, speaking their HTTP protocols on loopback.

- Google's web endpoint (what deep-translator's GoogleTranslator scrapes):
  ``GET /?sl=..&tl=..&q=..`` answers HTML with ``<div class="result-container">``.
- LibreTranslate: ``POST /translate?q=..&source=..&target=..`` answers
  ``{"translatedText": ...}``.

Translations come from a dictionary; unknown texts come back as
``<target>:<text>`` so tests can see that a translation happened. Every request
is recorded; ``delay`` makes it slow, ``fail`` makes it answer 500.
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


@dataclass
class StandIn:
    url: str
    dictionary: dict[tuple[str, str, str], str] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    delay: float = 0.0
    fail: bool = False

    def translate(self, text: str, source: str, target: str) -> str:
        return self.dictionary.get((source, target, text), f"{target}:{text}")


@contextmanager
def translation_api() -> Iterator[StandIn]:
    state = StandIn(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _params(self) -> dict[str, str]:
            query = parse_qs(urlparse(self.path).query)
            return {k: v[0] for k, v in query.items()}

        def _answer(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _common(self, params: dict[str, str]) -> bool:
            state.requests.append(
                {"method": self.command, "path": urlparse(self.path).path, **params}
            )
            if state.delay:
                time.sleep(state.delay)
            if state.fail:
                self._answer(500, b"error", "text/plain")
                return False
            return True

        def do_GET(self) -> None:  # Google's web endpoint
            params = self._params()
            if not self._common(params):
                return
            out = state.translate(params.get("q", ""), params.get("sl", ""), params.get("tl", ""))
            page = (
                f'<html><body><div class="result-container">{html.escape(out)}</div></body></html>'
            )
            self._answer(200, page.encode(), "text/html; charset=utf-8")

        def do_POST(self) -> None:  # LibreTranslate
            params = self._params()
            if not self._common(params):
                return
            out = state.translate(
                params.get("q", ""), params.get("source", ""), params.get("target", "")
            )
            self._answer(200, json.dumps({"translatedText": out}).encode(), "application/json")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
