"""The translation providers a public authority can use, each speaking its own HTTP API.

- ``LibreTranslate`` (self-hosted: people's words stay in house): ``POST /translate``
  with JSON, languages from ``GET /languages``; the API key is optional.
- ``DeepL`` (API Free or Pro, chosen by the key as DeepL's own client does: keys
  ending ``:fx`` are Free): ``POST /v2/translate``, ``GET /v2/languages``.
- ``Azure`` (Microsoft Translator v3 with its resource region):
  ``POST /translate?api-version=3.0``, ``GET /languages?api-version=3.0``.

Each reads the languages its server serves (cached, read again hourly; a
server down at start only makes them unknown for a minute), so a pair it does
not serve fails at once, without sending the text. deep-translator stays for
google and mymemory, development endpoints without a data-processing agreement
(production refuses them unless allowed: ``pes/settings/``). Errors carry a
short reason and never the server's answer, which may quote the text.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

import httpx

from language.translation.base import Backend, TranslationConfig, TranslationUnavailable

logger = logging.getLogger(__name__)

Served = dict[str, frozenset[str]]  # provider's source code -> its target codes (lower case)


class ServedLanguages:
    """A provider's language pairs, read at most every ``refresh`` seconds.

    When they cannot be read (the server is down at start, a proxy answers
    HTML) they are unknown (None) and asked for again after ``retry`` seconds;
    pairs read before are kept meanwhile.
    """

    def __init__(
        self,
        name: str,
        fetch: Callable[[], Served],
        *,
        refresh: float = 3600.0,
        retry: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name, self._fetch, self._clock = name, fetch, clock
        self.refresh, self.retry = refresh, retry
        self._served: Served | None = None
        self._due = float("-inf")
        self._lock = threading.Lock()

    def get(self) -> Served | None:
        with self._lock:
            now = self._clock()
            if now < self._due:
                return self._served
            try:
                self._served = self._fetch()
                self._due = now + self.refresh
            except (TranslationUnavailable, ValueError, KeyError, TypeError, AttributeError) as exc:
                reason = getattr(exc, "reason", "bad_answer")
                logger.warning("translation: %s language list not readable (%s)", self.name, reason)
                self._due = now + self.retry
            return self._served


def _lower(codes: Iterable[Any]) -> frozenset[str]:
    return frozenset(str(code).lower() for code in codes)


class _HttpProvider:
    """What the three HTTP providers share: a client with the timeout, errors as reasons."""

    name = "http"

    def __init__(
        self,
        config: TranslationConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self._client = httpx.Client(timeout=config.timeout, transport=transport)
        self.languages = ServedLanguages(self.name, self._served, clock=clock)

    def _served(self) -> Served:
        raise NotImplementedError

    def _codes(self, source: str, target: str) -> tuple[str, str]:
        """The pair in the provider's own codes, lower case."""
        return source.lower(), target.lower()

    def supports(self, source: str, target: str) -> bool | None:
        served = self.languages.get()
        if served is None:
            return None
        theirs, wanted = self._codes(source, target)
        return wanted in served.get(theirs, frozenset())

    def _call(self, method: str, url: str, **kwargs: Any) -> Any:
        """The answer's JSON; TranslationUnavailable with a reason on any failure."""
        try:
            response = self._client.request(method, url, **kwargs)
        except httpx.TimeoutException:
            raise TranslationUnavailable("provider timed out", reason="timeout") from None
        except httpx.HTTPError:
            raise TranslationUnavailable("provider not reachable", reason="connection") from None
        status = response.status_code
        if status >= 400:
            reason = {400: "rejected", 401: "auth", 403: "auth", 429: "quota", 456: "quota"}
            raise TranslationUnavailable(
                f"provider answered {status}", reason=reason.get(status, "http_error")
            )
        try:
            return response.json()
        except ValueError:
            raise TranslationUnavailable("provider answered no JSON", reason="bad_answer") from None

    def close(self) -> None:
        self._client.close()


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TranslationUnavailable("empty translation", reason="bad_answer")
    return value


class LibreTranslate(_HttpProvider):
    """A LibreTranslate server (self-hosted in production: ``deploy/compose.yaml``)."""

    name = "libre"
    DEFAULT_URL = "https://libretranslate.com"

    @property
    def url(self) -> str:
        return (self.config.api_url or self.DEFAULT_URL).rstrip("/")

    def _served(self) -> Served:
        answer = self._call("GET", f"{self.url}/languages")
        return {str(item["code"]).lower(): _lower(item["targets"]) for item in answer}

    def translate(self, text: str, source: str, target: str) -> str:
        body: dict[str, Any] = {"q": text, "source": source, "target": target, "format": "text"}
        if self.config.api_key:
            body["api_key"] = self.config.api_key
        answer = self._call("POST", f"{self.url}/translate", json=body)
        return _text(answer.get("translatedText") if isinstance(answer, dict) else None)


