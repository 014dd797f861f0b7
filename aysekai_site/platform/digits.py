"""Arabic-Indic digits (٠١٢٣٤٥٦٧٨٩) in a page's text, for the people who ask for them on
Arabic pages (issue 17; `accounts.middleware.ArabicIndicDigitsMiddleware`).

Only what a person reads changes: the text between tags. Attributes (URLs, ids, values, ISO
`datetime`s), what a form sends back (`<textarea>`), code and scripts, and text marked in
another language than Arabic (a name's transliteration, English shown as English) keep their
digits, and so do e-mail addresses, which must be read as written.
"""

from __future__ import annotations

import re

WESTERN_TO_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_TOKENS = re.compile(r"(<!--.*?-->|<[^>]*>)", re.S)
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][\w-]*)([^>]*)>")
_LANG = re.compile(r"""\blang\s*=\s*["']?([\w-]+)""")
# Elements whose text is not prose to read, or goes back to the site as typed.
KEPT = frozenset({"script", "style", "textarea", "pre", "code", "kbd", "samp", "template"})
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr"})  # fmt: skip
_EMAIL = re.compile(r"\S+@\S+")


def _convert(text: str) -> str:
    parts = _EMAIL.split(text)
    emails = _EMAIL.findall(text)
    out = [parts[0].translate(WESTERN_TO_ARABIC_INDIC)]
    for email, part in zip(emails, parts[1:], strict=True):
        out += [email, part.translate(WESTERN_TO_ARABIC_INDIC)]
    return "".join(out)


def arabic_indic(html: str) -> str:
    """`html` with the digits of its Arabic text written as Arabic-Indic digits."""
    stack: list[tuple[str, bool]] = []  # (tag, keeps its digits)
    out = []
    for token in _TOKENS.split(html):
        if not token:
            continue
        if token.startswith("<"):
            tag = _TAG.match(token)
            if tag and not token.startswith("<!"):
                closing, name, rest = tag.group(1), tag.group(2).lower(), tag.group(3)
                if closing:
                    for i in range(len(stack) - 1, -1, -1):
                        if stack[i][0] == name:
                            del stack[i:]
                            break
                elif name not in VOID and not rest.rstrip().endswith("/"):
                    lang = _LANG.search(rest)
                    keeps = name in KEPT or (lang is not None and lang.group(1) != "ar")
                    stack.append((name, keeps))
            out.append(token)
        elif any(keeps for _, keeps in stack):
            out.append(token)
        else:
            out.append(_convert(token))
    return "".join(out)
