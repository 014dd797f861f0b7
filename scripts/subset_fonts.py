"""Subset the vendored Arabic fonts to the Arabic the site shows (run by `make vendor`).

Usage: subset_fonts.py SOURCE_DIR DEST_DIR [QURAN_SOURCE_DIR QURAN_DEST_DIR [UI_SOURCE_DIR
UI_DEST_DIR]] — reads amiri-arabic-{400,700}-normal.woff2 (the @fontsource originals) from
SOURCE_DIR and writes amiri-arabic-{400,700}-subset.woff2 to DEST_DIR; with the other two,
reads Scheherazade New's
scheherazade-new-arabic-400-normal.woff2 and writes scheherazade-new-arabic-400-subset.woff2,
cut to the characters of the verses (the face the verses are set in, issue 14: SIL's face for
the Qurʾān's orthography; Amiri Quran lacks U+065E, which 29 of the verses use). The
characters kept for Amiri are every character of the names fixture's Arabic fields (the
names and their verses) and the Arabic-script characters the templates contain;
tests/meditation/catalogue/test_fonts.py fails when a curator adds a character the subset
lacks, so run `make vendor` again then.

Why so small a subset, and why one lookup goes: the whole Arabic face is 109 KB a weight, and
kept whole for these 63 characters, its required ligatures still pull in ~970 glyphs (39 KB).
One of them, a chained-contextual lookup of calligraphic alternates (`HEAVY_LOOKUP`), brings
450 of those glyphs (15 KB) alone; without it a weight is 24 KB and `/names/` fits its 60 KB
first-load budget. Joining forms, lam-alef and the other required ligatures, and every mark
position stay. Hinting goes too (browsers ignore it for woff2 at these sizes).

The Arabic interface's face (issue 17): with the last two, reads Noto Sans Arabic's
noto-sans-arabic-arabic-{400,700}-normal.woff2 and writes noto-sans-arabic-arabic-{400,700}-
subset.woff2, cut to a FIXED set (`UI_CHARACTERS`: the Arabic letters, harakat, digits and
punctuation, ZWNJ/ZWJ/LRM/RLM), not to today's translations, so whatever a translator writes
renders in it; any other Arabic-script character the Arabic catalogues' msgstrs hold is added
(tests/site/test_interface_font.py fails until `make vendor` is run). Its shaping features
(joining forms, lam-alef, marks, kerning) all stay. The face has no RLM (U+200F), so an empty,
zero-width glyph is added for it, as invisible as the mark itself. No Latin: the system font
sets it.
"""

import json
import sys
import unicodedata
from pathlib import Path

import polib
from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables._g_l_y_f import Glyph

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "divine_names.json"
TEMPLATES = ROOT / "templates"
WEIGHTS = (400, 700)
ARABIC_FIELDS = ("arabic", "verse_arabic", "dhikr_arabic")
# Lookup 135 of Amiri 1.002 (@fontsource/amiri 5.3.0): a chain-context lookup with 55
# subtables in `rlig`. Checked below, so a new Amiri release stops the script instead of
# silently dropping a different lookup.
HEAVY_LOOKUP = 135
HEAVY_LOOKUP_SHAPE = (6, 55)

# The Arabic interface's face: whatever an Arabic translation may hold.
UI_CATALOGUES = ROOT / "locale" / "ar" / "LC_MESSAGES"
UI_CHARACTERS = frozenset(
    chr(code)
    for low, high in (
        (0x0621, 0x064A),  # the letters
        (0x064B, 0x065F),  # the harakat and other marks
        (0x0670, 0x0670),  # the superscript alef
        (0x0640, 0x0640),  # tatweel
        (0x0660, 0x0669),  # the Arabic-Indic digits
        (0x060C, 0x060C),  # the comma
        (0x061B, 0x061B),  # the semicolon
        (0x061F, 0x061F),  # the question mark
        (0x066A, 0x066C),  # the percent sign, decimal and thousands separators
        (0x200C, 0x200F),  # ZWNJ, ZWJ, LRM, RLM
    )
    for code in range(low, high + 1)
)
# Kept by fonttools' defaults too; named so that a change of defaults cannot drop them.
UI_FEATURES = ("ccmp", "locl", "isol", "init", "medi", "fina", "rlig", "liga", "calt", "mark",
               "mkmk", "kern", "curs")  # fmt: skip
RLM = 0x200F


def is_arabic(char: str) -> bool:
    """Whether the character belongs to the Arabic script (letters, marks, presentation forms)."""
    return unicodedata.name(char, "").startswith("ARABIC")


def site_characters() -> set[str]:
    """What the site sets in Amiri: the fixture's Arabic fields and the templates' Arabic."""
    names = json.loads(FIXTURE.read_text(encoding="utf-8"))["names"]
    chars = {char for name in names for field in ARABIC_FIELDS for char in name[field]}
    for template in TEMPLATES.rglob("*.html"):
        chars |= {char for char in template.read_text(encoding="utf-8") if is_arabic(char)}
    return {char for char in chars if not char.isspace()}


