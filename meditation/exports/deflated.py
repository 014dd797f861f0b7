"""The ZIP of a journal export: zipfile's container around members deflated here, with ISA-L.

A ZIP keeps each member's bytes together, so a one-pass export can stream only its first member
into the archive while the rows go by (`Archive.stream`); the others have to wait. They wait
deflated: each is compressed as it is written, into a `SealedSpool` (encrypted, nameless), and
its compressed bytes are copied into the archive after the pass, as they are (`Archive.add`).
Keeping their plaintext in the spool instead, and deflating it on the way into the archive,
sealed and unsealed about eight times the bytes (at 10,000 entries, 7.6 MB of JSON and
Markdown, 0.9 MB deflated): a third of what the ZIP cost beyond its CSV.

The deflate is ISA-L's (`isal`): the same format (raw deflate, any unzip reads it), a third of
zlib's time on these members at its default level, and slightly smaller. zipfile would deflate
with zlib, so every member is written here, and zipfile keeps the rest: the central directory
and the end records.

A member is laid out as `ZipFile.open(name, "w", force_zip64=True)` lays it out on a stream
that cannot seek (the export's `HashingWriter`): its local header with the zip64 sizes and no
CRC, the deflated data, then a data descriptor. Around the deflated data the archive is byte
for byte what zipfile itself writes (tests/meditation/exports/test_deflated.py).
"""

from __future__ import annotations

import io
import struct
import time
import zipfile
from collections.abc import Buffer, Callable, Iterator
from contextlib import contextmanager
from typing import IO

from isal import isal_zlib

from ..private_files import SealedSpool

# ISA-L's default: as fast as its level 1 on these members and 2% smaller; its level 3 takes
# two and a half times as long (docs/decisions.md, "The ZIP in one pass").
LEVEL = isal_zlib.ISAL_DEFAULT_COMPRESSION
# Bytes handed to the compressor at a time. ISA-L deflates a member badly whose first write is
# short (a header line) and whose next is long, if the whole is under about 32 KB: 10 KB of
# Markdown then came out at 70% of its size, not 22%. Whole blocks also mean fewer calls.
BLOCK = 64 * 1024
_RAW_DEFLATE = -15  # no zlib header or checksum: a ZIP member's data, as zipfile's compressor
_DATA_DESCRIPTOR = 0x08  # the flag: CRC and sizes follow the data
_DATA_DESCRIPTOR_ZIP64 = struct.Struct("<LLQQ")  # signature, CRC, compressed size, size
_DATA_DESCRIPTOR_SIGNATURE = 0x08074B50


class DeflatingWriter(io.BufferedIOBase):
    """Bytes in, raw deflate out to `put` (BLOCK bytes at a time), counting the CRC and both
    sizes for the ZIP."""

    def __init__(self, member: str, put: Callable[[bytes], object]) -> None:
        super().__init__()
        self.member = member
        self.crc = self.size = self.compressed_size = 0
        self._deflate = isal_zlib.compressobj(LEVEL, isal_zlib.DEFLATED, _RAW_DEFLATE)
        self._put = put
        self._pending = bytearray()
        self._finished = False

    def writable(self) -> bool:
        return True

    def write(self, data: Buffer, /) -> int:
        if self._finished:
            raise ValueError("write to a finished member")
        view = memoryview(data)
        self.crc = isal_zlib.crc32(view, self.crc)
        self.size += view.nbytes
        if not self._pending and view.nbytes >= BLOCK:  # a whole block already: no copy
            self._out(self._deflate.compress(view))
            return view.nbytes
        self._pending += view
        if len(self._pending) >= BLOCK:
            self._out(self._deflate.compress(self._pending))
            self._pending.clear()
        return view.nbytes

    def finish(self) -> None:
        """Write what the compressor still holds; nothing more can be written."""
        if not self._finished:
            self._out(self._deflate.compress(self._pending) + self._deflate.flush())
            self._pending.clear()
            self._finished = True

    def _out(self, block: bytes) -> None:
        if block:
            self.compressed_size += len(block)
            self._put(block)


class DeflatedMember(DeflatingWriter):
    """A member's bytes, deflated as they are written and kept sealed until `Archive.add`.

    Holds at most the compressor's state and one chunk of the spool, whatever the size.
    """

    def __init__(self, member: str) -> None:
        self._spool = SealedSpool()
        super().__init__(member, self._spool.write)

    def chunks(self) -> Iterator[bytes]:
        """The deflated data, from the start (ends the member: nothing more can be written)."""
        self.finish()
        return self._spool.chunks()

    def close(self) -> None:
        super().close()
        self._spool.close()


class Archive(zipfile.ZipFile):
    """A ZIP of members deflated by `DeflatingWriter`, streamed (`stream`) or copied from a
    spool (`add`), on a stream that cannot seek (the export's `HashingWriter`)."""

    def __init__(self, out: io.BufferedIOBase) -> None:
        if out.seekable():
            raise ValueError("an Archive is written as zipfile writes on a stream that cannot seek")
        super().__init__(out, "w", zipfile.ZIP_DEFLATED)

    @contextmanager
    def stream(self, member: str) -> Iterator[DeflatingWriter]:
        """The next member, written into the archive as it is deflated."""
        out = self._out()
        info = self._begin(member, out)
        writer = DeflatingWriter(member, out.write)
        yield writer
        writer.finish()
        self._end(info, writer, out)

    def add(self, member: DeflatedMember, alive: Callable[[], None]) -> None:
        """Copy `member`'s deflated bytes in as the next member; `alive()` after each chunk."""
        out = self._out()
        info = self._begin(member.member, out)
        for block in member.chunks():
            out.write(block)
            alive()
        self._end(info, member, out)

    # What `open(name, "w", force_zip64=True)` and its `close()` do on such a stream: the local
    # header (zip64, CRC and sizes to follow), the data, the data descriptor, then the member
    # is listed for the central directory that `close()` writes.

    def _out(self) -> IO[bytes]:
        if self.fp is None:
            raise ValueError("the archive is closed")
        return self.fp

    def _begin(self, member: str, out: IO[bytes]) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(member, date_time=time.localtime(time.time())[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16  # ?rw-------, as zipfile gives a member it opens
        info.flag_bits = _DATA_DESCRIPTOR
        info.header_offset = out.tell()
        out.write(info.FileHeader(zip64=True))
        return info

    def _end(self, info: zipfile.ZipInfo, member: DeflatingWriter, out: IO[bytes]) -> None:
        info.CRC, info.compress_size, info.file_size = (
            member.crc, member.compressed_size, member.size
        )  # fmt: skip
        out.write(_DATA_DESCRIPTOR_ZIP64.pack(
            _DATA_DESCRIPTOR_SIGNATURE, info.CRC, info.compress_size, info.file_size
        ))  # fmt: skip
        self.start_dir = out.tell()
        self.filelist.append(info)
        self.NameToInfo[info.filename] = info
