"""The REST channel's idempotent retries: a turn is answered exactly once."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered

from runtime.channels import GatewayRestInput, replies_of_turn


class FakeProcessor:
    """Rasa's processor as far as the channel sees it: logs the turn, replies, saves."""

    def __init__(self, store: InMemoryTrackerStore) -> None:
        self.store = store
        self.turns: list[str] = []
        self.parsed: list[UserMessage] = []
        self.fail = False

    async def parse_message(self, message: UserMessage) -> dict[str, Any]:
        """Rasa's parse data, with more than the gateway needs (text, ranking)."""
        if self.fail:
            raise ValueError(f"cannot parse {message.text}")
        self.parsed.append(message)
        return {
            "text": message.text,
            "intent": {"name": "work_rights", "confidence": 0.91},
            "intent_ranking": [{"name": "work_rights", "confidence": 0.91}],
            "entities": [
                {
                    "entity": "city",
                    "value": "maribor",
                    "start": 10,
                    "end": 17,
                    "extractor": "GazetteerEntityExtractor",
                }
            ],
            "language_detection": {
                "language": "fa",
                "confidence": 0.97,
                "words": 6,
                "reliable": True,
                "hint": (message.metadata or {}).get("language"),
            },
        }

    async def handle_message(self, message: UserMessage) -> None:
        if self.fail:
            raise ValueError(f"cannot handle {message.text}")
        self.turns.append(str(message.text))
        tracker = await self.store.get_or_create_tracker(str(message.sender_id))
        tracker.update(UserUttered(message.text, message_id=message.message_id))
        for n in (1, 2):
            reply = BotUttered(
                f"reply {n} to {message.text}",
                data={"buttons": [{"title": "Yes", "payload": "/affirm"}]} if n == 1 else {},
                metadata={"utter_action": f"utter_{n}", "language": "sl"},
            )
            tracker.update(reply)
            assert message.output_channel is not None
            await message.output_channel.send_response(str(message.sender_id), reply.message())
        await self.store.save(tracker)


class FakeAgent:
    def __init__(self) -> None:
        self.lock_store = InMemoryLockStore()
        self.tracker_store = InMemoryTrackerStore(Domain.empty())
        self.processor = FakeProcessor(self.tracker_store)
        self.ready = True

    def is_ready(self) -> bool:
        return self.ready

    async def handle_message(self, message: UserMessage) -> Any:
        async with self.lock_store.lock(str(message.sender_id)):
            return await self.processor.handle_message(message)


@pytest.fixture
def agent() -> FakeAgent:
    return FakeAgent()


async def post(agent: FakeAgent, **body: Any) -> tuple[int, Any]:
    return await GatewayRestInput().handle(body, agent, agent.handle_message)


async def test_replies_carry_their_response_key_and_language(agent: FakeAgent) -> None:
    status, replies = await post(agent, sender="s1", message="zdravo", message_id=uuid.uuid4().hex)
    assert status == 200
    assert replies[0]["text"] == "reply 1 to zdravo"
    assert replies[0]["buttons"] == [{"title": "Yes", "payload": "/affirm"}]
    assert [(r["response"], r["language"]) for r in replies] == [
        ("utter_1", "sl"),
        ("utter_2", "sl"),
    ]


async def test_a_retried_turn_that_was_saved_is_replayed_not_processed(agent: FakeAgent) -> None:
    turn = uuid.uuid4().hex
    _, first = await post(agent, sender="s1", message="kdaj", message_id=turn)
    status, again = await post(agent, sender="s1", message="kdaj", message_id=turn, retry=True)
    assert status == 200 and again == first
    assert agent.processor.turns == ["kdaj"]
    tracker = await agent.tracker_store.retrieve("s1")
    assert tracker is not None
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["kdaj"]


async def test_a_retried_turn_that_was_not_saved_is_processed(agent: FakeAgent) -> None:
    await post(agent, sender="s1", message="one", message_id=uuid.uuid4().hex)
    status, replies = await post(
        agent, sender="s1", message="two", message_id=uuid.uuid4().hex, retry=True
    )
    assert status == 200 and replies[0]["text"] == "reply 1 to two"
    assert agent.processor.turns == ["one", "two"]


