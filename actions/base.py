"""What every PES action shares: the reply language and the content."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from language import languages
from language.catalogue import BY_LANGUAGE, Catalogue
from pes import content

_CATALOGUE: Catalogue | None = None


def catalogue() -> Catalogue:
    """The reply catalogue, loaded once per process."""
    global _CATALOGUE
    if _CATALOGUE is None:
        _CATALOGUE = Catalogue.load()
    return _CATALOGUE


def reply_language(tracker: Tracker) -> str:
    """The core language this conversation is answered in."""
    return languages.reply_language(tracker.get_slot("language"))


def in_reply_languages(tracker: Tracker, values: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """A reply's placeholder values, ``values(lang)``, in the reply language.

    A conversation in a language without written replies is answered in English, or,
    when machine translation is off or fails, in English and in Slovenian (the
    localising NLG's fallback): there the values come in Slovenian as well
    (``by_language``), so the Slovenian lines hold no English word.
    """
    lang = reply_language(tracker)
    found = values(lang)
    wanted = tracker.get_slot("language")
    if languages.is_known(wanted) and not languages.is_core(wanted):
        found[BY_LANGUAGE] = {languages.WORKING: values(languages.WORKING)}
    return found


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    """The value of ``entity`` in the latest user message, if any."""
    value = next(tracker.get_latest_entity_values(entity), None)
    return str(value) if value is not None else None


def session_events(tracker: Tracker) -> list[dict[str, Any]]:
    """The events of this session (since the latest ``session_started``)."""
    events = list(tracker.events)
    starts = [i for i, e in enumerate(events) if e.get("event") == "session_started"]
    return events[starts[-1] + 1 :] if starts else events


class PesAction(Action, ABC):
    """Base of the content actions: subclasses answer in ``respond``.

    Needs nothing from the tracker beyond the ``language`` slot; replies are sent
    as keys of ``data/locales`` so the localising NLG renders them.
    """

    @abstractmethod
    def name(self) -> str: ...

    @abstractmethod
    def respond(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        lang: str,
        data: content.Content,
    ) -> list[dict[str, Any]]:
        """Send the answer; return the events to apply."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return self.respond(dispatcher, tracker, reply_language(tracker), content.default())
