"""Follow-ups the intent classifier sends to the wrong feature, put back on topic.

After an answer people go on as they would with a person: "exactly from which date? I
applied on 4 September", "no thanks, I'll rather call". The classifier can read such a
message as "my appointments" or "cancel"; the reply "you have no appointments" then
answers a question nobody asked. :func:`redirect` is what the appointment actions do
with a typed message that names no appointment (``appointment`` words in
``data/answers``) while the person has none:

- a date of the application, a status or the registration after an eligibility answer
  refines that answer: the facts change and ``eligibility_form`` decides again;
- a "no" closes politely (``utter_ok_anything_else``);
- anything else is "not understood", with the topics to choose from.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions import answers
from actions.base import session_events
from actions.eligibility.form import facts_in_message

ELIGIBILITY_ANSWER = "action_eligibility_answer"


def off_topic(tracker: Tracker) -> bool:
    """A typed message that names no appointment (buttons always are on topic)."""
    typed = answers.text(tracker)
    return bool(typed) and not answers.reader().says(typed, "appointment")


def after_eligibility(tracker: Tracker) -> bool:
    """Whether this session has had an eligibility answer."""
    return any(
        e.get("event") == "action" and e.get("name") == ELIGIBILITY_ANSWER
        for e in session_events(tracker)
    )


def redirect(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The reply to an off-topic follow-up (see the module's docstring)."""
    typed = answers.text(tracker)
    reader = answers.reader()
    if after_eligibility(tracker):
        changed = facts_in_message(tracker)
        if changed:  # the form reads the new facts from this message
            return [*changed, FollowupAction("eligibility_form")]
    if reader.yes_no(typed) == "no":
        dispatcher.utter_message(response="utter_ok_anything_else")
        return []
    dispatcher.utter_message(response="utter_default")
    return []
