"""The ZIP's members, deflated with ISA-L, some before their turn in the archive
(meditation.exports.deflated): around the deflated data the ZIP is byte for byte what zipfile
itself writes, and a member's memory does not grow with it."""

import io
import struct
import tracemalloc
import zipfile
from unittest import mock

import pytest
from isal import isal_zlib

from meditation.exports import deflated

# Varied text, Arabic included, over several spool chunks and many of a text wrapper's writes.
TEXT = "".join(
    f"line {n}: {n * n % 9973} رحمن {'mercy ' * (n % 7)}\n" for n in range(20_000)
).encode()


class Unseekable(io.RawIOBase):
    """Collects what is written and cannot seek, as the export's HashingWriter."""

    def __init__(self):
        super().__init__()
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, data):
        self.data += data
        return len(data)

    def tell(self):
        return len(self.data)


class Deflated:
    """A compressor for zipfile that gives the data already deflated (and checks it inflates
    back to what zipfile was given)."""

    def __init__(self, data):
        self.data, self.given = data, []

    def compress(self, data):
        self.given.append(bytes(data))
        return b""

    def flush(self):
        assert isal_zlib.decompress(self.data, -15) == b"".join(self.given)
        return self.data


def deflated_data(output, info):
    """A member's deflated bytes, as they lie in the archive after its local header."""
    names, extra = struct.unpack_from("<HH", output, info.header_offset + 26)
    start = info.header_offset + 30 + names + extra
    return output[start : start + info.compress_size]


def as_zipfile_writes(output):
    """The archive zipfile writes of the members of `output` (a ZIP), each opened for writing
    with force_zip64 at the same time, its deflated data being the same bytes."""
    written = zipfile.ZipFile(io.BytesIO(output))
    compressors = [Deflated(deflated_data(output, info)) for info in written.infolist()]
    out = Unseekable()
    with (
        mock.patch.object(zipfile, "_get_compressor", side_effect=compressors),
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for info in written.infolist():
            opened = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            opened.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(opened, "w", force_zip64=True) as member:
                member.write(written.read(info))
    return bytes(out.data)


def deflate(name, data, block=8192):
    member = deflated.DeflatedMember(name)
    for start in range(0, len(data), block):
        member.write(data[start : start + block])
    return member


def test_the_archive_is_byte_for_byte_what_zipfile_writes_around_the_same_data():
    out, beats = Unseekable(), []
    with deflated.Archive(out) as archive:
        with archive.stream("first.txt") as first:
            first.write(b"streamed as the rows go by")
        for name, data in (("second.txt", TEXT), ("empty.txt", b"")):
            with deflate(name, data) as member:
                archive.add(member, lambda: beats.append(1))
    written = zipfile.ZipFile(io.BytesIO(out.data))
    assert written.testzip() is None  # every CRC checks
    assert written.namelist() == ["first.txt", "second.txt", "empty.txt"]
    assert written.read("first.txt") == b"streamed as the rows go by"
    assert written.read("second.txt") == TEXT
    assert written.read("empty.txt") == b""
    assert bytes(out.data) == as_zipfile_writes(bytes(out.data))
    assert len(beats) >= 2  # the heartbeat is kept during the copy, chunk by chunk


def test_a_member_takes_no_more_memory_when_it_is_larger():
    def peak(megabytes):
        block = TEXT[: 64 * 1024]
        tracemalloc.start()
        try:
            with deflated.DeflatedMember("member.txt") as member:
                for _ in range(megabytes * 16):
                    member.write(bytes(block))  # a new block each time, as a writer's
                for _ in member.chunks():
                    pass
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(1), peak(16)
    assert large < small + 128 * 1024
    assert large < 2 * 1024 * 1024


def test_a_short_first_write_does_not_spoil_the_compression():
    """A member's header line then its body in one write, as a writer taking a batch of entries
    gives them: ISA-L fed them as they came left 10 KB of Markdown at 70% of its size."""
    body = TEXT[:12_000]
    with deflate("member.txt", body, block=len(body)) as member:
        at_once = b"".join(member.chunks())
    with deflated.DeflatedMember("member.txt") as member:
        member.write(body[:75])
        member.write(body[75:])
        parts = b"".join(member.chunks())
    assert isal_zlib.decompress(parts, -15) == body
    assert len(parts) < len(at_once) * 1.1
    assert len(parts) < len(body) / 4


def test_a_member_cannot_be_written_once_copied():
    with deflate("member.txt", b"text") as member:
        list(member.chunks())
        with pytest.raises(ValueError, match="finished"):
            member.write(b"more")


def test_an_archive_refuses_a_stream_that_can_seek():
    with pytest.raises(ValueError, match="cannot seek"):
        deflated.Archive(io.BytesIO())
