"""The words of a polite refusal or error, in a language the person can read.

A message the gateway cannot take (empty, too long, too fast, malformed, Rasa
away) is answered in the person's language when it is a core one (it has
written texts in ``data/locales/``); otherwise, or when the language is not
known, in English and Slovenian, one text each. The web chat (``bot.app``),
the widget's socket (``bot.web``) and the input guard of every channel
(``bot.security``) answer this way.
"""

from __future__ import annotations

from language.catalogue import Catalogue
from language.languages import FALLBACK, WORKING, is_core


def polite_languages(lang: str | None) -> list[str]:
    """``[lang]`` when it is a core language, else English and Slovenian."""
    return [lang] if lang and is_core(lang) else [FALLBACK, WORKING]


def polite_texts(
    catalogue: Catalogue, key: str, lang: str | None, *, marked: bool = True
) -> list[str]:
    """The texts of ``key`` in ``polite_languages(lang)``; ``marked``: with the
    direction marks of a rendered reply (``Catalogue.render``), else plain
    (``Catalogue.text``, for the widget, which sets the direction itself)."""
    if marked:
        return [catalogue.render(key, code)["text"] for code in polite_languages(lang)]
    return [catalogue.text(key, code) for code in polite_languages(lang)]
