"""Text folding shared by everything that matches what people type against known words.

People write the same Arabic-script letter in several forms (Arabic ``ي`` and Persian
``ی``, ``ك`` and ``ک``, ``ة`` and ``ه``, hamza seats on alif), and Cyrillic writers drop
the diaeresis of ``ё`` or type ``г`` for ``ґ``. ``fold_letters`` maps each variant to
one form; callers fold both sides of a comparison the same way.
"""

from __future__ import annotations

import unicodedata

LETTER_MAP = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ئ": "ی",
        "ك": "ک",
        "ة": "ه",
        "ۀ": "ه",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ё": "е",
        "ґ": "г",
        "’": "'",
        "ʼ": "'",
    }
)


def fold_letters(text: str) -> str:
    """``text`` with each letter variant above in its one form."""
    return text.translate(LETTER_MAP)


def normalise(text: str) -> tuple[str, list[int]]:
    """Lower-cased, diacritic-free text and, for each of its chars, the original index."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch in ("\u200c", "\u200d", "\u0640"):  # ZWNJ, ZWJ, tatweel
            out.append(" " if ch == "\u200c" else "")
        elif unicodedata.category(ch) == "Mn":
            continue
        else:
            base = unicodedata.normalize("NFKD", ch)[0].lower().translate(LETTER_MAP)
            out.append(base)
        if out[-1]:
            index.append(i)
        else:
            out.pop()
    return "".join(out), index