def drop_heavy_lookup(font: TTFont) -> None:
    gsub = font["GSUB"].table
    lookup = gsub.LookupList.Lookup[HEAVY_LOOKUP]
    shape = (lookup.LookupType, len(lookup.SubTable))
    if shape != HEAVY_LOOKUP_SHAPE:
        sys.exit(f"Amiri changed: GSUB lookup {HEAVY_LOOKUP} is {shape}; re-check HEAVY_LOOKUP.")
    for record in gsub.FeatureList.FeatureRecord:
        kept = [index for index in record.Feature.LookupListIndex if index != HEAVY_LOOKUP]
        record.Feature.LookupListIndex = kept
        record.Feature.LookupCount = len(kept)


def subset_font(source: Path, dest: Path, chars: set[str]) -> None:
    font = TTFont(source)
    drop_heavy_lookup(font)
    options = subset.Options(flavor="woff2", hinting=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(char) for char in chars))
    subsetter.subset(font)
    font.flavor = "woff2"
    font.save(dest)


def verse_characters() -> set[str]:
    """What the site sets in Scheherazade New: the verses' Arabic."""
    names = json.loads(FIXTURE.read_text(encoding="utf-8"))["names"]
    return {char for name in names for char in name["verse_arabic"] if not char.isspace()}


def subset_quran(source: Path, dest: Path, chars: set[str]) -> None:
    """The verses' face whole for `chars` (its lookups place the Qurʾānic marks)."""
    font = TTFont(source)
    subsetter = subset.Subsetter(subset.Options(flavor="woff2", hinting=False))
    subsetter.populate(unicodes=sorted(ord(char) for char in chars))
    subsetter.subset(font)
    font.flavor = "woff2"
    font.save(dest)


def catalogue_characters() -> set[str]:
    """The Arabic-script characters of the Arabic translations (every msgstr, plurals too)."""
    chars: set[str] = set()
    for catalogue in sorted(UI_CATALOGUES.glob("*.po")):
        for entry in polib.pofile(str(catalogue)):
            for text in (entry.msgstr, *entry.msgstr_plural.values()):
                chars |= {char for char in text if is_arabic(char)}
    return chars


def add_empty_glyph(font: TTFont, code: int, name: str) -> None:
    """Map `code` to a new glyph without outline or advance (for an invisible format mark)."""
    font["glyf"][name] = Glyph()  # appends `name` to the font's glyph order
    font["hmtx"][name] = (0, 0)
    for table in font["cmap"].tables:
        if table.isUnicode():
            table.cmap[code] = name


def subset_interface(source: Path, dest: Path, chars: set[str]) -> None:
    """The Arabic interface's face for `chars`, its shaping whole; it keeps the source's
    timestamp, so the same package makes the same bytes."""
    font = TTFont(source, recalcTimestamp=False)
    if RLM not in font.getBestCmap():
        add_empty_glyph(font, RLM, "uni200F")
    missing = sorted(ord(char) for char in chars if ord(char) not in font.getBestCmap())
    if missing:
        sys.exit(f"{source.name} lacks " + ", ".join(f"U+{code:04X}" for code in missing))
    options = subset.Options(flavor="woff2", hinting=False)
    options.layout_features = sorted(set(options.layout_features) | set(UI_FEATURES))
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(char) for char in chars))
    subsetter.subset(font)
    font.flavor = "woff2"
    font.save(dest)


def main(
    source_dir: Path,
    dest_dir: Path,
    quran: tuple[Path, Path] | None = None,
    interface: tuple[Path, Path] | None = None,
) -> None:
    chars = site_characters()
    for weight in WEIGHTS:
        source = source_dir / f"amiri-arabic-{weight}-normal.woff2"
        dest = dest_dir / f"amiri-arabic-{weight}-subset.woff2"
        subset_font(source, dest, chars)
        print(f"{dest.name}: {len(chars)} characters, {dest.stat().st_size} bytes")
    if quran is not None:
        verses = verse_characters()
        dest = quran[1] / "scheherazade-new-arabic-400-subset.woff2"
        subset_quran(quran[0] / "scheherazade-new-arabic-400-normal.woff2", dest, verses)
        print(f"{dest.name}: {len(verses)} characters, {dest.stat().st_size} bytes")
    if interface is not None:
        ui = set(UI_CHARACTERS) | catalogue_characters()
        for weight in WEIGHTS:
            source = interface[0] / f"noto-sans-arabic-arabic-{weight}-normal.woff2"
            dest = interface[1] / f"noto-sans-arabic-arabic-{weight}-subset.woff2"
            subset_interface(source, dest, ui)
            print(f"{dest.name}: {len(ui)} characters, {dest.stat().st_size} bytes")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 5, 7):
        sys.exit(__doc__)
    paths = [Path(arg) for arg in sys.argv[1:]]
    quran = (paths[2], paths[3]) if len(paths) >= 4 else None
    interface = (paths[4], paths[5]) if len(paths) == 6 else None
    main(paths[0], paths[1], quran, interface)
