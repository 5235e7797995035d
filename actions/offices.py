"""Where the offices are and when they are open: answered from data/content/offices.yml."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import PesAction, catalogue, in_reply_languages, latest_entity
from common.payload import payload
from pes.content import WEEKDAYS, Content, Office


def city_buttons(data: Content, lang: str) -> list[dict[str, str]]:
    return [
        {"title": office.city_name(lang), "payload": payload("office_info", city=office.city)}
        for office in data.offices.values()
    ]


def opening_hours(office: Office, lang: str) -> str:
    """One line per run of weekdays with the same hours: 'Monday–Tuesday: 08:00-12:00'."""
    return hours_text(office.hours, lang)


def hours_text(week: Mapping[str, tuple[str, ...]], lang: str) -> str:
    """Hours per weekday (a missing day is closed) as ``opening_hours`` writes them."""
    cat = catalogue()
    groups: list[tuple[list[str], tuple[str, ...]]] = []
    for day in WEEKDAYS:
        hours = week.get(day, ())
        if groups and groups[-1][1] == hours:
            groups[-1][0].append(day)
        else:
            groups.append(([day], hours))
    lines = []
    for days, hours in groups:
        first = cat.text(f"weekday.{days[0]}", lang)
        label = first if len(days) == 1 else f"{first}–{cat.text(f'weekday.{days[-1]}', lang)}"
        text = ", ".join(hours) if hours else cat.text("offices.closed", lang)
        lines.append(cat.text("offices.hours_line", lang, days=label, hours=text))
    return "\n".join(lines)


class ActionOfficeInfo(PesAction):
    """Shows one office's address, phone and hours; asks for the city when unknown."""

    def name(self) -> str:
        return "action_office_info"

    def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str, data: Content
    ) -> list[dict[str, Any]]:
        if latest_entity(tracker, "institution") or latest_entity(tracker, "institution_topic"):
            # "Where is the UOIM office?": another institution's, not an ESS office.
            return [FollowupAction("action_institution_info")]
        named = latest_entity(tracker, "city")
        city = named or tracker.get_slot("city")
        office = data.offices.get(city or "")
        if office is None:
            key = "offices.not_found" if named else "offices.ask_city"
            dispatcher.utter_message(response=key, buttons=city_buttons(data, lang))
            return []
        dispatcher.utter_message(
            response="offices.card",
            name=office.name,
            address=office.address,
            phone=office.phone,
            **in_reply_languages(
                tracker, lambda written: {"hours": opening_hours(office, written)}
            ),
        )
        return [SlotSet("city", office.city)]
