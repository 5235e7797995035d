"""Text folding shared by everything that matches what people type against known words.

People write the same Arabic-script letter in several forms (Arabic ``ي`` and Persian
``ی``, ``ك`` and ``ک``, ``ة`` and ``ه``, hamza seats on alif), and Cyrillic writers drop
the diaeresis of ``ё`` or type ``г`` for ``ґ``. ``fold_letters`` maps each variant to
one form; callers fold both sides of a comparison the same way.
"""

from __future__ import annotations

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
