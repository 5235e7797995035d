"""Work Rasa 3.6 repeats on every turn, done once (docs/performance.md, "what moved the numbers").

``install()`` runs once in each Rasa server, from one place:
``GatewayRestInput.from_credentials`` (``runtime/channels.py``), which Rasa calls
first of all the project's code it loads (``credentials.yml`` names the channel;
``rasa run`` creates its channels before it loads the model, the stores of
``endpoints.yml`` and the NLG). It replaces Rasa internals, so it refuses any
Rasa but the one pinned in ``requirements.lock`` (``RASA_VERSION``): after an
upgrade, check each replacement below against the new Rasa, then change it.

Action server answers, validated against a schema compiled once
    Rasa checks every answer of the action server against a JSON schema with
    ``jsonschema.validate(answer, schema)``, which first validates the
    *schema itself* against the JSON Schema meta-schema, on every call. With
    a custom slot mapping after every message and a custom action in most
    turns, that was 45 % of a Rasa replica's CPU under load (py-spy). Here the
    schema is checked once and its validator kept: the same answers pass, the
    same errors are raised with the same message.

One kept HTTP session per endpoint, and a faster JSON encoder
    Rasa opens a new ``aiohttp.ClientSession`` (a new TCP connection) for every
    call to the action server, and encodes the tracker it sends with the
    standard ``json`` module: 5 % of a replica's CPU for the encoding and 2 %
    for the connections (py-spy). Here each endpoint keeps one session per
    event loop, with keep-alive connections closed after
    ``KEEPALIVE_SECONDS`` (shorter than the action server's own 5 s, so Rasa
    never writes to a connection the server is closing) and ``ujson`` for the
    request bodies: the same JSON, the same requests and the same errors.

The language slot mapping in process
    After every user message Rasa runs the custom slot mapping
    ``action_resolve_language`` on the action server: a round trip carrying
    the whole tracker, about 7 % of a replica's time. It is a pure function
    of the parsed message and two slots (``language.resolution.after_message``),
    so Rasa runs it itself; the action server keeps the action, with the same
    function, for anything that calls it there (``rasa shell`` without this
    channel, ``rasa test``).
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import aiohttp
import ujson
from jsonschema import validators
from jsonschema.exceptions import best_match
from rasa import version as rasa_version
from rasa.core.actions.action import ActionExtractSlots, RemoteAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from language import translation
from language.resolution import after_message

KEEPALIVE_SECONDS = 2.0
RASA_VERSION = "3.6.21"  # the Rasa these replacements are written for (requirements.lock)

_installed = False

_dumps = functools.partial(ujson.dumps, ensure_ascii=False, escape_forward_slashes=False)


class _Kept:
    """``async with`` on a kept session: enter gives the session, leaving keeps it open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *_: object) -> None:
        return None


def _kept_session(original: Any) -> Any:
    def session(self: EndpointConfig) -> Any:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not in a coroutine: Rasa's own, closed when left
            return original(self)
        kept: dict[int, aiohttp.ClientSession] = self.__dict__.setdefault("_pes_sessions", {})
        current = kept.get(id(loop))
        if current is None or current.closed:
            auth = self.basic_auth  # as Rasa's EndpointConfig.session sets it up
            current = aiohttp.ClientSession(
                headers=self.headers,
                auth=aiohttp.BasicAuth(auth["username"], auth["password"]) if auth else None,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                json_serialize=_dumps,
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
            )
            kept[id(loop)] = current
        return _Kept(current)

    return session


def resolve_language(tracker: DialogueStateTracker) -> list[Event]:
    """``action_resolve_language``, as the action server would answer it."""
    latest = tracker.latest_message
    message = {**latest.parse_data, "entities": latest.entities} if latest else {}
    slots = {name: tracker.get_slot(name) for name in ("language", "language_source")}
    enabled = translation.default().enabled
    changes = after_message(message, slots, translation_enabled=enabled)
    return [SlotSet(name, value) for name, value in changes.items()]


IN_PROCESS_SLOT_MAPPINGS = {"action_resolve_language": resolve_language}


def _slot_mappings_in_process(original: Any) -> Any:
    async def _run_custom_action(
        self: ActionExtractSlots,
        custom_action: str,
        output_channel: Any,
        nlg: Any,
        tracker: DialogueStateTracker,
        domain: Any,
    ) -> list[Event]:
        local = IN_PROCESS_SLOT_MAPPINGS.get(custom_action)
        if local is not None:
            return local(tracker)
        return list(await original(self, custom_action, output_channel, nlg, tracker, domain))

    return _run_custom_action


def _compiled_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def install() -> None:
    """The schema check, the sessions and the language slot mapping replaced (idempotent).

    Raises ``RuntimeError`` (and replaces nothing) under any Rasa but ``RASA_VERSION``.
    """
    global _installed
    if _installed:
        return
    found = rasa_version.__version__
    if found != RASA_VERSION:
        raise RuntimeError(
            f"runtime.speedups replaces internals of Rasa {RASA_VERSION} "
            f"(RemoteAction._validate_action_result, EndpointConfig.session, "
            f"ActionExtractSlots._run_custom_action), but Rasa {found} is installed: "
            f"check each replacement against Rasa {found}, then change RASA_VERSION "
            f"in runtime/speedups.py (or install rasa=={RASA_VERSION} from requirements.lock)"
        )
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
    EndpointConfig.session = _kept_session(EndpointConfig.session)
    ActionExtractSlots._run_custom_action = _slot_mappings_in_process(
        ActionExtractSlots._run_custom_action
    )
    _installed = True
