#!/usr/bin/env python3
"""Fill each name's dhikr in Arabic script (`dhikr_arabic`) in the fixture (issue 14).

Maintainers only; curators review and edit the result in the admin. Usage:
scripts/fill_dhikr_arabic.py [--check]   (--check exits 1 if the fixture differs)

The dhikr is the vocative "yā" and the name. A one-word name drops its article: "ال" and the
lam's sukun, and with a sun letter the shadda of the assimilation (الرَّحْمَٰنُ → يَا رَحْمَٰنُ).
The vocative of a single name is built on the damma, which the fixture's names already end
on. The two names in construct (iḍāfa) take the accusative instead, so they are written here:
مَالِكُ الْمُلْكِ → يَا مَالِكَ الْمُلْكِ, and ذُو الْجَلَالِ → يَا ذَا الْجَلَالِ.
"""

import json
import sys
import unicodedata
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "divine_names.json"
YA = "يَا"
ARTICLE = "ال"
SUKUN, SHADDA = "\u0652", "\u0651"
IN_CONSTRUCT = {
    84: "يَا مَالِكَ الْمُلْكِ",
    85: "يَا ذَا الْجَلَالِ وَالْإِكْرَامِ",
}


def vocative(arabic: str) -> str:
    """The vocative "yā" and a one-word name with its article dropped."""
    if " " in arabic or not arabic.startswith(ARTICLE):
        raise ValueError(f"not a one-word name with the article: {arabic}")
    rest = arabic[len(ARTICLE) :]
    if rest.startswith(SUKUN):  # a moon letter: الْمَلِكُ → مَلِكُ
        rest = rest[1:]
    else:  # a sun letter carries the assimilation's shadda: الرَّحْمَٰنُ → رَحْمَٰنُ
        first, marks = rest[0], ""
        index = 1
        while index < len(rest) and unicodedata.combining(rest[index]):
            marks += rest[index]
            index += 1
        rest = first + marks.replace(SHADDA, "", 1) + rest[index:]
    return unicodedata.normalize("NFC", f"{YA} {rest}")


def _ordered(name: dict) -> dict:
    """The entry with "dhikr_arabic" right after "dhikr", as `write_fixture` orders them."""
    ordered = {}
    for key, value in name.items():
        if key != "dhikr_arabic":
            ordered[key] = value
        if key == "dhikr":
            ordered["dhikr_arabic"] = name["dhikr_arabic"]
    return ordered


def main(check: bool) -> int:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    changed = 0
    for name in data["names"]:
        dhikr = IN_CONSTRUCT.get(name["number"]) or vocative(name["arabic"])
        if name.get("dhikr_arabic") != dhikr:
            changed += 1
            name["dhikr_arabic"] = dhikr
    data["names"] = [_ordered(name) for name in data["names"]]
    if check:
        print(f"{changed} names differ from the rule")
        return 1 if changed else 0
    FIXTURE.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"Filled the Arabic dhikr of {changed} names in {FIXTURE}")
    return 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))
