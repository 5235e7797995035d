"""Each provider's real client code against the loopback stand-in speaking its protocol.

LibreTranslate, DeepL (Free and Pro) and Azure Translator; a pair a provider
does not serve fails without sending the text; a provider down or slow fails
fast and is counted; the start-up coverage line.
"""

from __future__ import annotations

import itertools
import logging
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from language.languages import CORE, LANGUAGES
from language.translation import TranslationConfig, TranslationUnavailable, Translator
from language.translation.coverage import coverage, log_coverage
from language.translation.providers import DeepL, LibreTranslate
from tests.standins.translation_api import StandIn, translation_api


@pytest.fixture
def api() -> Iterator[StandIn]:
    with translation_api() as stand_in:
        yield stand_in


class Failures(list[tuple[str, str]]):
    """What the translator's ``on_failure`` hook heard."""

    def __call__(self, provider: str, reason: str) -> None:
        self.append((provider, reason))


def translator(
    provider: str, api: StandIn, failures: Failures | None = None, **config: object
) -> Translator:
    settings = {"api_url": api.url, "timeout": 2.0, **config}
    return Translator(TranslationConfig(provider=provider, **settings), on_failure=failures)  # type: ignore[arg-type]


def reason_of(call: object) -> str:
    with pytest.raises(TranslationUnavailable) as raised:
        call()  # type: ignore[operator]
    return raised.value.reason


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# LibreTranslate -------------------------------------------------------------------


def test_libre_all_core_languages_both_ways_without_a_key(api: StandIn) -> None:
    libre = translator("libre", api)
    for source, target in itertools.permutations(CORE, 2):
        assert libre.translate(f"text {source}", source, target) == f"{target}:text {source}"
    sent = api.translations("/translate")
    assert len(sent) == len(CORE) * (len(CORE) - 1)
    assert all(r["headers"]["content-type"] == "application/json" for r in sent)
    assert all(r["format"] == "text" and "api_key" not in r for r in sent)
    assert {(r["source"], r["target"]) for r in sent} == set(itertools.permutations(CORE, 2))
    assert [r["method"] for r in api.requests if r["path"] == "/languages"] == ["GET"]  # cached


def test_libre_sends_its_key_and_a_wrong_key_is_refused(api: StandIn) -> None:
    api.libre_key = "lt-key-1"
    assert translator("libre", api, api_key="lt-key-1").translate("zdravo", "sl", "uk") == (
        "uk:zdravo"
    )
    assert api.translations("/translate")[-1]["api_key"] == "lt-key-1"
    failures = Failures()
    wrong = translator("libre", api, failures, api_key="lt-key-2")
    assert reason_of(lambda: wrong.translate("zdravo", "sl", "uk")) == "auth"
    assert failures == [("libre", "auth")]


def test_a_pair_not_served_falls_back_without_sending_the_text(api: StandIn) -> None:
    failures = Failures()
    libre = translator("libre", api, failures)
    for _ in range(4):  # more than the breaker's threshold
        assert reason_of(lambda: libre.translate("salam", "ps", "en")) == "unsupported"
    assert api.translations("/translate") == []
    assert failures == [("libre", "unsupported")] * 4
    # the provider is fine: the breaker stayed closed
    assert libre.translate("salam", "fa", "en") == "en:salam"


def test_libre_language_list_refreshed_and_tolerated_down_at_start(api: StandIn) -> None:
    now = [0.0]
    libre = LibreTranslate(TranslationConfig("libre", api_url=api.url), clock=lambda: now[0])
    api.fail = True  # down at start: unknown, not "nothing served"
    assert libre.supports("uk", "sl") is None
    api.fail = False
    assert libre.supports("uk", "sl") is None  # asked again only after a minute
    now[0] = 61.0
    assert libre.supports("uk", "sl") is True and libre.supports("ps", "en") is False
    api.libre_languages.append("ps")
    now[0] = 1000.0
    assert libre.supports("ps", "en") is False  # read hourly
    now[0] = 61.0 + 3600.0
    assert libre.supports("ps", "en") is True
    assert len([r for r in api.requests if r["path"] == "/languages"]) == 3


