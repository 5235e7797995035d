"""The console's own words: the ``console.*`` keys of ``data/locales/sl.yml`` and ``en.yml``.

Counsellors work in Slovenian or English; these words are checked on load like every other
text (``language.catalogue``: both staff languages must have each key, with the same
placeholders). Templates read them as ``t.<key>`` without the ``console.`` prefix.
"""

from __future__ import annotations

from language.catalogue import CONSOLE, STAFF_LANGUAGES, Catalogue

_DEFAULT: list[Catalogue] = []
_WORDS: dict[tuple[int, str], tuple[Catalogue, dict[str, str]]] = {}


def labels(language: str, catalogue: Catalogue | None = None) -> dict[str, str]:
    """The console's words in ``language`` (``sl`` or ``en``; anything else reads Slovenian),
    from ``catalogue`` (the app's, ``bot.keys.CATALOGUE``) or the default files."""
    if catalogue is None:
        if not _DEFAULT:
            _DEFAULT.append(Catalogue.load())
        catalogue = _DEFAULT[0]
    if language not in STAFF_LANGUAGES:
        language = STAFF_LANGUAGES[0]
    found = _WORDS.get((id(catalogue), language))
    if found is None or found[0] is not catalogue:
        words = {
            key.removeprefix(CONSOLE): entry.text
            for key, entry in catalogue.locales[language].items()
            if key.startswith(CONSOLE)
        }
        found = _WORDS[(id(catalogue), language)] = (catalogue, words)
    return found[1]
