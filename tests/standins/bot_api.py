"""A local stand-in for Telegram's Bot API, on loopback, recording every call.

It speaks the real protocol (``POST /bot<token>/<method>``, form or JSON
parameters, ``{"ok": true, "result": ...}``), so python-telegram-bot's own
HTTP code runs against it. Tests queue updates for ``getUpdates``
(long polling) and read what the bot sent in ``calls``.

The command menu is kept as the Bot API keeps it: one list per scope and
language code (``setMyCommands``, ``getMyCommands``, ``deleteMyCommands``),
checked as Telegram checks it (1-100 commands of 1-32 characters of
``a-z0-9_``, descriptions of 1-256 characters, a two-letter language code or
none); ``menu(language_code)`` is what a person with that app language sees.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "ZRSZ pomočnik", "username": "zrsz_test_bot"}
COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
LANGUAGE_CODE = re.compile(r"^([a-z]{2})?$")
JSON_PARAMETERS = ("commands", "scope")  # objects python-telegram-bot sends as JSON in a form


@dataclass
class BotApi:
    url: str = ""
    token: str = "123456:TEST-TOKEN"
    calls: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    retry_after_once: set[str] = field(default_factory=set)
    broken: set[str] = field(default_factory=set)  # methods answered 502 Bad Gateway
    # (scope type, language code or "") -> the command list set for it
    commands: dict[tuple[str, str], list[dict[str, str]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1000))

    def push(self, update: dict[str, Any]) -> None:
        with self.lock:
            update = {"update_id": next(self._ids), **update}
            self.updates.append(update)

    def sent(self, method: str) -> list[dict[str, Any]]:
        with self.lock:
            return [c for c in self.calls if c["method"] == method]

    def menu(self, language_code: str = "") -> list[dict[str, str]]:
        """The commands a private chat whose app is in ``language_code`` is shown: the
        default scope's list for that language, else the one for every language."""
        with self.lock:
            found = self.commands.get(("default", language_code))
            return list(found if found is not None else self.commands.get(("default", ""), []))

    def wait_for(self, method: str, count: int = 1, timeout: float = 30.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.sent(method)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"{method} called {len(self.sent(method))} times, expected {count}")


def message(chat_id: int, text: str, language_code: str = "en", **extra: Any) -> dict[str, Any]:
    user = {"id": chat_id, "is_bot": False, "first_name": "Test", "language_code": language_code}
    body: dict[str, Any] = {
        "message_id": int(time.time() * 1000) % 1_000_000,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
        "from": user,
        **extra,
    }
    if text:
        body["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return body


@contextmanager
def bot_api() -> Iterator[BotApi]:
    state = BotApi()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _params(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            kind = self.headers.get("Content-Type", "")
            if "json" in kind:
                return dict(json.loads(raw or b"{}"))
            if "multipart" in kind:
                return {"_multipart": True}
            params = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            for name in JSON_PARAMETERS:
                if name in params:
                    with contextlib.suppress(ValueError):  # else left as sent: refused
                        params[name] = json.loads(params[name])
            return params

        def _reply(self, result: Any, ok: bool = True, status: int = 200, **extra: Any) -> None:
            body = json.dumps(
                {"ok": ok, "result": result, **extra} if ok else {"ok": False, **extra}
            )
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body.encode())))
            self.end_headers()
            self.wfile.write(body.encode())

        def do_POST(self) -> None:
            _, token_part, method = self.path.split("/", 2)
            params = self._params()
            if token_part != f"bot{state.token}":
                self._reply(None, ok=False, status=401, error_code=401, description="Unauthorized")
                return
            if method != "getUpdates":
                with state.lock:
                    state.calls.append({"method": method, **params})
            if method in state.broken:
                self._reply(None, ok=False, status=502, error_code=502, description="Bad Gateway")
                return
            if method in state.retry_after_once:
                state.retry_after_once.discard(method)
                self._reply(
                    None,
                    ok=False,
                    status=429,
                    error_code=429,
                    description="Too Many Requests: retry after 1",
                    parameters={"retry_after": 1},
                )
                return
            if method == "getMe":
                self._reply(BOT_USER)
            elif method == "getUpdates":
                offset = int(params.get("offset") or 0)
                deadline = time.monotonic() + min(float(params.get("timeout") or 0), 1.0)
                while True:
                    with state.lock:
                        pending = [u for u in state.updates if u["update_id"] >= offset]
                    if pending or time.monotonic() >= deadline:
                        break
                    time.sleep(0.05)
                self._reply(pending)
            elif method in ("sendMessage", "editMessageText"):
                chat_id = int(params.get("chat_id", 0))
                result = {
                    "message_id": len(state.calls),
                    "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private"},
                    "from": BOT_USER,
                    "text": params.get("text", ""),
                }
                self._reply(result)
            elif method in ("setMyCommands", "getMyCommands", "deleteMyCommands"):
                self._commands(method, params)
            else:  # deleteWebhook, setWebhook, sendChatAction, answerCallbackQuery, ...
                self._reply(True)

        def _commands(self, method: str, params: dict[str, Any]) -> None:
            scope = params.get("scope") or {"type": "default"}
            language_code = str(params.get("language_code") or "")
            if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
                self._bad_request("can't parse BotCommandScope")
                return
            if not LANGUAGE_CODE.match(language_code):
                self._bad_request("invalid language code specified")
                return
            key = (scope["type"], language_code)
            if method == "getMyCommands":
                with state.lock:
                    self._reply(state.commands.get(key, []))
                return
            if method == "deleteMyCommands":
                with state.lock:
                    state.commands.pop(key, None)
                self._reply(True)
                return
            commands = params.get("commands")
            if not isinstance(commands, list) or len(commands) > 100:
                self._bad_request("can't parse commands JSON object")
                return
            for command in commands:
                if not isinstance(command, dict) or not COMMAND.match(command.get("command", "")):
                    self._bad_request("BOT_COMMAND_INVALID")
                    return
                description = command.get("description")
                if not isinstance(description, str) or not 1 <= len(description) <= 256:
                    self._bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
                    return
            with state.lock:
                if commands:
                    state.commands[key] = [
                        {"command": c["command"], "description": c["description"]} for c in commands
                    ]
                else:  # an empty list deletes, as in the Bot API
                    state.commands.pop(key, None)
            self._reply(True)

        def _bad_request(self, why: str) -> None:
            self._reply(
                None, ok=False, status=400, error_code=400, description=f"Bad Request: {why}"
            )

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/bot"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
