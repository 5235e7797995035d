"""The languages the assistant knows, as fixed by the product contract."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LanguageInfo:
    code: str  # ISO 639-1 where one exists (ckb: ISO 639-3)
    english_name: str
    native_name: str
    rtl: bool
    core: bool


_ALL = (
    LanguageInfo("en", "English", "English", rtl=False, core=True),
    LanguageInfo("sl", "Slovenian", "Slovenščina", rtl=False, core=True),
    LanguageInfo("uk", "Ukrainian", "Українська", rtl=False, core=True),
    LanguageInfo("ru", "Russian", "Русский", rtl=False, core=True),
    LanguageInfo("ar", "Arabic", "العربية", rtl=True, core=True),
    LanguageInfo("fa", "Persian (Farsi/Dari)", "فارسی / دری", rtl=True, core=True),
    LanguageInfo("ps", "Pashto", "پښتو", rtl=True, core=False),
    LanguageInfo("ur", "Urdu", "اردو", rtl=True, core=False),
    LanguageInfo("tr", "Turkish", "Türkçe", rtl=False, core=False),
    LanguageInfo("fr", "French", "Français", rtl=False, core=False),
    LanguageInfo("so", "Somali", "Soomaali", rtl=False, core=False),
    LanguageInfo("ti", "Tigrinya", "ትግርኛ", rtl=False, core=False),
    LanguageInfo("ku", "Kurdish (Kurmanji)", "Kurmancî", rtl=False, core=False),
    LanguageInfo("ckb", "Kurdish (Sorani)", "کوردیی ناوەندی", rtl=True, core=False),
)

LANGUAGES: dict[str, LanguageInfo] = {info.code: info for info in _ALL}
CORE: tuple[str, ...] = tuple(info.code for info in _ALL if info.core)
EXTENDED: tuple[str, ...] = tuple(info.code for info in _ALL if not info.core)
FALLBACK = "en"
WORKING = "sl"  # the counsellors' working language


def is_core(code: str | None) -> bool:
    return code in CORE


def is_known(code: str | None) -> bool:
    return code in LANGUAGES


def reply_language(code: object) -> str:
    """The language replies are written in: the conversation's if core, else English."""
    return code if isinstance(code, str) and is_core(code) else FALLBACK


def is_rtl(code: str | None) -> bool:
    info = LANGUAGES.get(code or "")
    return bool(info and info.rtl)


def normalise_code(raw: object) -> str | None:
    """Map a channel's language tag (``uk-UA``, ``pt_BR``, ``FA``) to a known code."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    code = raw.strip().replace("_", "-").split("-")[0].lower()
    aliases = {"prs": "fa", "pes": "fa", "pbt": "ps", "pus": "ps", "kmr": "ku", "slv": "sl"}
    code = aliases.get(code, code)
    if raw.strip().lower() in {"ku-arab", "ckb", "ku-iq"}:
        code = "ckb"
    return code if code in LANGUAGES else None