def test_libre_form_body_is_understood_by_the_stand_in(api: StandIn) -> None:
    """The stand-in takes forms too (LibreTranslate's web page posts one)."""
    answer = httpx.post(
        f"{api.url}translate", data={"q": "hvala", "source": "sl", "target": "en"}, timeout=2
    )
    assert answer.json() == {"translatedText": "en:hvala"}
    refused = httpx.post(
        f"{api.url}translate", data={"q": "salam", "source": "ps", "target": "en"}, timeout=2
    )
    assert refused.status_code == 400 and refused.json() == {"error": "ps is not supported"}


# DeepL ----------------------------------------------------------------------------


def test_deepl_free_or_pro_chosen_by_the_key() -> None:
    seen: list[str] = []

    def deepl_api(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.url.scheme}://{request.url.host}{request.url.path}")
        if request.url.path == "/v2/languages":
            return httpx.Response(200, json=[{"language": "UK"}, {"language": "EN-GB"}])
        return httpx.Response(200, json={"translations": [{"text": "hello"}]})

    for key, host in (("k-1:fx", "api-free.deepl.com"), ("k-1", "api.deepl.com")):
        seen.clear()
        client = DeepL(
            TranslationConfig("deepl", api_key=key), transport=httpx.MockTransport(deepl_api)
        )
        assert Translator(client.config, backend=client).translate("привіт", "uk", "en") == "hello"
        assert seen[-1] == f"https://{host}/v2/translate"
        assert all(url.startswith(f"https://{host}/") for url in seen)
    assert DeepL(TranslationConfig("deepl", api_key="k", api_url="http://x:1/")).url == "http://x:1"


def test_deepl_protocol(api: StandIn) -> None:
    api.deepl_key = "dk-7:fx"
    api.dictionary[("uk", "en", "Шукаю роботу")] = "I am looking for work"
    deepl = translator("deepl", api, api_key="dk-7:fx")
    assert deepl.translate("Шукаю роботу", "uk", "en") == "I am looking for work"
    assert deepl.translate("Iščem delo", "sl", "ar") == "ar:Iščem delo"
    first, second = api.translations("/v2/translate")
    assert first["text"] == ["Шукаю роботу"]
    assert (first["source_lang"], first["target_lang"]) == (
        "UK",
        "EN-GB",
    )  # English needs a variant
    assert (second["source_lang"], second["target_lang"]) == ("SL", "AR")
    assert first["headers"]["authorization"] == "DeepL-Auth-Key dk-7:fx"
    kinds = [r["type"] for r in api.requests if r["path"] == "/v2/languages"]
    assert sorted(kinds) == ["source", "target"]


def test_deepl_wrong_key_and_quota(api: StandIn) -> None:
    api.deepl_key = "right:fx"
    failures = Failures()
    assert (
        reason_of(
            lambda: translator("deepl", api, failures, api_key="wrong:fx").translate(
                "zdravo", "sl", "en"
            )
        )
        == "auth"
    )
    api.deepl_quota_exceeded = True
    assert (
        reason_of(
            lambda: translator("deepl", api, failures, api_key="right:fx").translate(
                "zdravo", "sl", "en"
            )
        )
        == "quota"
    )
    # The wrong key could not even read the languages: unknown, so it was tried (403).
    assert failures == [("deepl", "auth"), ("deepl", "quota")]


def test_deepl_persian_falls_back_unless_listed(api: StandIn) -> None:
    api.deepl_key = "dk:fx"
    assert (
        reason_of(lambda: translator("deepl", api, api_key="dk:fx").translate("salam", "fa", "en"))
        == "unsupported"
    )
    assert api.translations("/v2/translate") == []
    found = coverage(translator("deepl", api, api_key="dk:fx"))
    assert found.core == ("en", "sl", "uk", "ru", "ar") and "fa" in found.falls_back
    api.deepl_sources.append("FA")
    api.deepl_targets.append("FA")
    assert "fa" in coverage(translator("deepl", api, api_key="dk:fx")).core


