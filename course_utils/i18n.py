"""The language the package speaks to the learner: English, or Chinese from its gettext catalogue.

Exercise hints and explanations, the ✅ / ❌ / ⏳ lines, widget labels and error sentences are written in
English in the code and marked for translation: ``_("... {n} steps", n=n)`` translates the text, then fills
in the values; ``N_("...")`` marks a text that is translated later, where it is shown. Babel extracts the
marked texts into ``course_utils/locale/<lang>/LC_MESSAGES/course_utils.po`` (``make translations``).

The language is chosen once per session, before the first message::

    import course_utils
    course_utils.set_language("zh")     # or run Python with COURSE_LANG=zh (what `make lab LANG=zh` does)

Only ``COURSE_LANG`` is read, never the system's ``LANG``: the course speaks English unless asked, so a
Chinese system's test run still prints the English the stored outputs hold.
"""
from __future__ import annotations

import gettext
import io
import os
from pathlib import Path

__all__ = ["set_language", "language", "translation", "LANGUAGES"]

DOMAIN = "course_utils"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = {"en": "en", "zh": "zh_CN", "zh_CN": "zh_CN", "zh-CN": "zh_CN", "zh_Hans": "zh_CN"}
_STATE: dict[str, object] = {}


def translation(lang: str) -> gettext.NullTranslations:
    """The package's messages in ``lang`` (``"en"``, ``"zh"``...) as a gettext object, for tools that write
    in a language of their own (the website, the editions) without changing the session's language."""
    return _catalogue(_resolve(lang))


def _catalogue(lang: str) -> gettext.NullTranslations:
    """The translations of ``lang``, compiled in memory from its .po file (English: none)."""
    if lang == "en":
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def _resolve(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(_("the course speaks {sorted_set}, not {lang!r}: use set_language('en') or "
                           "set_language('zh').", sorted_set=', '.join(sorted(set(LANGUAGES))), lang=lang))
    return LANGUAGES[lang]


def set_language(lang: str) -> None:
    """Speak ``lang`` from now on: ``"en"`` (the default) or ``"zh"`` (Simplified Chinese)."""
    code = _resolve(lang)
    _STATE["lang"], _STATE["translations"] = code, _catalogue(code)


def language() -> str:
    """The language the package speaks now: ``"en"`` or ``"zh_CN"``."""
    if "lang" not in _STATE:
        set_language(os.environ.get("COURSE_LANG") or "en")
    return str(_STATE["lang"])


def _(message: str, **values: object) -> str:
    """``message`` in the current language, with ``values`` filled into its ``{name}`` fields.

    A value that is itself a text marked for translation (a phrase such as ``N_("the output layer's weight")``
    put into a sentence) is translated too; any other value is filled in as it is.
    """
    language()
    translations = _STATE["translations"]
    text = translations.gettext(message)  # type: ignore[union-attr]
    if not values:
        return text
    return text.format(**{k: translations.gettext(v) if isinstance(v, str) else v  # type: ignore[union-attr]
                          for k, v in values.items()})


def N_(message: str) -> str:  # noqa: N802 (gettext's name for it)
    """Mark ``message`` for translation where it is shown (it is returned unchanged)."""
    return message
