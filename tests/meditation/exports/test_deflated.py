"""Members deflated before their turn in the archive (meditation.exports.deflated): the ZIP is
what zipfile itself writes of the same files, and a member's memory does not grow with it."""

import io
import tracemalloc
import zipfile

import pytest

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


def as_zipfile_writes(members, date_times):
    """The archive zipfile writes of `members` (name: bytes), each opened for writing as the
    export opens its streamed member."""
    out = Unseekable()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=deflated.LEVEL) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=date_times[name])
            info.compress_type, info.compress_level = zipfile.ZIP_DEFLATED, deflated.LEVEL
            with archive.open(info, "w", force_zip64=True) as member:
                member.write(data)
    return bytes(out.data)


def deflate(name, data, block=8192):
    member = deflated.DeflatedMember(name)
    for start in range(0, len(data), block):
        member.write(data[start : start + block])
    return member


def test_the_archive_is_byte_for_byte_what_zipfile_writes():
    out, beats = Unseekable(), []
    with deflated.Archive(out) as archive:
        with archive.open("first.txt", "w", force_zip64=True) as first:
            first.write(b"streamed as the rows go by")
        for name, data in (("second.txt", TEXT), ("empty.txt", b"")):
            with deflate(name, data) as member:
                archive.add(member, lambda: beats.append(1))
    written = zipfile.ZipFile(io.BytesIO(out.data))
    assert written.testzip() is None  # every CRC checks
    assert written.read("second.txt") == TEXT
    assert written.read("empty.txt") == b""
    date_times = {info.filename: info.date_time for info in written.infolist()}
    members = {"first.txt": b"streamed as the rows go by", "second.txt": TEXT, "empty.txt": b""}
    assert bytes(out.data) == as_zipfile_writes(members, date_times)
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


def test_a_member_cannot_be_written_once_copied():
    with deflate("member.txt", b"text") as member:
        list(member.chunks())
        with pytest.raises(ValueError, match="finished"):
            member.write(b"more")


def test_an_archive_refuses_a_stream_that_can_seek():
    with pytest.raises(ValueError, match="cannot seek"):
        deflated.Archive(io.BytesIO())
