"""Appointments in the conversation: book, see, move and cancel (docs/appointments.md).

Booking (``book_appointment``, optionally with ``city``) starts in ``booking.py``;
``appointment_form`` asks office -> time -> interpreter -> "book it?" (``asking.py``)
and checks each answer (``form.py``). Seeing, moving and cancelling are
``managing.py``; what both halves use (the store, the clock, office matching, buttons,
the appointment's card) is ``shared.py``.

Texts are keys of ``data/locales/<lang>.yml``; dates are written by
``pes.appointments.format_when``. Nothing here logs who books what.

The feature's other halves: the slots, bookings and their rules in ``pes/appointments``;
the conversation's rules in ``data/rules/appointments.yml`` and the form in ``domain.yml``;
the texts in ``data/locales``; reminders and notices sent later by the bot
(``bot/appointments.py``); the whole story in ``docs/appointments.md``.
"""
