"""The journal's blind index: keyed tokens of the folded words of each entry, so that the
database can find the entries a search may match without ever holding a readable word.

A token is the first 8 bytes (a signed 64-bit integer) of HMAC-SHA256 under a key of the
person's own, derived from the first of FIELD_ENCRYPTION_KEYS and the user id: the same word
of two people, or under two keys, gives unrelated tokens, and without the keys a token says
nothing (no unkeyed hash is ever stored). What is indexed, for each word of the folded text
(split at white space), is every prefix (up to PREFIX_MAX characters) of:

- the word itself, and each part of it that starts after punctuation ("(mercy)" → "mercy)",
  "self-love/mercy" → "mercy");
- in Arabic script, the word after its first one to four letters, so that a search finds a
  word behind its clitics (و ف ب ك ل, the article: "رحمن" finds "والرحمن").

A search term is looked up by the token of itself (cut to PREFIX_MAX characters): an entry
has it exactly when the term starts one of the units above, which also means the old rule
(the folded text contains the term) holds. What the old rule found and this does not: a
term starting inside a run of letters or digits ("ercy" in "mercy", "63" in "163", past the
fourth letter in Arabic). docs/decisions.md ("Speed (issue 13)").

This module knows no model: callers pass the token model (the real one, or a migration's).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction

from .crypto import person_mac
from .text import fold, is_arabic_script

PREFIX_MAX = 24  # longer terms are looked up by their first PREFIX_MAX characters
ARABIC_CLITIC_MAX = 4  # و + ب + ال: the longest run of proclitics looked behind
TEXT_FIELDS = frozenset({"intention", "reflection"})
_CONTEXT = b"aysekai journal blind index v1"


class Indexable(Protocol):
    pk: Any
    user_id: int
    intention: str
    reflection: str


def _user_mac(field_key: str, user_id: int) -> hmac.HMAC:
    return person_mac(_CONTEXT, user_id, field_key)


def _token(mac: hmac.HMAC, unit: str) -> int:
    one = mac.copy()
    one.update(unit.encode("utf-8"))
    return int.from_bytes(one.digest()[:8], "big", signed=True)


def _starts(word: str) -> Iterator[int]:
    """Where the indexed units of a folded word begin."""
    yield 0
    for i in range(1, len(word)):
        if word[i].isalnum() and not word[i - 1].isalnum():
            yield i
    if is_arabic_script(word):
        yield from range(1, min(ARABIC_CLITIC_MAX, len(word) - 1) + 1)


def units(text: str) -> set[str]:
    """Every string an entry with this text is found by (plaintext: never stored)."""
    found: set[str] = set()
    for word in set(fold(text).split()):
        for start in set(_starts(word)):
            unit = word[start:]
            found.update(unit[:n] for n in range(1, min(len(unit), PREFIX_MAX) + 1))
    return found


def entry_tokens(user_id: int, intention: str, reflection: str) -> set[int]:
    """The tokens of an entry, under the first key (the one every write uses)."""
    mac = _user_mac(settings.FIELD_ENCRYPTION_KEYS[0], user_id)
    return {_token(mac, unit) for unit in units(f"{intention}\n{reflection}")}


def term_tokens(user_id: int, term: str) -> list[int]:
    """A folded search term's token under each configured key: until `rotate_field_keys` has
    run, some entries are still indexed under an older one."""
    unit = term[:PREFIX_MAX]
    return [_token(_user_mac(key, user_id), unit) for key in settings.FIELD_ENCRYPTION_KEYS]


def exact(terms: Iterable[str]) -> bool:
    """Whether the index answers for these terms exactly (no term was cut to PREFIX_MAX), so
    that only the entries shown need decrypting."""
    return all(len(term) <= PREFIX_MAX for term in terms)


def index_entries(token_model: Any, entries: Iterable[Indexable], *, replace: bool) -> None:
    """Write the tokens of `entries` (replacing their old ones if `replace`), in few queries."""
    entries = list(entries)
    if replace:
        token_model.objects.filter(entry_id__in=[e.pk for e in entries]).delete()
    token_model.objects.bulk_create(
        (
            token_model(entry_id=e.pk, user_id=e.user_id, token=token)
            for e in entries
            for token in entry_tokens(e.user_id, e.intention, e.reflection or "")
        ),
        batch_size=2000,
    )


def rebuild(entry_model: Any, token_model: Any, *, batch_size: int = 500) -> int:
    """Index every entry again under the first key; returns how many entries."""
    done = 0
    last_pk = None
    fields = ("pk", "user_id", *sorted(TEXT_FIELDS))
    while True:
        batch = entry_model.objects.order_by("pk").only(*fields)
        if last_pk is not None:
            batch = batch.filter(pk__gt=last_pk)
        entries = list(batch[:batch_size])
        if not entries:
            return done
        with transaction.atomic():
            index_entries(token_model, entries, replace=True)
        done += len(entries)
        last_pk = entries[-1].pk
