"""Machine translation for the extended languages, behind one small class.

deep-translator does the provider protocols (``TRANSLATION_PROVIDER``: google,
deepl, microsoft, libre, mymemory); this module adds what it lacks: a timeout
on every call, a circuit breaker, a cache, and protection of names, numbers
and links. ``TRANSLATION_PROVIDER=none`` (the default) keeps everything offline.

The cache holds no one's words: callers pass ``cache=False`` for anything a
person wrote or anything filled in from their conversation (``components.py``
for messages, ``nlg.py`` for replies with placeholders), so it keeps only the
catalogue's fixed texts and their translations, and "delete my data" has
nothing to erase here.
"""

from __future__ import annotations

import copy
import logging
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache

from language import glossary as glossaries

logger = logging.getLogger(__name__)

PROVIDERS = ("none", "google", "deepl", "microsoft", "libre", "mymemory")
_PROTECT = re.compile(r"https?://\S+|www\.\S+|\+?\d[\d ./-]{2,}\d|\{\w+\}")


class TranslationUnavailable(Exception):
    """No provider, the provider failed or timed out, or the breaker is open."""


@dataclass(frozen=True)
class TranslationConfig:
    """Which provider and how to reach it; ``pes/settings/`` reads it from ``TRANSLATION_*``."""

    provider: str = "none"
    api_key: str | None = None
    api_url: str | None = None  # a self-hosted server, or a local stand-in in tests
    region: str | None = None
    timeout: float = 4.0


def _deep_translator(config: TranslationConfig, source: str, target: str) -> Any:
    """A deep-translator object for one language pair."""
    import deep_translator as dtr

    if config.provider == "google":
        translator = dtr.GoogleTranslator(source=source, target=target)
        if config.api_url:
            translator._base_url = config.api_url  # a self-hosted or stand-in endpoint
        return translator
    if config.provider == "libre":
        return dtr.LibreTranslator(
            source=source,
            target=target,
            api_key=config.api_key or "-",
            use_free_api=not config.api_key,
            custom_url=config.api_url,
        )
    if config.provider == "mymemory":
        translator = dtr.MyMemoryTranslator(
            source=_mymemory_code(source), target=_mymemory_code(target)
        )
        if config.api_url:
            translator._base_url = config.api_url
        return translator
    if config.provider == "deepl":
        return dtr.DeeplTranslator(
            api_key=config.api_key, source=source, target=target, use_free_api=True
        )
    if config.provider == "microsoft":
        return dtr.MicrosoftTranslator(
            api_key=config.api_key, source=source, target=target, region=config.region
        )
    raise TranslationUnavailable("no provider")


def _mymemory_code(code: str) -> str:
    from deep_translator.constants import MY_MEMORY_LANGUAGES_TO_CODES

    for value in MY_MEMORY_LANGUAGES_TO_CODES.values():
        if value.split("-")[0].lower() == code:
            return str(value)
    return code


