"""How an appointment is said: dates and times as each language writes them, cards, buttons,
reminders and the office's cancellation, shared by the actions and the gateway."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from babel import Locale
from babel.dates import format_datetime

from common.clock import TIMEZONE, local
from common.payload import button
from language.languages import LANGUAGES, reply_language

if TYPE_CHECKING:
    from language.catalogue import Catalogue

from pes.appointments.model import Appointment, wants_interpreter

# --- dates and times as each language writes them ------------------------------------------

_LONG = {
    "en": "EEEE d MMMM y 'at' H:mm",
    "sl": "EEEE, d. M. y 'ob' H.mm",
    "uk": "EEEE, d MMMM y 'р. о' H:mm",
    "ru": "EEEE, d MMMM y 'г. в' H:mm",
    "ar": "EEEE، d MMMM y، 'الساعة' H:mm",
    "fa": "EEEE d MMMM y، 'ساعت' H:mm",
}
_SHORT = {
    "en": "EEE d MMM, H:mm",
    "sl": "EEE, d. M., 'ob' H.mm",
    "uk": "EEE, d MMM, H:mm",
    "ru": "EEE, d MMM, H:mm",
    "ar": "EEEE d MMMM، H:mm",
    "fa": "EEEE d MMMM، H:mm",
}
_BABEL = {"en": "en_GB"}
_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def babel_locale(lang: str) -> str:
    """The babel locale ``lang`` is written in (British English for ``en``)."""
    return _BABEL.get(lang, lang)


def native_digits(written: str, lang: str) -> str:
    """``written`` with the digits ``lang`` writes: Persian digits for ``fa``."""
    return written.translate(_PERSIAN_DIGITS) if lang == "fa" else written


def format_when(moment: datetime, lang: str, *, short: bool = False) -> str:
    """Day and time in Ljubljana, as ``lang`` writes them: "Wednesday 2 December 2026 at
    9:30", "sreda, 2. 12. 2026 ob 9.30", "середа, 2 грудня 2026 р. о 9:30"."""
    lang = reply_language(lang)
    when = local(moment)
    pattern = (_SHORT if short else _LONG)[lang]
    if lang == "uk" and when.hour == 11:
        pattern = pattern.replace("'р. о'", "'р. об'")  # "об одинадцятій"
    written = str(format_datetime(when, pattern, tzinfo=TIMEZONE, locale=babel_locale(lang)))
    return native_digits(written, lang)


def language_name(code: str, lang: str) -> str:
    """A language's name in ``lang`` ("arabščina", "арабська", "عربی")."""
    lang = reply_language(lang)
    name = Locale.parse(babel_locale(lang)).languages.get(code)
    if not name:
        info = LANGUAGES.get(code)
        return info.english_name if info else code
    return str(name)


# --- how an appointment is shown: shared by the actions and the gateway ----------------------


class OfficeInfo(Protocol):
    """What ``pes.content.Office`` offers (kept as a protocol: pes does not import actions)."""

    @property
    def name(self) -> str: ...

    @property
    def address(self) -> str: ...

    @property
    def phone(self) -> str: ...


def interpreter_text(
    catalogue: Catalogue, lang: str, interpreter_language: str | None, speaks: Sequence[str]
) -> str:
    """ "Interpreter: Arabic", "The counsellor speaks Arabic." or "No interpreter"."""
    if not wants_interpreter(interpreter_language):
        return catalogue.text("appointments.interpreter_none", lang)
    assert interpreter_language is not None
    name = language_name(interpreter_language, lang)
    key = (
        "appointments.interpreter_counsellor"
        if interpreter_language in speaks
        else "appointments.interpreter"
    )
    return catalogue.text(key, lang, language=name)


def card(
    catalogue: Catalogue,
    lang: str,
    starts_at: datetime,
    office: OfficeInfo | None,
    interpreter_language: str | None,
    speaks: Sequence[str],
) -> dict[str, str]:
    """The placeholders every appointment text shares: when, office, address, interpreter."""
    return {
        "when": format_when(starts_at, lang),
        "office": office.name if office else "",
        "address": office.address if office else "",
        "interpreter": interpreter_text(catalogue, lang, interpreter_language, speaks),
    }


def appointment_card(
    catalogue: Catalogue, lang: str, appointment: Appointment, office: OfficeInfo | None
) -> dict[str, str]:
    return card(
        catalogue,
        lang,
        appointment.starts_at,
        office,
        appointment.interpreter_language,
        appointment.counsellor_languages,
    )


def manage_buttons(
    catalogue: Catalogue, lang: str, appointment: Appointment
) -> list[dict[str, str]]:
    """ "Cancel" and "Move" for one appointment (titles carry the short time when useful)."""
    when = format_when(appointment.starts_at, lang, short=True)
    ident = str(appointment.id)
    return [
        button(
            catalogue.text("appointments.button.move", lang, when=when),
            "reschedule_appointment",
            appointment_id=ident,
        ),
        button(
            catalogue.text("appointments.button.cancel", lang, when=when),
            "cancel_appointment",
            appointment_id=ident,
        ),
    ]


def reminder_message(
    catalogue: Catalogue, appointment: Appointment, office: OfficeInfo | None
) -> dict[str, Any]:
    """The reminder, in the appointment's language, with "move" and "cancel" buttons."""
    from language.catalogue import mark_direction

    lang = reply_language(appointment.language)
    message = catalogue.render(
        "appointments.reminder", lang, **appointment_card(catalogue, lang, appointment, office)
    )
    message["buttons"] = [
        {**b, "title": mark_direction(b["title"], lang)}
        for b in manage_buttons(catalogue, lang, appointment)
    ]
    return message


def office_cancelled_message(
    catalogue: Catalogue, appointment: Appointment, office: OfficeInfo | None
) -> dict[str, Any]:
    """The office cancelled a booking: say so, and offer to book again."""
    from language.catalogue import mark_direction

    lang = reply_language(appointment.language)
    message = catalogue.render(
        "appointments.cancelled_by_office",
        lang,
        **appointment_card(catalogue, lang, appointment, office),
    )
    title = catalogue.text("appointments.button.book_again", lang)
    message["buttons"] = [
        {
            **button(title, "book_appointment", city=appointment.office),
            "title": mark_direction(title, lang),
        }
    ]
    return message
