"""The compiled action-answer validator accepts and rejects exactly what Rasa's does."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

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
    before = rasa_verdict(action, answer)
    speedups.install()
    try:
        after = rasa_verdict(action, answer)
    finally:
        RemoteAction._validate_action_result = original
        speedups._installed = False
    assert after == before
    assert (answer in VALID) == (after == "ok")
