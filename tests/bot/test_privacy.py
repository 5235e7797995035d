"""The gateway's privacy hook and retention job, with stand-ins for the conversation store."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import OperationalError

from bot.conversation import Conversations, User
from bot.privacy import PrivacyHook, RetentionJob, notice_message
from bot.rasa_client import BotMessage
from language.catalogue import Catalogue
from pes.db import Database
from pes.tracker_events import EVENTS, TrackerEvents
from tests.standins.rasa_rest import FakeRasa

USER = User("web", "web-00112233445566778899aabbccddeeff", None, "sl")


class Events:
    """TrackerEvents as the hook uses it."""

    def __init__(self, first: bool = True, lang: str | None = "uk") -> None:
        self.first, self.lang = first, lang
        self.forgotten: list[str] = []
        self.fail = False

    def first_contact(self, user_id: str) -> tuple[bool, str | None]:
        return self.first, self.lang

    def forget(self, user_id: str) -> int:
        if self.fail:
            raise OperationalError("DELETE", {}, Exception("database is locked"))
        self.forgotten.append(user_id)
        return 7


def hook(events: Events, catalogue: Catalogue) -> PrivacyHook:
    return PrivacyHook(Conversations(FakeRasa().client()), events, catalogue, 90)  # type: ignore[arg-type]


async def test_notice_once_in_the_conversations_language(catalogue: Catalogue) -> None:
    events = Events(lang="uk")
    h = hook(events, catalogue)
    replies = await h(USER, [BotMessage(text="Привіт")])
    assert [m.text for m in replies] == ["Привіт", notice_message(catalogue, "uk", 90)["text"]]
    events.first = True  # even if the store still says so, once per process is enough
    assert len(await h(USER, [BotMessage(text="Привіт")])) == 1


async def test_no_notice_glued_to_urgent_help_it_waits_for_the_next_reply(
    catalogue: Catalogue,
) -> None:
    events = Events(lang="uk")
    h = hook(events, catalogue)
    urgent = [
        BotMessage(text="Якщо ви в небезпеці, телефонуйте 112", response="utter_urgent_help"),
        BotMessage(text="Консультант побачить ваше повідомлення", response="handoff.opened_urgent"),
    ]
    assert await h(USER, urgent) == urgent
    replies = await h(USER, [BotMessage(text="Дякую", response="utter_you_are_welcome")])
    assert [m.text for m in replies] == ["Дякую", notice_message(catalogue, "uk", 90)["text"]]


def test_calls_for_urgent_help_do_not_count_as_the_first_message(database: Database) -> None:
    """The store's side of the deferral: the first reply not about danger is the first."""
    EVENTS.metadata.create_all(database.engine)
    store = TrackerEvents(database)

    def said(intent: str | None) -> None:
        with database.session() as session:
            session.execute(
                insert(EVENTS).values(
                    sender_id="web-x", type_name="user", intent_name=intent, data="{}"
                )
            )

    said("urgent_help")
    assert store.first_contact("web-x") == (False, None)  # that turn shows no notice
    said("thank_you")
    assert store.first_contact("web-x")[0] is True
    said(None)
    assert store.first_contact("web-x")[0] is False


async def test_no_second_notice_where_the_channel_showed_one(catalogue: Catalogue) -> None:
    """The widget shows its notice on first open; the first reply does not repeat it."""
    h = hook(Events(lang="fa"), catalogue)
    widget_user = User("web", "web-1", None, "fa", notice_shown=True)
    assert [m.text for m in await h(widget_user, [BotMessage(text="سلام")])] == ["سلام"]


@pytest.mark.parametrize(("slot", "hint", "expected"), [("ps", "fa", "en"), (None, "ar", "ar")])
async def test_notice_language_falls_back(
    catalogue: Catalogue, slot: str | None, hint: str, expected: str
) -> None:
    h = hook(Events(lang=slot), catalogue)
    user = User("telegram", "telegram-1", "1", hint)
    replies = await h(user, [])
    assert replies[0].text == notice_message(catalogue, expected, 90)["text"]


async def test_marker_erases_only_its_own_sender(catalogue: Catalogue) -> None:
    events = Events(first=False)
    h = hook(events, catalogue)
    marker = BotMessage(custom={"erase_conversation": USER.user_id})
    forged = BotMessage(custom={"erase_conversation": "web-somebody-else"})
    replies = await h(USER, [BotMessage(text="Done"), forged])
    assert [m.text for m in replies] == ["Done"] and events.forgotten == []
    replies = await h(USER, [BotMessage(text="Done"), marker])
    assert [m.text for m in replies] == ["Done"] and events.forgotten == [USER.user_id]


async def test_a_failed_erasure_is_retried_by_the_retention_job(
    catalogue: Catalogue, database: Database
) -> None:
    events = Events(first=False)
    events.fail = True
    h = hook(events, catalogue)
    await h(USER, [BotMessage(custom={"erase_conversation": USER.user_id})])
    assert h.pending == {USER.user_id}
    events.fail = False
    job = RetentionJob(database, 90, h.conversations, h)
    await job.run_once()
    assert h.pending == set() and events.forgotten == [USER.user_id]


async def test_retention_job_logs_counts_only(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    conversations = Conversations(FakeRasa().client())
    conversations._known["telegram-secret-id"] = "555"
    job = RetentionJob(database, 30, conversations)
    with caplog.at_level(logging.INFO):
        erased: dict[str, Any] = await job.run_once()
    assert "conversations" in erased and "outbox" in erased
    assert conversations._known == {}  # purged contacts are written again on the next message
    assert "retention (30 days)" in caplog.text and "telegram-secret-id" not in caplog.text


async def test_job_starts_and_stops(database: Database) -> None:
    job = RetentionJob(database, 90, Conversations(FakeRasa().client()), first_run=3600)
    job.start()
    assert job.rounds.running and job.rounds.first_delay == 3600
    await job.stop()
    assert not job.rounds.running
