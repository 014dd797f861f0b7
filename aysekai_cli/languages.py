"""The languages of `aysekai --lang`: English, Turkish and Arabic, as on the site.

`--lang` (default: `$AYSEKAI_LANG`, else English) chooses the language of the names' words,
read from `fixtures/divine_names.<language>.json` (`catalogue.localize`: English where a field
is empty, and no verse translation in Arabic, whose verse is the Qurʾān's own text), and of the
few labels printed around a name: the table's column headings, the panel's sections, the
titles, and "(English)" after a section not translated. Those are the dicts below (no gettext:
the command needs no Django). Everything else the command says (its questions, notes, errors,
`about` and `--help`) stays in English.
"""

from __future__ import annotations

from dataclasses import dataclass

ENGLISH = "en"
CODES = ("en", "tr", "ar")
ENV = "AYSEKAI_LANG"
NAMES = {"en": "English", "tr": "Turkish", "ar": "Arabic"}  # in the command's messages
# The language that reads right to left: its text is shaped for a terminal (display).
RIGHT_TO_LEFT = frozenset({"ar"})


@dataclass(frozen=True, slots=True)
class Labels:
    """What the command prints around a name, in one language."""

    number: str
    arabic: str
    transliteration: str
    meaning: str
    description: str
    tawil: str
    dhikr: str
    quran: str  # the verse's heading: "Qurʾān 55:1"
    in_the_quran: str  # "The name in the Qurʾān: 55:1; 59:22"
    said: str  # "Said: pronunciation · phonetics"
    names: str  # the title of `list-names`
    sitting: str  # the title of a sitting's panel: "7 · your name to sit with"
    in_english: str  # after a section shown in English, not translated: "Tevil (İngilizce)"


LABELS = {
    "en": Labels(
        number="№",
        arabic="Arabic",
        transliteration="Transliteration",
        meaning="Meaning",
        description="Description",
        tawil="Taʾwīl",
        dhikr="Dhikr",
        quran="Qurʾān",
        in_the_quran="The name in the Qurʾān",
        said="Said",
        names="The 99 Beautiful Names",
        sitting="your name to sit with",
        in_english="English",
    ),
    "tr": Labels(
        number="№",
        arabic="Arapça",
        transliteration="Transliterasyon",
        meaning="Anlam",
        description="Açıklama",
        tawil="Tevil",
        dhikr="Zikir",
        quran="Kur'an",
        in_the_quran="İsim Kur'an'da",
        said="Okunuş",
        names="99 Güzel İsim",
        sitting="bu oturum için isminiz",
        in_english="İngilizce",
    ),
    "ar": Labels(
        number="№",
        arabic="العربية",
        transliteration="بالحروف اللاتينية",
        meaning="المعنى",
        description="الوصف",
        tawil="التأويل",
        dhikr="الذكر",
        quran="القرآن",
        in_the_quran="الاسم في القرآن",
        said="النطق",
        names="الأسماء الحسنى التسعة والتسعون",
        sitting="اسمك لهذه الجلسة",
        in_english="بالإنجليزية",
    ),
}


def labels(language: str) -> Labels:
    return LABELS[language]


def code(value: str | None) -> str:
    """The language a value of `--lang` (or `$AYSEKAI_LANG`) names: "tr", " TR " -> "tr";
    nothing -> English. ValueError for any other."""
    text = (value or "").strip().lower()
    if not text:
        return ENGLISH
    if text not in CODES:
        raise ValueError(
            f"“{value}” is not a language of the command: give one of {', '.join(CODES)}."
        )
    return text