# Azure ----------------------------------------------------------------------------


def test_azure_sends_key_and_region(api: StandIn) -> None:
    api.azure_key, api.azure_region = "az-key", "westeurope"
    azure = translator("azure", api, api_key="az-key", region="westeurope")
    assert azure.provider == "microsoft"
    assert azure.translate("Iščem delo", "sl", "fa") == "fa:Iščem delo"
    assert azure.translate("Silav", "ku", "en") == "en:Silav"  # Kurmanji is Azure's kmr
    assert azure.translate("سڵاو", "ckb", "sl") == "sl:سڵاو"  # Sorani is Azure's ku
    first, kurmanji, sorani = api.translations("/translate")
    assert first["headers"]["ocp-apim-subscription-key"] == "az-key"
    assert first["headers"]["ocp-apim-subscription-region"] == "westeurope"
    assert (first["api-version"], first["from"], first["to"]) == ("3.0", "sl", "fa")
    assert kurmanji["from"] == "kmr" and sorani["from"] == "ku"
    wrong = translator("microsoft", api, api_key="az-key", region="northeurope")
    assert reason_of(lambda: wrong.translate("Iščem delo", "sl", "fa")) == "auth"


# Down, slow, coverage -------------------------------------------------------------


def test_provider_down_is_unavailable_fast_and_counted() -> None:
    failures = Failures()
    down = Translator(
        TranslationConfig("libre", api_url=f"http://127.0.0.1:{closed_port()}", timeout=0.5),
        on_failure=failures,
    )
    started = time.monotonic()
    assert reason_of(lambda: down.translate("zdravo", "sl", "uk")) == "connection"
    assert time.monotonic() - started < 0.5
    assert failures == [("libre", "connection")]


def test_provider_slow_is_unavailable_fast_and_counted(api: StandIn) -> None:
    failures = Failures()
    slow = translator("libre", api, failures, timeout=0.1)
    api.delay = 0.4
    started = time.monotonic()
    assert reason_of(lambda: slow.translate("zdravo", "sl", "uk")) == "timeout"
    assert time.monotonic() - started < 0.35
    assert failures == [("libre", "timeout")]


def test_coverage_line_for_a_self_hosted_libretranslate(api: StandIn) -> None:
    found = coverage(translator("libre", api))
    assert found.core == CORE and found.extended == ("ur", "tr", "fr")
    assert found.line() == (
        "translation: libre covers core en sl uk ru ar fa; extended ur tr fr; "
        "falls back: ps so ti ku ckb"
    )
    api.libre_languages.remove("sl")  # without the working language nothing is covered
    found = coverage(translator("libre", api))
    assert found.covered == () and found.line().startswith("translation: libre covers core none;")


def test_coverage_without_a_provider_or_with_one_down(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="language.translation.coverage")
    found = log_coverage(Translator(TranslationConfig("none")))
    assert found.covered == () and "ckb" in found.falls_back
    assert caplog.messages == [found.line()]
    assert "no provider" in found.line() and "falls back" in found.line()
    down = Translator(TranslationConfig("libre", api_url=f"http://127.0.0.1:{closed_port()}"))
    found = coverage(down)
    assert not found.known and "languages unknown" in found.line()


def test_development_endpoints_cover_from_deep_translators_lists(api: StandIn) -> None:
    from deep_translator.constants import GOOGLE_LANGUAGES_TO_CODES

    listed = set(GOOGLE_LANGUAGES_TO_CODES.values())
    google = coverage(translator("google", api))
    assert google.known and google.covered == tuple(c for c in LANGUAGES if c in listed)
    mymemory = coverage(translator("mymemory", api))
    assert mymemory.known and "ku" in mymemory.falls_back and "ckb" in mymemory.extended
    assert api.requests == []  # nothing asked of the endpoints
