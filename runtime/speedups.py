"""Work Rasa 3.6 repeats on every turn, done once (docs/performance.md, "what moved the numbers").

``install()`` runs once in each Rasa server, when the REST channel is created.

Action server answers, validated against a schema compiled once
    Rasa checks every answer of the action server against a JSON schema with
    ``jsonschema.validate(answer, schema)``, which first validates the
    *schema itself* against the JSON Schema meta-schema, on every call. With
    a custom slot mapping after every message and a custom action in most
    turns, that was 45 % of a Rasa replica's CPU under load (py-spy). Here the
    schema is checked once and its validator kept: the same answers pass, the
    same errors are raised with the same message.
"""

from __future__ import annotations

from typing import Any

from jsonschema import validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_installed = False


def _compiled_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def install() -> None:
    """Replace Rasa's per-call schema check by a validator compiled once (idempotent)."""
    global _installed
    if _installed:
        return
    validator = _compiled_validator()

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        error = best_match(validator.iter_errors(result))
        if error is not None:
            error.message += (
                f". Failed to validate Action server response from API, "
                f"make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise error
        return True

    RemoteAction._validate_action_result = _validate_action_result
    _installed = True
