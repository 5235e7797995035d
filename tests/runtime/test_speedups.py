"""Rasa's action-server calls, sped up: same verdicts, same JSON, same errors."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
import rasa.version
from aiohttp import web
from jsonschema import ValidationError
from rasa.core.actions.action import ActionExtractSlots, RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import ClientResponseError, EndpointConfig
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.language import ActionResolveLanguage
from language import translation
from runtime import speedups
from tests.conftest import ROOT

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


def test_an_unexpected_rasa_is_refused_and_nothing_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The replacements are written for one Rasa; any other must be checked first."""
    replaced = (
        RemoteAction._validate_action_result,
        EndpointConfig.session,
        ActionExtractSlots._run_custom_action,
    )
    monkeypatch.setattr(rasa.version, "__version__", "3.6.22")
    with pytest.raises(RuntimeError, match=r"Rasa 3\.6\.21.*Rasa 3\.6\.22 is installed"):
        speedups.install()
    assert not speedups._installed
    assert replaced == (
        RemoteAction._validate_action_result,
        EndpointConfig.session,
        ActionExtractSlots._run_custom_action,
    )


def test_the_pinned_rasa_is_the_expected_one() -> None:
    lock = (ROOT / "requirements.lock").read_text().splitlines()
    assert f"rasa=={speedups.RASA_VERSION}" in lock
    assert rasa.version.__version__ == speedups.RASA_VERSION


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


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def detection(
    lang: str | None, words: int, confidence: float = 0.95, hint: str | None = None
) -> dict[str, Any]:
    return {"language": lang, "confidence": confidence, "words": words, "hint": hint}


LANGUAGE_CASES: list[tuple[dict[str, Any], dict[str, Any], bool]] = [
    ({}, {"language_detection": detection("uk", 5)}, False),  # a clear message, first contact
    (
        {"language": "uk", "language_source": "message"},
        {"language_detection": detection("uk", 3)},
        False,
    ),
    ({}, {"metadata": {"channel": "web", "language": "sl-SI"}}, False),  # a payload: the hint
    ({}, {"language_detection": detection("tr", 1, 0.4, hint="ar-SY")}, False),
    (
        {"language": "en", "language_source": "channel"},
        {
            "intent": {"name": "choose_language", "confidence": 1.0},
            "entities": [{"entity": "language", "value": "fa"}],
        },
        False,
    ),
    (  # an extended language is a choice only with machine translation
        {"language": "en", "language_source": "channel"},
        {
            "intent": {"name": "choose_language", "confidence": 1.0},
            "entities": [{"entity": "language", "value": "tr"}],
        },
        False,
    ),
    (
        {"language": "en", "language_source": "channel"},
        {
            "intent": {"name": "choose_language", "confidence": 1.0},
            "entities": [{"entity": "language", "value": "tr"}],
        },
        True,
    ),
    (  # a language named outside choose_language is not a choice
        {"language": "ar", "language_source": "explicit"},
        {
            "entities": [{"entity": "language", "value": "ru"}],
            "language_detection": detection("ru", 4),
        },
        False,
    ),
]


@pytest.mark.parametrize(("slots", "parsed", "translating"), LANGUAGE_CASES)
async def test_the_language_slot_mapping_in_process_answers_as_the_action_server(
    slots: dict[str, Any],
    parsed: dict[str, Any],
    translating: bool,
    domain: Domain,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(translation, "default", lambda: SimpleNamespace(enabled=translating))
    tracker = DialogueStateTracker("someone", domain.slots)
    for name, value in slots.items():
        tracker.update(SlotSet(name, value))
    intent = parsed.get("intent", {"name": "greet", "confidence": 0.9})
    tracker.update(
        UserUttered(
            "…",
            intent,
            parsed.get("entities", []),
            parse_data=parsed,
            metadata=parsed.get("metadata"),
        )
    )
    served = await ActionResolveLanguage().run(
        CollectingDispatcher(), Tracker.from_dict(tracker.current_state()), {}
    )
    original = ActionExtractSlots._run_custom_action
    speedups.install()
    try:
        endpoint = EndpointConfig("http://127.0.0.1:9/unreachable")
        local = await ActionExtractSlots(endpoint)._run_custom_action(
            "action_resolve_language",
            None,
            None,
            tracker,
            domain,  # type: ignore[arg-type]
        )
    finally:
        ActionExtractSlots._run_custom_action = original
        speedups._installed = False
    assert [(e.key, e.value) for e in local if isinstance(e, SlotSet)] == [
        (e["name"], e["value"]) for e in served
    ]
    assert len(local) == len(served)
