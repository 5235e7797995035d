"""What every translation provider shares: its configuration, its one error, its shape.

Kept apart from ``__init__`` (the ``Translator``) and ``providers`` (the HTTP
clients) so both can import it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

PROVIDERS = ("none", "google", "deepl", "microsoft", "azure", "libre", "mymemory")
ALIASES = {"azure": "microsoft"}  # Azure Translator is Microsoft's; both names are accepted
# Free endpoints with no data-processing agreement: development only, unless a
# PES explicitly allows them (TRANSLATION_ALLOW_UNOFFICIAL), never by default.
UNOFFICIAL = frozenset({"google", "mymemory"})


class TranslationUnavailable(Exception):
    """No provider, the provider failed or timed out, the pair is not served, or the breaker is open.

    ``reason`` is one short word (``timeout``, ``unsupported``, ``auth`` ...) for the
    failure counter on /metrics; neither it nor the message ever holds text.
    """

    def __init__(self, message: str = "translation unavailable", *, reason: str = "error") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class TranslationConfig:
    """Which provider and how to reach it; ``pes/settings/`` reads it from ``TRANSLATION_*``."""

    provider: str = "none"
    api_key: str | None = None
    api_url: str | None = None  # a self-hosted server, or a local stand-in in tests
    region: str | None = None  # Azure Translator's resource region
    timeout: float = 4.0

    @property
    def canonical(self) -> str:
        """The provider's own name (``azure`` is ``microsoft``)."""
        return ALIASES.get(self.provider, self.provider)


class Backend(Protocol):
    """One provider's protocol: translate one text, and say which pairs it serves."""

    def translate(self, text: str, source: str, target: str) -> str:
        """``text`` from ``source`` into ``target`` (the assistant's language codes)."""
        ...

    def supports(self, source: str, target: str) -> bool | None:
        """Whether the provider serves the pair; None while its language list is unknown."""
        ...
