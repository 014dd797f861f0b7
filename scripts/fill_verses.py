#!/usr/bin/env python3
"""Fill each name's featured verse (Arabic and English) in the fixture from quran-json.

Maintainers only. The featured verse is the first of a name's `quran_references`.
Usage: scripts/fill_verses.py path/to/quran-json/dist/quran_en.json
       scripts/fill_verses.py --language tr path/to/quran-json/dist/quran_tr.json
         (the verse's translation in fixtures/divine_names.tr.json: Diyanet's Turkish)

quran-json (npm, CC BY-SA 4.0) carries the Uthmani text of the Noble Qur'an Encyclopedia
and the Saheeh International translation; the fixture records what it was filled from.
"""

import json
import sys
import unicodedata
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "divine_names.json"


def main(quran_path: str) -> None:
    quran = json.loads(Path(quran_path).read_text(encoding="utf-8"))
    verses = {(s["id"], v["id"]): v for s in quran for v in s["verses"]}
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for name in data["names"]:
        refs = name["quran_references"]
        if not refs:
            name["verse_arabic"] = name["verse_translation"] = ""
            continue
        verse = verses[(refs[0]["surah"], refs[0]["ayah"])]
        name["verse_arabic"] = unicodedata.normalize("NFC", verse["text"])
        name["verse_translation"] = verse["translation"].strip()
    FIXTURE.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"Filled verses for {len(data['names'])} names in {FIXTURE}")


def fill_translation(language: str, quran_path: str) -> None:
    """The featured verse's translation in `language`'s fixture (the Arabic stays the main
    fixture's)."""
    quran = json.loads(Path(quran_path).read_text(encoding="utf-8"))
    verses = {(s["id"], v["id"]): v for s in quran for v in s["verses"]}
    references = {
        n["number"]: n["quran_references"]
        for n in json.loads(FIXTURE.read_text(encoding="utf-8"))["names"]
    }
    path = FIXTURE.with_name(f"divine_names.{language}.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    for name in data["names"]:
        refs = references[name["number"]]
        verse = verses[(refs[0]["surah"], refs[0]["ayah"])] if refs else None
        text = verse["translation"].strip() if verse else ""
        name["verse_translation"] = unicodedata.normalize("NFC", text)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"Filled {language} verses for {len(data['names'])} names in {path}")


if __name__ == "__main__":
    if sys.argv[1] == "--language":
        fill_translation(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[1])
