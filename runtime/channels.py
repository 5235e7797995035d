"""The REST channel the gateway talks to: Rasa's own, plus safe retries across replicas.

Configured in ``credentials.yml`` under its module path; its name is ``rest``, so
the URL stays ``/webhooks/rest/webhook`` and the request body stays Rasa's
(``sender``, ``message``, ``metadata``). Two optional fields are added:

``message_id``
    32 hex characters the gateway draws once per user turn. Rasa stores it on
    the ``UserUttered`` event.
``retry``
    ``true`` when the gateway sends the same turn again because its first
    replica dropped the connection after the request may have reached it.

A retry is handled under the conversation's lock (the Redis lock store shared
by every replica): if the conversation already holds a user turn with this
``message_id``, the first replica finished that turn and saved it, so the
replies it gave are sent back from the tracker and the turn is **not**
processed again; otherwise the turn is processed as usual. Rasa saves a turn's
events in one commit at its end, while still holding the lock, so "saved" and
"not processed" are the only two states a retry can find.

Each reply also carries the response key (``response``) and the language the
localising NLG wrote it in (``language``), for the gateway's metrics. Unlike
Rasa's own REST channel, a failed turn is answered with status 500 (not an
empty list), a replica that has no model yet with 503, and nothing the user
wrote is logged.

``POST /webhooks/rest/parse`` (``{"message": text, "hint": "fa"}``, the hint
optional) answers what the model understood of a text without a conversation
turn: the intent and its confidence, the entities, and the language detection
of ``LanguageResolver`` (:func:`trimmed_parse`). The counsellor console's
automatic summary of a person's message (``pes/gist.py``) is made from it while
a counsellor has the conversation and Rasa must not answer. Rasa's own
``/model/parse`` is served only with an auth token, so it is here too.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.events import BotUttered, Event, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from common import logs
from language.detect import DETECTION_KEY
from runtime import speedups
from runtime.replica import replica

logger = logging.getLogger(__name__)

MESSAGE_ID = re.compile(r"^[0-9a-f]{32}$")
TAGS = {"utter_action": "response", "language": "language"}
MAX_PARSE = 4000  # characters: the console's longest message
ENTITY_FIELDS = ("entity", "value", "start", "end")


class ReplyCollector(CollectingOutputChannel):
    """Collects the replies, each tagged with its response key and language."""

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        tags = {out: message[key] for key, out in TAGS.items() if isinstance(message.get(key), str)}
        before = len(self.messages)
        await super().send_response(recipient_id, message)
        for collected in self.messages[before:]:
            collected.update(tags)


def replies_of_turn(events: Iterable[Event], message_id: str) -> list[BotUttered] | None:
    """The bot's replies to the user turn ``message_id``, or None if no such turn was saved."""
    found = False
    replies: list[BotUttered] = []
    for event in events:
        if isinstance(event, UserUttered):
            if found:
                break
            found = event.message_id == message_id
        elif found and isinstance(event, BotUttered):
            replies.append(event)
    return replies if found else None


def trimmed_parse(parsed: dict[str, Any]) -> dict[str, Any]:
    """What the gateway needs of Rasa's parse data: no text, no ranking, no features."""
    said = parsed.get("intent")
    intent: dict[str, Any] = said if isinstance(said, dict) else {}
    entities = [
        {key: item[key] for key in ENTITY_FIELDS if key in item}
        for item in parsed.get("entities") or []
        if isinstance(item, dict)
    ]
    detection = parsed.get(DETECTION_KEY)
    return {
        "intent": {"name": intent.get("name"), "confidence": intent.get("confidence")},
        "entities": entities,
        DETECTION_KEY: detection if isinstance(detection, dict) else None,
    }


def _failure(exc: BaseException) -> None:
    # The type and the code path, never the exception's text (it may quote the message).
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("turn failed: %s\n%s", type(exc).__name__, frames)


class GatewayRestInput(RestInput):
    """Rasa's REST channel with idempotent retries and tagged replies."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> GatewayRestInput:
        """The Rasa server's start-up: ``rasa run`` creates the channels of
        ``credentials.yml`` once, after setting up its own logging and before it loads
        the model, the stores and the NLG, so the process is prepared here: the
        project's log format, and ``speedups.install()`` (its one call; it refuses a
        Rasa version it was not written for, and the server does not start)."""
        logs.configure_rasa(replica().log_format)
        speedups.install()
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/parse", methods=["POST"])
        async def parse(request: Request) -> HTTPResponse:
            body = request.json if isinstance(request.json, dict) else {}
            agent = getattr(request.app.ctx, "agent", None)
            status, answer = await self.parse(body, agent)
            return response.json(answer, status=status)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = request.json if isinstance(request.json, dict) else {}
            agent = getattr(request.app.ctx, "agent", None)
            channel = self._extract_input_channel(request)
            status, answer = await self.handle(body, agent, on_new_message, channel)
            return response.json(answer, status=status)

        return webhook

    async def handle(
        self,
        body: dict[str, Any],
        agent: Any,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        input_channel: str = "rest",
    ) -> tuple[int, Any]:
        """One POST to the webhook: its status and JSON answer."""
        sender, text = body.get("sender"), body.get("message")
        if not isinstance(sender, str) or not sender or not isinstance(text, str):
            return 400, {"error": "sender and message are required"}
        metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else None
        raw_id = body.get("message_id")
        message_id = raw_id if isinstance(raw_id, str) and MESSAGE_ID.match(raw_id) else None
        if agent is None or not agent.is_ready():
            return 503, {"error": "no model loaded yet"}
        collector = ReplyCollector()
        message = UserMessage(
            text,
            collector,
            sender,
            input_channel=input_channel,
            message_id=message_id,
            metadata=metadata,
        )
        try:
            if message_id and body.get("retry") is True:
                await self._retry(agent, message, collector)
            else:
                await on_new_message(message)
        except Exception as exc:
            _failure(exc)
            return 500, {"error": "the turn failed"}
        return 200, collector.messages

    @staticmethod
    async def parse(body: dict[str, Any], agent: Any) -> tuple[int, Any]:
        """One POST to ``/parse``: what the model understood of ``message``, no turn."""
        text, hint = body.get("message"), body.get("hint")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_PARSE:
            return 400, {"error": "message is required (at most 4000 characters)"}
        if hint is not None and not isinstance(hint, str):
            return 400, {"error": "hint must be a language code"}
        if agent is None or not agent.is_ready():
            return 503, {"error": "no model loaded yet"}
        # The processor, not ``Agent.parse_message(text)``: only it takes metadata,
        # which is where ``language.components.channel_hint`` reads the hint from.
        message = UserMessage(text, metadata={"language": hint} if hint else None)
        try:
            parsed = await agent.processor.parse_message(message)
        except Exception as exc:
            _failure(exc)
            return 500, {"error": "the parse failed"}
        return 200, trimmed_parse(parsed)

    @staticmethod
    async def _retry(agent: Any, message: UserMessage, collector: ReplyCollector) -> None:
        """Process ``message`` unless an earlier attempt already saved it; replay its replies."""
        sender = str(message.sender_id)
        async with agent.lock_store.lock(sender):
            tracker = await agent.tracker_store.retrieve(sender)
            done = replies_of_turn(tracker.events if tracker else [], str(message.message_id))
            if done is None:
                await agent.processor.handle_message(message)
                return
            logger.info("retried turn was already answered; replaying %d replies", len(done))
            for reply in done:
                await collector.send_response(sender, reply.message())
