"""The calendar file (.ics) of a booking, written with the icalendar library."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from icalendar import Alarm, Calendar, Event

from common.clock import as_utc
from pes.appointments.model import Appointment


def calendar_file(appointment: Appointment, *, summary: str, location: str, note: str) -> str:
    """An iCalendar file with the time, the office and its address: nothing about the person.

    The UID is a hash of the booking's link token (stable across downloads, and the token
    itself never appears); a display alarm two hours before.
    """
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", "-//PES assistant//appointments//EN")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", hashlib.sha256(appointment.token.encode()).hexdigest()[:32] + "@pes-assistant")
    event.add("dtstamp", as_utc(appointment.created_at))
    event.add("dtstart", as_utc(appointment.starts_at))
    event.add("dtend", as_utc(appointment.ends_at))
    event.add("summary", summary)
    event.add("location", location)
    event.add("description", note)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", timedelta(hours=-2))
    alarm.add("description", summary)
    event.add_component(alarm)
    calendar.add_component(event)
    return str(calendar.to_ical().decode("utf-8"))
