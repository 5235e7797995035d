"""Hostile input, for every channel: text cleaned before Rasa sees it, floods slowed down.

``clean_text`` runs on every user message in ``Conversations.handle`` (the one
path of the web chat, the widget and Telegram):

- control characters go (tabs become spaces; CR, NEL, U+2028/U+2029 become line breaks);
- invisible format characters go: zero-width spaces, byte-order marks, word
  joiners, tag characters, and every bidirectional control (LRE, RLE, PDF,
  LRO, RLO, LRI, RLI, FSI, PDI, LRM, RLM, ALM), so nobody can make a message
  read differently in the counsellors' console than it does to the assistant.
  ZERO WIDTH NON-JOINER (U+200C) stays: Persian writes it inside words
  (می‌خواهم); ZERO WIDTH JOINER (U+200D) stays too (emoji sequences). Runs of
  them shrink to one;
- lone surrogates go (they cannot be stored or sent on);
- Unicode NFC, so the same word is always the same characters;
- a character, emoji or grapheme repeated more than three times in a row is cut
  to three ("!!!!!!!!" → "!!!", an emoji flood → three), digits excepted;
  more than four combining marks on one letter are cut to four ("Zalgo" text);
- blank runs become one space, more than one empty line becomes one.

``InputGuard`` is the first interceptor of ``Conversations``: an empty or
over-long message gets a polite answer, and a sender who writes faster than
``PER_MINUTE`` messages a minute (after a burst of ``BURST``) is told once,
politely and in their language, to slow down; further messages in the same
flood are dropped without an answer until the bucket refills.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

import regex
from aiohttp import web

from bot.keys import CATALOGUE, CONVERSATIONS, SETTINGS
from bot.polite import polite_texts
from bot.rasa_client import BotMessage
from bot.ratelimit import RateLimiter
from language.catalogue import Catalogue

if TYPE_CHECKING:  # bot.conversation imports clean_text from here
    from bot.conversation import User

PER_MINUTE = 30
BURST = 10
MAX_SENDERS = 100_000

_NEWLINES = regex.compile(r"\r\n|[\r\u0085\u2028\u2029]")
# Control, format and surrogate characters, except tab/newline and ZWNJ/ZWJ.
_INVISIBLE = regex.compile(r"[[\p{Cc}\p{Cf}\p{Cs}]--[\t\n\u200c\u200d]]", flags=regex.V1)
_JOINERS = regex.compile(r"([\u200c\u200d])[\u200c\u200d]+")
_EDGE_JOINERS = regex.compile(r"^[\u200c\u200d\s]+|[\u200c\u200d\s]+$")
_REPEATED = regex.compile(r"((?![\d\s])\X)\1{3,}")
_MARKS = regex.compile(r"(\p{M}{4})\p{M}+")
_BLANKS = regex.compile(r"[^\S\n]+")
_EMPTY_LINES = regex.compile(r" ?\n(?: ?\n)+ ?")


def clean_text(text: str) -> str:
    """The message as the assistant should read it (see the module's docstring)."""
    text = _NEWLINES.sub("\n", text).replace("\t", " ")
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = _JOINERS.sub(r"\1", text)
    text = _MARKS.sub(r"\1", text)
    text = _REPEATED.sub(lambda m: m.group(1) * 3, text)
    text = _BLANKS.sub(" ", text)
    text = _EMPTY_LINES.sub("\n\n", text)
    return str(_EDGE_JOINERS.sub("", text))


def client_address(request: web.Request, trusted_proxy_hops: int) -> str:
    """The address a request came from, for limits keyed by address.

    Behind ``trusted_proxy_hops`` reverse proxies (each appends the address it
    got the request from to ``X-Forwarded-For``), the client is that many
    entries from the right; anything further left was written by the client and
    proves nothing. With no proxies the header is ignored: anyone can send it.
    """
    if trusted_proxy_hops > 0:
        hops = [
            part.strip()
            for header in request.headers.getall("X-Forwarded-For", [])
            for part in header.split(",")
            if part.strip()
        ]
        if len(hops) >= trusted_proxy_hops:
            return hops[-trusted_proxy_hops]
    return request.remote or "unknown"


class InputGuard:
    """The first interceptor: empty, too long and too fast get a polite answer."""

    def __init__(
        self, catalogue: Catalogue, max_chars: int, limiter: RateLimiter | None = None
    ) -> None:
        self.catalogue = catalogue
        self.max_chars = max_chars
        self.limiter = limiter or RateLimiter(PER_MINUTE, BURST, senders=MAX_SENDERS)

    def polite(self, key: str, hint: str | None) -> list[BotMessage]:
        return [BotMessage(text=text) for text in polite_texts(self.catalogue, key, hint)]

    async def __call__(self, user: User, text: str) -> list[BotMessage] | None:
        verdict = self.limiter.take_or_warn(user.user_id)
        if verdict == "drop":
            return []
        if verdict == "warn":
            return self.polite("gateway.too_fast", user.language_hint)
        if not text:
            return self.polite("gateway.empty", user.language_hint)
        if len(text) > self.max_chars:
            return self.polite("gateway.too_long", user.language_hint)
        return None


def setup_security(app: web.Application) -> None:
    """Put the input guard in front of every other interceptor."""
    guard = InputGuard(app[CATALOGUE], app[SETTINGS].max_message_chars)
    app[CONVERSATIONS].interceptors.insert(0, guard)
