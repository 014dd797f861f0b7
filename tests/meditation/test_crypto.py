"""The chunked container for private files (meditation.crypto): round trips at the chunk
boundaries, bounded reads, and refusals of what was changed."""

import io
import os

import pytest
from cryptography.fernet import Fernet

from meditation import crypto

CHUNK = crypto.CHUNK


class Recording(io.BytesIO):
    """A file that remembers how much each read asked for."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.asked: list[int] = []

    def read(self, size=-1, /):
        self.asked.append(size)
        return super().read(size)


def seal(data: bytes, name: str = "exports/a.csv") -> bytes:
    out = io.BytesIO()
    writer = crypto.SealingWriter(out, name)
    writer.write(data)
    writer.finish()
    return out.getvalue()


def unseal(sealed: bytes, name: str = "exports/a.csv") -> bytes:
    return crypto.SealedReader(io.BytesIO(sealed), name).read()


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 7])
def test_it_round_trips_at_the_chunk_boundaries(size):
    data = os.urandom(size)
    sealed = seal(data)
    assert sealed.startswith(crypto.HEAD)
    assert unseal(sealed) == data


def test_it_reads_one_frame_at_a_time():
    raw = Recording(seal(os.urandom(5 * CHUNK)))
    reader = crypto.SealedReader(raw, "exports/a.csv")
    while reader.read(CHUNK):
        pass
    assert 0 < max(raw.asked) <= crypto.MAX_TOKEN
    assert all(size > 0 for size in raw.asked)  # never "read everything"


def test_it_refuses_a_file_under_another_name():
    with pytest.raises(crypto.SealedFileError, match="another name"):
        unseal(seal(b"mine"), "exports/b.csv")


def test_it_refuses_frames_of_another_file_spliced_in():
    one, two = seal(os.urandom(2 * CHUNK)), seal(os.urandom(2 * CHUNK))
    first_length = int.from_bytes(one[16:20], "big")
    spliced = one[: 20 + first_length] + two[20 + first_length :]
    with pytest.raises(crypto.SealedFileError, match="out of place"):
        unseal(spliced)


def test_it_tells_a_file_from_before_encryption_and_a_newer_version():
    with pytest.raises(crypto.NotSealedError):
        unseal(b"timestamp,user,prompt\n")
    with pytest.raises(crypto.SealedFileError, match="version 2"):
        unseal(crypto.MAGIC + b"\x02" + seal(b"x")[16:])


def test_it_says_which_key_a_file_is_under(settings):
    sealed = seal(b"text")
    assert crypto.key_state(io.BytesIO(sealed)) == "current"
    settings.FIELD_ENCRYPTION_KEYS = [
        Fernet.generate_key().decode(),
        *settings.FIELD_ENCRYPTION_KEYS,
    ]
    assert crypto.key_state(io.BytesIO(sealed)) == "old"
    assert unseal(sealed) == b"text"  # every key still decrypts
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]
    with pytest.raises(crypto.SealedFileError, match="No key"):
        crypto.key_state(io.BytesIO(sealed))
    assert crypto.key_state(io.BytesIO(b"plain text")) == "plain"
