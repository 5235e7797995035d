"""Why a booking, a move or a cancellation cannot be done: one exception each, with what the conversation needs to say so."""

from __future__ import annotations

from pes.appointments.model import Appointment

# --- errors ------------------------------------------------------------------------


class AppointmentError(Exception):
    """Base of every typed appointment error."""


class InvalidSlot(AppointmentError, ValueError):
    """A slot that cannot be published (bad office, length, language, naive time)."""


class SlotConflict(AppointmentError):
    """The counsellor already has a slot at that office overlapping this one."""


class SlotTaken(AppointmentError):
    """Someone else holds the slot."""


class SlotInPast(AppointmentError):
    """The slot has already started."""


class SlotGone(AppointmentError):
    """The slot does not exist (never did, or the office deleted it meanwhile)."""


class SlotBooked(AppointmentError):
    """The slot cannot be deleted: somebody holds it (``cancel_booking=True`` frees it)."""

    def __init__(self, appointment_id: int) -> None:
        super().__init__(f"slot is booked (appointment {appointment_id})")
        self.appointment_id = appointment_id


class TooManyAppointments(AppointmentError):
    """The person already holds the most future appointments allowed."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} future appointments")
        self.limit = limit


class AlreadyBooked(AppointmentError):
    """The person already holds this slot (a double click): ``appointment`` is theirs."""

    def __init__(self, appointment: Appointment) -> None:
        super().__init__("already booked by this person")
        self.appointment = appointment


class AppointmentNotFound(AppointmentError):
    """No such appointment for this person (someone else's looks the same)."""


class AlreadyCancelled(AppointmentError):
    """The appointment was cancelled or moved before."""

    def __init__(self, appointment: Appointment) -> None:
        super().__init__(f"appointment is {appointment.status}")
        self.appointment = appointment


class AppointmentInPast(AppointmentError):
    """The appointment has already started; it cannot be cancelled or moved."""

    def __init__(self, appointment: Appointment) -> None:
        super().__init__("appointment is over")
        self.appointment = appointment
