"""The other institutions (UOIM, the Ministry of the Interior, administrative units, ...).

Answers with one institution's card from data/content/institutions.yml (pes/institutions.py),
first saying plainly when the question is not for the Employment Service; without a
recognisable institution, a button per institution. The words people use are in
data/nlu/<lang>/institutions.yml; the texts under ``institutions.`` in data/locales/.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import PesAction, catalogue, latest_entity
from actions.offices import hours_text
from common.payload import payload
from pes import institutions
from pes.content import Content
from pes.institutions import Institution, Institutions

ENTITY = "institution"
TOPIC_ENTITY = "institution_topic"


def institution_buttons(data: Institutions, lang: str) -> list[dict[str, str]]:
    """One button per institution, titled in ``lang``."""
    return [
        {"title": i.display_name(lang), "payload": payload("institution_info", institution=i.id)}
        for i in data.by_id.values()
    ]


def card_values(institution: Institution, lang: str, *, not_for_ess: bool) -> dict[str, str]:
    """The placeholders of ``institutions.card``: the whole answer in one message."""
    cat = catalogue()
    title = institution.display_name(lang)
    if lang != "sl":  # the name on the building and the website, to find it
        title += f"\n{institution.name}"
    details = []
    if institution.address:
        details.append(cat.text("institutions.address", lang, address=institution.address))
    if institution.many_offices:
        details.append(cat.text("institutions.many_offices", lang))
    if institution.phone:
        details.append(cat.text("institutions.phone", lang, phone=institution.phone))
    details.append(cat.text("institutions.website", lang, website=institution.website))
    if institution.hours:
        hours = hours_text(institution.hours, lang)
        details.append(cat.text("institutions.hours", lang, hours=hours))
    if not institution.verified:
        details.append(cat.text("institutions.check_first", lang))
    # "This is not for the Employment Service. It is handled by:" and the card's title.
    intro = cat.text("institutions.not_for_ess", lang) + "\n" if not_for_ess else ""
    return {
        "intro": intro,
        "title": title,
        "does": institution.description(lang),
        "details": "\n".join(details),
    }


class ActionInstitutionInfo(PesAction):
    """Shows the card of the institution a question is about; asks which when unclear."""

    def name(self) -> str:
        return "action_institution_info"

    def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str, data: Content
    ) -> list[dict[str, Any]]:
        known = institutions.default()
        answer = known.answer(latest_entity(tracker, ENTITY), latest_entity(tracker, TOPIC_ENTITY))
        if answer.institution is None:
            dispatcher.utter_message(
                response="institutions.ask_which", buttons=institution_buttons(known, lang)
            )
            return []
        values = card_values(answer.institution, lang, not_for_ess=answer.not_for_ess)
        dispatcher.utter_message(response="institutions.card", **values)
        return []
