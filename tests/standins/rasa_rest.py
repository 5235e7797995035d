"""A stand-in for Rasa's REST channel and root endpoint, through httpx.MockTransport."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.rasa_client import PARSE, RasaClient


@dataclass
class FakeRasa:
    up: bool = True
    requests: list[dict[str, Any]] = field(default_factory=list)
    parses: list[dict[str, Any]] = field(default_factory=list)  # bodies sent to PARSE
    # What PARSE answers (the model understood nothing, by default); None: 503, no model.
    parsed: dict[str, Any] | None = field(default_factory=dict)
    replies: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {"text": "\u200fسلام", "buttons": [{"title": "A", "payload": "/help"}]},
            {"text": "Hello"},
        ]
    )

    def handler(self, request: httpx.Request) -> httpx.Response:
        if not self.up:
            raise httpx.ConnectError("refused", request=request)
        if request.url.path == "/":
            return httpx.Response(200, text="Hello from Rasa: 3.6.21")
        if request.url.path == "/health":
            return httpx.Response(200, json={"status": "ok"})
        body = json.loads(request.content)
        if request.url.path == PARSE:
            self.parses.append(body)
            if self.parsed is None:
                return httpx.Response(503, json={"error": "no model loaded yet"})
            return httpx.Response(200, json=self.parsed)
        self.requests.append(body)
        return httpx.Response(
            200, json=[{"recipient_id": body["sender"], **r} for r in self.replies]
        )

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def client(self) -> RasaClient:
        return RasaClient("http://rasa.test", transport=self.transport)
