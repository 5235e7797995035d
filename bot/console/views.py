"""Kept only for ``bot/console/slots.py``'s type-checking import of :class:`Console`.

The console's pages are in ``login.py``, ``cases.py`` and ``events.py``, what they
share in ``base.py``. Delete this module once the slot pages import ``Console``
from ``bot.console.base``.
"""

from bot.console.base import Console

__all__ = ["Console"]
