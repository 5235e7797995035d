"""The assistant's settings: one typed model, read from the environment once per process.

``settings()`` is what a process reads, once, at its entry point (``python -m
bot``, ``python -m actions``, the stores and the channel Rasa builds from
``endpoints.yml`` and ``credentials.yml``, ``python -m bot.stack``) and passes
on; library code takes the values it needs as arguments.

The model has a part every process shares (``Settings``: APP_ENV, the database,
retention, the pseudonym key, the log format, machine translation, Rasa's API
token) and a section per process, built and checked when that process first
asks for it, so one process never refuses to start over another's setting:

- ``gateway``: everything the gateway reads (``GatewaySettings``, the shared
  part included); in production it refuses placeholder secrets.
- ``actions``: the action server (address, ``PUBLIC_URL``, appointment limit).
- ``rasa``: a Rasa replica (its address, tracker cache, Redis lock store,
  encoder threads).
- ``stack``: ``python -m bot.stack`` (``make run``).

``VARIABLES`` names every environment variable the model reads, with the
default ``scripts/env.sh`` would give it ("" for unset or derived); reading a
name not listed there is a programming error. ``READ_ELSEWHERE`` names the
variables the deployment sets for other programs (Rasa, Python, TensorFlow,
the database images). tests/deploy/test_settings_agree.py checks the
deployment files and scripts/env.sh against both.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, TypeVar

from pydantic import BaseModel, PrivateAttr

from pes.settings.builders import _actions, _checked, _gateway, _rasa, _shared, _stack
from pes.settings.environment import SettingsError, _Env, placeholder_secret
from pes.settings.models import ActionSettings, GatewaySettings, RasaSettings, Shared, StackSettings
from pes.settings.variables import (
    DEFAULT_MAX_FUTURE_APPOINTMENTS,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_SQLITE,
    DEFAULT_TRACKER_CACHE_SIZE,
    DEV_PSEUDONYM_KEY,
    MAX_RETENTION_DAYS,
    READ_ELSEWHERE,
    ROOT,
    VARIABLES,
)

_S = TypeVar("_S", bound=BaseModel)


class Settings(Shared):
    """The whole model: the shared part here, each process's section built when first asked for."""

    _env: _Env = PrivateAttr()
    _sections: dict[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def gateway(self) -> GatewaySettings:
        return self._section("gateway", _gateway)

    @property
    def actions(self) -> ActionSettings:
        return self._section("actions", _actions)

    @property
    def rasa(self) -> RasaSettings:
        return self._section("rasa", _rasa)

    @property
    def stack(self) -> StackSettings:
        return self._section("stack", _stack)

    def _section(self, name: str, build: Callable[[_Env, Shared], _S]) -> _S:
        if name not in self._sections:
            self._sections[name] = _checked(build, self._env, self)
        section: _S = self._sections[name]
        return section


def from_env(env: Mapping[str, str] | None = None) -> Settings:
    """The settings from ``env`` (the process environment by default): the shared part
    checked now, each section when it is first asked for."""
    reader = _Env(os.environ if env is None else env)
    made: Settings = _checked(lambda: Settings(**_shared(reader)))
    made._env = reader
    return made


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process's settings, read once."""
    return from_env()


__all__ = [
    "DEFAULT_MAX_FUTURE_APPOINTMENTS",
    "DEFAULT_RETENTION_DAYS",
    "DEFAULT_SQLITE",
    "DEFAULT_TRACKER_CACHE_SIZE",
    "DEV_PSEUDONYM_KEY",
    "MAX_RETENTION_DAYS",
    "READ_ELSEWHERE",
    "ROOT",
    "VARIABLES",
    "ActionSettings",
    "GatewaySettings",
    "RasaSettings",
    "Settings",
    "SettingsError",
    "Shared",
    "StackSettings",
    "from_env",
    "placeholder_secret",
    "settings",
]
