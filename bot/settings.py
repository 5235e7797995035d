"""The gateway's settings type, for the modules that still import it from here.

The settings are one model in ``pes/settings/``; the gateway reads its
section, ``pes.settings.settings().gateway`` (a ``GatewaySettings``), once in
``python -m bot``. New code imports ``GatewaySettings`` from there.
"""

from __future__ import annotations

from pes.settings import GatewaySettings as Settings

__all__ = ["Settings"]
