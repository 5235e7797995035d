"""The environment as the settings model reads it, and the check for placeholder secrets."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pes.settings.variables import VARIABLES

_PLACEHOLDER = re.compile(
    r"change.?(me|it)|example|placeholder|replace.?me|dummy|sample|insecure|dev.?only|"
    r"your.?(token|key|secret|password)|^(secret|password|passwd|token|test|admin|pes|postgres|rasa)$",
    re.IGNORECASE,
)


class SettingsError(ValueError):
    """A missing, malformed or unsafe setting; the message says which and why."""


def placeholder_secret(value: str | None, min_length: int = 32) -> bool:
    """A secret nobody should run production with: missing, short, a word from a template
    (change-me, example, ...), or too few different characters to be random."""
    value = (value or "").strip()
    return len(value) < min_length or len(set(value)) < 8 or bool(_PLACEHOLDER.search(value))


_T = TypeVar("_T")


class _Env(Mapping[str, str]):
    """The environment as the model reads it: only names in ``VARIABLES``, each recorded."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> str:
        if name not in VARIABLES:
            raise KeyError(f"{name} is not in pes.settings.VARIABLES")
        self.read.add(name)
        return self._env[name]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in VARIABLES and name in self._env

    def __iter__(self) -> Any:
        return (name for name in self._env if name in VARIABLES)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def get(self, name: str, default: Any = None) -> Any:
        if name not in VARIABLES:
            raise KeyError(f"{name} is not in pes.settings.VARIABLES")
        self.read.add(name)
        return self._env.get(name, default)

    def text(self, name: str) -> str:
        """The value stripped; the default when unset or blank."""
        return str(self.get(name, "")).strip() or VARIABLES[name]

    def parse(self, name: str, kind: Callable[[str], _T], expected: str) -> _T:
        """``kind(value)``; a ``SettingsError`` saying ``name must be <expected>`` otherwise."""
        raw = self.text(name)
        try:
            return kind(raw)
        except ValueError:
            raise SettingsError(f"{name} must be {expected}, not {raw!r}") from None

    def flag(self, name: str) -> bool:
        """``true``/``false`` (also yes/no, on/off, 1/0); a ``SettingsError`` otherwise."""
        raw = self.text(name).lower()
        if raw in ("true", "yes", "on", "1"):
            return True
        if raw in ("false", "no", "off", "0"):
            return False
        raise SettingsError(f"{name} must be true or false, not {raw!r}")

    def integer(self, name: str, low: int, high: int) -> int:
        value = self.parse(name, int, "a whole number")
        if not low <= value <= high:
            raise SettingsError(f"{name} must be between {low} and {high}, not {value}")
        return value
