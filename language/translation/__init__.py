"""Machine translation for the extended languages and the counsellors, behind one small class.

``Translator`` adds what no provider client has: a timeout on every call, a
circuit breaker, a cache, protection of names, numbers and links, and a
failure hook the gateway counts on /metrics. The providers themselves
(``TRANSLATION_PROVIDER``) are in ``providers.py``: LibreTranslate, DeepL and
Azure through their own HTTP APIs, google and mymemory through deep-translator
for development. ``TRANSLATION_PROVIDER=none`` (the default) keeps everything
offline. ``coverage.py`` says at start which languages the provider serves.

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

from cachetools import LRUCache

from language import glossary as glossaries
from language.translation.base import (
    ALIASES,
    PROVIDERS,
    UNOFFICIAL,
    Backend,
    TranslationConfig,
    TranslationUnavailable,
)
from language.translation.providers import make_backend

logger = logging.getLogger(__name__)

_PROTECT = re.compile(r"https?://\S+|www\.\S+|\+?\d[\d ./-]{2,}\d|\{\w+\}")

FailureHook = Callable[[str, str], None]  # (provider, reason): counted, never the text


class _Plain:
    """A bare ``translate(text, source, target)`` function as a backend (tests' fakes)."""

    def __init__(self, translate: Callable[[str, str, str], str]) -> None:
        self.translate = translate

    def supports(self, source: str, target: str) -> bool | None:
        return None


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
    """Translates text with a timeout, a breaker and a cache; protects names and numbers.

    ``on_failure(provider, reason)`` hears of every failure (timeout, the
    provider's error, a pair it does not serve, the breaker open): the gateway
    counts them on /metrics (``bot/metrics.py``); the language layer knows no
    metrics.
    """

    def __init__(
        self,
        config: TranslationConfig,
        *,
        backend: Backend | Callable[[str, str, str], str] | None = None,
        cache_size: int = 5000,
        on_failure: FailureHook | None = None,
        glossary: glossaries.Glossary | None = None,
    ) -> None:
        self.config = config
        self._glossary = glossary  # None: glossaries.default(), read at the first call
        if backend is None:
            self._backend: Backend | None = make_backend(config)
        elif hasattr(backend, "supports"):
            self._backend = backend  # type: ignore[assignment]  # a Backend
        else:
            self._backend = _Plain(backend)  # a bare function
        self.on_failure = on_failure
        self._breaker = CircuitBreaker()
        # (source, target, text) -> translation; least recently used out.
        self._cache: LRUCache[tuple[str, str, str], str] = LRUCache(maxsize=cache_size)
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="translate")

    @property
    def glossary(self) -> glossaries.Glossary:
        """The terms kept out of the engine (language/glossary.py, docs/glossary.md)."""
        if self._glossary is None:
            self._glossary = glossaries.default()
        return self._glossary

    @property
    def enabled(self) -> bool:
        return self.config.provider != "none" and self._backend is not None

    @property
    def provider(self) -> str:
        return self.config.canonical

    def supports(self, source: str, target: str) -> bool | None:
        """Whether the provider serves the pair (False without one); None when unknown."""
        if self._backend is None or not self.enabled:
            return False
        return self._backend.supports(source, target)

    def _mask(self, text: str, source: str, target: str) -> glossaries.Masked:
        """The glossary's terms masked when both languages have a glossary; otherwise
        nothing (an English name inside a Pashto reply helps no one: the engine's own
        words for it are better)."""
        if target not in self.glossary.languages:
            return glossaries.Masked(text, (), 0)
        return self.glossary.mask(text, source)

    def _call(self, text: str, source: str, target: str) -> str:
        """The backend's translation; a pair it does not serve is refused before sending."""
        assert self._backend is not None
        if self._backend.supports(source, target) is False:
            raise TranslationUnavailable("pair not served", reason="unsupported")
        return self._backend.translate(text, source, target)

    def _failed(self, reason: str, source: str, target: str) -> TranslationUnavailable:
        """Count and log one failure (its reason, never the text); the error to raise."""
        log = logger.info if reason == "unsupported" else logger.warning
        log("translation failed (%s, %s->%s): %s", self.provider, source, target, reason)
        if self.on_failure is not None:
            self.on_failure(self.provider, reason)
        return TranslationUnavailable(reason, reason=reason)

    def translate(self, text: str, source: str, target: str, *, cache: bool = True) -> str:
        """``text`` in ``target``; raises TranslationUnavailable rather than wait or guess.

        ``cache=False`` for personal text (a message, a reply with someone's details):
        it is neither looked up nor kept.
        """
        if source == target or not text.strip():
            return text
        if not self.enabled:
            raise TranslationUnavailable("no provider", reason="no_provider")
        key = (source, target, text)
        with self._lock:
            if cache and key in self._cache:
                return self._cache[key]  # marks it recently used
        if not self._breaker.allow():
            raise self._failed("breaker_open", source, target)
        protected, tokens = protect(text)
        # Glossary terms: masked after protect(), written back in `target` before restore();
        # only between two languages that both have a glossary (docs/glossary.md).
        masked = self._mask(protected, source, target)
        future = self._pool.submit(self._call, masked.text, source, target)
        try:
            raw = future.result(timeout=self.config.timeout)
        except FutureTimeout:
            self._breaker.failure()
            raise self._failed("timeout", source, target) from None
        except TranslationUnavailable as exc:
            if exc.reason != "unsupported":  # the provider is fine; the pair is not served
                self._breaker.failure()
            raise self._failed(exc.reason, source, target) from None
        except Exception as exc:  # deep-translator raises many kinds
            self._breaker.failure()
            logger.warning("translation error type: %s", type(exc).__name__)
            raise self._failed("error", source, target) from None
        unmasked = self.glossary.restore(raw, masked, target)
        result = None if unmasked is None else restore(unmasked, tokens)
        if result is None:
            self._breaker.failure()
            raise self._failed("protected_lost", source, target)
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

__all__ = [
    "ALIASES",
    "PROVIDERS",
    "UNOFFICIAL",
    "Backend",
    "CircuitBreaker",
    "TranslationConfig",
    "TranslationUnavailable",
    "Translator",
    "configure",
    "default",
    "protect",
    "restore",
]


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