class CircuitBreaker:
    """Opens after ``threshold`` failures in a row; lets one call try again after ``cooldown``."""

    def __init__(
        self,
        threshold: int = 3,
        cooldown: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.threshold, self.cooldown, self._clock = threshold, cooldown, clock
        self._failures = 0
        self._opened_at: float | None = None
        self._lock = threading.Lock()

    def allow(self) -> bool:
        with self._lock:
            if self._opened_at is None:
                return True
            return self._clock() - self._opened_at >= self.cooldown

    def success(self) -> None:
        with self._lock:
            self._failures, self._opened_at = 0, None

    def failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._failures >= self.threshold:
                self._opened_at = self._clock()


class Translator:
    """Translates text with a timeout, a breaker and a cache; protects names and numbers."""

    def __init__(
        self,
        config: TranslationConfig,
        *,
        backend: Callable[[str, str, str], str] | None = None,
        cache_size: int = 5000,
        glossary: glossaries.Glossary | None = None,
    ) -> None:
        self.config = config
        self._glossary = glossary  # None: glossaries.default(), read at the first call
        self._backend = backend or self._deep_translator_backend
        self._breaker = CircuitBreaker()
        # (source, target, text) -> translation; least recently used out.
        self._cache: LRUCache[tuple[str, str, str], str] = LRUCache(maxsize=cache_size)
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="translate")
        self._instances: dict[tuple[str, str], Any] = {}

    @property
    def glossary(self) -> glossaries.Glossary:
        """The terms kept out of the engine (language/glossary.py, docs/glossary.md)."""
        if self._glossary is None:
            self._glossary = glossaries.default()
        return self._glossary

    @property
    def enabled(self) -> bool:
        return self.config.provider != "none"

    def _deep_translator_backend(self, text: str, source: str, target: str) -> str:
        key = (source, target)
        if key not in self._instances:
            self._instances[key] = _deep_translator(self.config, source, target)
        result = self._instances[key].translate(text)
        if not isinstance(result, str) or not result.strip():
            raise TranslationUnavailable("empty translation")
        return result

    def translate(self, text: str, source: str, target: str, *, cache: bool = True) -> str:
        """``text`` in ``target``; raises TranslationUnavailable rather than wait or guess.

        ``cache=False`` for personal text (a message, a reply with someone's details):
        it is neither looked up nor kept.
        """
        if source == target or not text.strip():
            return text
        if not self.enabled:
            raise TranslationUnavailable("no provider")
        key = (source, target, text)
        with self._lock:
            if cache and key in self._cache:
                return self._cache[key]  # marks it recently used
        if not self._breaker.allow():
            raise TranslationUnavailable("provider failing; breaker open")
        protected, tokens = protect(text)
        # Glossary terms: masked after protect(), written back in `target` before restore().
        masked = self.glossary.mask(protected, source)
        future = self._pool.submit(self._backend, masked.text, source, target)
        try:
            raw = future.result(timeout=self.config.timeout)
        except FutureTimeout:
            self._breaker.failure()
            logger.warning(
                "translation timed out (%s, %s->%s)", self.config.provider, source, target
            )
            raise TranslationUnavailable("timeout") from None
        except Exception as exc:  # deep-translator raises many kinds
            self._breaker.failure()
            logger.warning(
                "translation failed (%s, %s->%s): %s",
                self.config.provider,
                source,
                target,
                type(exc).__name__,
            )
            raise TranslationUnavailable(type(exc).__name__) from None
        unmasked = self.glossary.restore(raw, masked, target)
        result = None if unmasked is None else restore(unmasked, tokens)
        if result is None:
            self._breaker.failure()
            raise TranslationUnavailable("protected parts lost")
        self._breaker.success()
        if not cache or not self._cache.maxsize:  # an LRUCache of size 0 refuses every item
            return result
        with self._lock:
            self._cache[key] = result
        return result

    def forget(self, texts: set[str]) -> int:
        """Drop cached translations of or into these texts (a person's data deletion)."""
        with self._lock:
            # Read from a copy: reading an LRUCache's items marks each one used.
            kept = copy.copy(self._cache)
            doomed = [k for k, v in kept.items() if k[2] in texts or v in texts]
            for key in doomed:
                del self._cache[key]
        return len(doomed)


def protect(text: str) -> tuple[str, list[str]]:
    """Replace links, phone numbers and placeholders by numbered markers the provider keeps."""
    tokens: list[str] = []

    def keep(match: re.Match[str]) -> str:
        tokens.append(match.group())
        return f"[{len(tokens) - 1}]"

    return _PROTECT.sub(keep, text), tokens


def restore(text: str, tokens: list[str]) -> str | None:
    """Put the protected parts back; None when the provider dropped one."""
    for i, token in enumerate(tokens):
        marker = f"[{i}]"
        if marker not in text:
            return None
        text = text.replace(marker, token, 1)
    return text


_DEFAULT: Translator | None = None


def configure(config: TranslationConfig) -> None:
    """Set the process's translator; its entry point calls this with the settings'
    ``translation`` (``pes/settings/``: ``TRANSLATION_*``)."""
    global _DEFAULT
    _DEFAULT = Translator(config)


def default() -> Translator:
    """The process's translator: as ``configure`` set it, offline when nothing did."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Translator(TranslationConfig())
    return _DEFAULT
