"""A Rasa replica sets up the translator from its settings and says what it covers."""

from __future__ import annotations

import logging

import pytest

from language import translation
from pes.settings import settings
from runtime.replica import replica
from tests.standins.translation_api import translation_api


def test_a_replica_logs_what_its_provider_covers(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(translation, "_DEFAULT", None)  # put back after the test
    caplog.set_level(logging.INFO, logger="language.translation.coverage")
    with translation_api() as api:
        api.libre_languages.remove("fa")
        monkeypatch.setenv("TRANSLATION_PROVIDER", "libre")
        monkeypatch.setenv("TRANSLATION_API_URL", api.url)
        replica.cache_clear()
        settings.cache_clear()
        replica()
        assert translation.default().provider == "libre"
    [line] = [m for m in caplog.messages if m.startswith("translation:")]
    assert line == (
        "translation: libre covers core en sl uk ru ar; extended ur tr fr; "
        "falls back: fa ps so ti ku ckb"
    )
