"""The draw: a name chosen uniformly from 1–99, tied to the moment of intention.

Randomness comes from the operating system's CSPRNG (os.urandom). The intention and a
nanosecond timestamp are mixed in, as the command-line tool did, by hashing them together
with 32 fresh random bytes: the hash of uniformly random input stays uniform, so the mixing
cannot bias the draw, and the fresh bytes mean the same intention never forces the same name.
The hash is then reduced to 1–99 by rejection sampling (no modulo bias). There is no shared
state, so concurrent draws need no lock.
"""

from __future__ import annotations

import hashlib
import os
import time
from itertools import count

NAME_COUNT = 99
_SAMPLE_BYTES = 2
_SAMPLE_SPACE = 1 << (8 * _SAMPLE_BYTES)  # 65,536
# Largest multiple of 99 that fits: samples at or above it are drawn again.
_ACCEPT_BELOW = _SAMPLE_SPACE - _SAMPLE_SPACE % NAME_COUNT  # 65,439


def _sample(intention: bytes, moment: int, attempt: int) -> int:
    digest = hashlib.sha256(
        os.urandom(32)
        + moment.to_bytes(16, "big", signed=True)
        + attempt.to_bytes(4, "big")
        + intention
    ).digest()
    return int.from_bytes(digest[:_SAMPLE_BYTES], "big")


def draw(intention: str) -> int:
    """Draw a name number, 1 to 99, every number equally likely."""
    encoded = intention.encode("utf-8")
    moment = time.time_ns()
    for attempt in count():
        sample = _sample(encoded, moment, attempt)
        if sample < _ACCEPT_BELOW:
            return sample % NAME_COUNT + 1
    raise AssertionError("unreachable")  # pragma: no cover