class DeepL(_HttpProvider):
    """DeepL's API v2: Free for keys ending ``:fx``, Pro for the others."""

    name = "deepl"
    FREE_URL = "https://api-free.deepl.com"
    PRO_URL = "https://api.deepl.com"
    # DeepL's codes where they are not ours upper-cased: English and Portuguese as
    # targets need a variant; Kurmanji is KMR (our ku).
    SOURCE: ClassVar[dict[str, str]] = {"ku": "KMR"}
    TARGET: ClassVar[dict[str, str]] = {"en": "EN-GB", "pt": "PT-PT", "ku": "KMR"}

    @property
    def url(self) -> str:
        if self.config.api_url:
            return self.config.api_url.rstrip("/")
        free = (self.config.api_key or "").endswith(":fx")
        return self.FREE_URL if free else self.PRO_URL

    @property
    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"DeepL-Auth-Key {self.config.api_key or ''}"}

    def _deepl_codes(self, source: str, target: str) -> tuple[str, str]:
        return (
            self.SOURCE.get(source, source.upper()),
            self.TARGET.get(target, target.upper()),
        )

    def _codes(self, source: str, target: str) -> tuple[str, str]:
        theirs, wanted = self._deepl_codes(source, target)
        return theirs.lower(), wanted.lower()

    def _served(self) -> Served:
        def codes(kind: str) -> frozenset[str]:
            answer = self._call(
                "GET", f"{self.url}/v2/languages", params={"type": kind}, headers=self._headers
            )
            return _lower(item["language"] for item in answer)

        targets = codes("target")
        return {source: targets for source in codes("source")}

    def translate(self, text: str, source: str, target: str) -> str:
        source_lang, target_lang = self._deepl_codes(source, target)
        body = {"text": [text], "source_lang": source_lang, "target_lang": target_lang}
        answer = self._call("POST", f"{self.url}/v2/translate", json=body, headers=self._headers)
        translations = answer.get("translations") if isinstance(answer, dict) else None
        if not isinstance(translations, list) or not translations:
            raise TranslationUnavailable("no translation", reason="bad_answer")
        return _text(translations[0].get("text"))


class Azure(_HttpProvider):
    """Azure AI Translator (Microsoft Translator) v3, with the resource's region."""

    name = "microsoft"
    DEFAULT_URL = "https://api.cognitive.microsofttranslator.com"
    # Azure's ku is Central Kurdish (our ckb); Kurmanji (our ku) is kmr.
    CODES: ClassVar[dict[str, str]] = {"ku": "kmr", "ckb": "ku"}

    @property
    def url(self) -> str:
        return (self.config.api_url or self.DEFAULT_URL).rstrip("/")

    def _codes(self, source: str, target: str) -> tuple[str, str]:
        return self.CODES.get(source, source).lower(), self.CODES.get(target, target).lower()

    def _served(self) -> Served:
        params = {"api-version": "3.0", "scope": "translation"}
        answer = self._call("GET", f"{self.url}/languages", params=params)
        codes = _lower(answer["translation"])  # any of them into any other
        return {code: codes for code in codes}

    def translate(self, text: str, source: str, target: str) -> str:
        theirs, wanted = self._codes(source, target)
        headers = {"Ocp-Apim-Subscription-Key": self.config.api_key or ""}
        if self.config.region:
            headers["Ocp-Apim-Subscription-Region"] = self.config.region
        params = {"api-version": "3.0", "from": theirs, "to": wanted}
        answer = self._call(
            "POST", f"{self.url}/translate", params=params, json=[{"Text": text}], headers=headers
        )
        try:
            return _text(answer[0]["translations"][0]["text"])
        except (LookupError, TypeError):
            raise TranslationUnavailable("no translation", reason="bad_answer") from None


class DeepTranslator:
    """google and mymemory through deep-translator: development endpoints only."""

    def __init__(self, config: TranslationConfig) -> None:
        self.config = config
        self._instances: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def supports(self, source: str, target: str) -> bool | None:
        """From deep-translator's own lists (these endpoints publish none)."""
        from deep_translator.constants import (
            GOOGLE_LANGUAGES_TO_CODES,
            MY_MEMORY_LANGUAGES_TO_CODES,
        )

        if self.config.provider == "google":
            codes = set(GOOGLE_LANGUAGES_TO_CODES.values())
        else:  # MyMemory's are locales: ps-PK
            codes = {code.split("-")[0].lower() for code in MY_MEMORY_LANGUAGES_TO_CODES.values()}
        return source in codes and target in codes

    def translate(self, text: str, source: str, target: str) -> str:
        key = (source, target)
        with self._lock:
            if key not in self._instances:
                self._instances[key] = self._make(source, target)
            instance = self._instances[key]
        return _text(instance.translate(text))

    def _make(self, source: str, target: str) -> Any:
        import deep_translator as dtr

        if self.config.provider == "google":
            translator = dtr.GoogleTranslator(source=source, target=target)
        else:
            translator = dtr.MyMemoryTranslator(
                source=_mymemory_code(source), target=_mymemory_code(target)
            )
        if self.config.api_url:
            translator._base_url = self.config.api_url  # a stand-in endpoint
        return translator


def _mymemory_code(code: str) -> str:
    from deep_translator.constants import MY_MEMORY_LANGUAGES_TO_CODES

    for value in MY_MEMORY_LANGUAGES_TO_CODES.values():
        if value.split("-")[0].lower() == code:
            return str(value)
    return code


def make_backend(
    config: TranslationConfig, *, transport: httpx.BaseTransport | None = None
) -> Backend | None:
    """The provider's client; None for ``none``."""
    provider = config.canonical
    if provider == "libre":
        return LibreTranslate(config, transport=transport)
    if provider == "deepl":
        return DeepL(config, transport=transport)
    if provider == "microsoft":
        return Azure(config, transport=transport)
    if provider in ("google", "mymemory"):
        return DeepTranslator(config)
    return None
