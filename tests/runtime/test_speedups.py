"""Rasa's action-server calls, sped up: same verdicts, same JSON, same errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import web
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from runtime import speedups

VALID: list[dict[str, Any]] = [
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "language", "value": "fa"}],
        "responses": [{"response": "utter_greet", "buttons": [{"title": "A", "payload": "/a"}]}],
    },
]
INVALID: list[dict[str, Any]] = [
    {"events": [{"name": "language"}], "responses": []},  # an event without its type
    {"events": "not a list", "responses": []},
]


def rasa_verdict(action: RemoteAction, answer: dict[str, Any]) -> str:
    try:
        action._validate_action_result(answer)
    except ValidationError as exc:
        return f"error: {exc.message}"
    return "ok"


@pytest.mark.parametrize("answer", VALID + INVALID)
def test_same_verdict_and_message_as_rasa(answer: dict[str, Any]) -> None:
    action = RemoteAction("action_x", EndpointConfig("http://127.0.0.1:1/webhook"))
    original = RemoteAction._validate_action_result
    session = EndpointConfig.session
    before = rasa_verdict(action, answer)
    speedups.install()
    try:
        after = rasa_verdict(action, answer)
    finally:
        RemoteAction._validate_action_result = original
        EndpointConfig.session = session
        speedups._installed = False
    assert after == before
    assert (answer in VALID) == (after == "ok")


async def test_action_calls_reuse_one_connection_and_send_the_same_json() -> None:
    """Kept sessions: several calls, one TCP connection, bodies that decode to what was sent."""
    peers: list[Any] = []
    bodies: list[Any] = []

    async def webhook(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername") if request.transport else None)
        bodies.append(json.loads(await request.read()))
        if request.query.get("fail"):
            return web.Response(status=500, text="broken")
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", token="s3cret")
    original = EndpointConfig.session
    speedups.install()
    try:
        sent = {"tracker": {"latest_message": {"text": "سلام / привіт"}, "ts": 1764104142.1234567}}
        for _ in range(3):
            assert await endpoint.request(json=sent) == {"events": [], "responses": []}
        with pytest.raises(ClientResponseError) as failure:
            await endpoint.request(json=sent, params={"fail": "1"})
        assert failure.value.status == 500
    finally:
        EndpointConfig.session = original
        speedups._installed = False
        for session in endpoint.__dict__.get("_pes_sessions", {}).values():
            await session.close()
        await runner.cleanup()
    assert bodies == [sent] * 4  # the same JSON, floats to the last digit
    assert len(set(peers)) == 1  # one connection for all four calls