async def test_without_retry_the_same_id_is_not_looked_up(agent: FakeAgent) -> None:
    turn = uuid.uuid4().hex
    await post(agent, sender="s1", message="a", message_id=turn)
    await post(agent, sender="s1", message="a", message_id=turn)
    assert agent.processor.turns == ["a", "a"]


@pytest.mark.parametrize(
    "body",
    [{}, {"sender": "s1"}, {"sender": "", "message": "x"}, {"sender": "s1", "message": 5}],
)
async def test_bad_requests(agent: FakeAgent, body: dict[str, Any]) -> None:
    assert (await GatewayRestInput().handle(body, agent, agent.handle_message))[0] == 400


async def test_not_ready_is_503_so_the_gateway_may_retry(agent: FakeAgent) -> None:
    agent.ready = False
    assert (await post(agent, sender="s1", message="x"))[0] == 503
    assert agent.processor.turns == []


async def test_a_failed_turn_is_500_and_its_text_is_not_logged(
    agent: FakeAgent, caplog: pytest.LogCaptureFixture
) -> None:
    agent.processor.fail = True
    with caplog.at_level(logging.INFO):  # production's level (Rasa's DEBUG names senders)
        status, _ = await post(agent, sender="secret-sender", message="my passport number 123")
    assert status == 500
    assert "ValueError" in caplog.text
    assert "passport" not in caplog.text and "secret-sender" not in caplog.text


def test_replies_of_turn() -> None:
    events = [
        UserUttered("a", message_id="1"),
        BotUttered("ra"),
        UserUttered("b", message_id="2"),
        BotUttered("rb1"),
        BotUttered("rb2"),
        UserUttered("c", message_id="3"),
    ]
    assert [e.text for e in replies_of_turn(events, "2") or []] == ["rb1", "rb2"]
    assert replies_of_turn(events, "3") == []
    assert replies_of_turn(events, "9") is None


# --- /webhooks/rest/parse: what the model understood, for the console's gist ----------


async def test_parse_answers_intent_entities_and_language_only(agent: FakeAgent) -> None:
    status, answer = await GatewayRestInput.parse(
        {"message": "کار در ماریبور", "hint": "fa"}, agent
    )
    assert status == 200
    assert answer == {
        "intent": {"name": "work_rights", "confidence": 0.91},
        "entities": [{"entity": "city", "value": "maribor", "start": 10, "end": 17}],
        "language_detection": {
            "language": "fa",
            "confidence": 0.97,
            "words": 6,
            "reliable": True,
            "hint": "fa",
        },
    }
    assert "text" not in answer  # nothing the person wrote goes back
    assert agent.processor.turns == []  # no conversation turn


async def test_parse_without_hint_passes_no_metadata(agent: FakeAgent) -> None:
    status, answer = await GatewayRestInput.parse({"message": "hello"}, agent)
    assert status == 200 and answer["language_detection"]["hint"] is None
    assert agent.processor.parsed[0].metadata is None


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"message": ""},
        {"message": "  "},
        {"message": 5},
        {"message": "x" * 4001},
        {"message": "x", "hint": 3},
    ],
)
async def test_parse_bad_requests(agent: FakeAgent, body: dict[str, Any]) -> None:
    assert (await GatewayRestInput.parse(body, agent))[0] == 400
    assert agent.processor.parsed == []


async def test_parse_without_a_model_is_503(agent: FakeAgent) -> None:
    agent.ready = False
    assert (await GatewayRestInput.parse({"message": "x"}, agent))[0] == 503
    assert (await GatewayRestInput.parse({"message": "x"}, None))[0] == 503


async def test_a_failed_parse_is_500_and_its_text_is_not_logged(
    agent: FakeAgent, caplog: pytest.LogCaptureFixture
) -> None:
    agent.processor.fail = True
    with caplog.at_level(logging.INFO):
        status, _ = await GatewayRestInput.parse({"message": "my passport number 123"}, agent)
    assert status == 500
    assert "ValueError" in caplog.text and "passport" not in caplog.text
