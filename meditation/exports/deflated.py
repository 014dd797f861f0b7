"""The ZIP of a journal export: zipfile's writer, plus members deflated before their turn.

A ZIP keeps each member's bytes together, so a one-pass export can stream only its first member
into the archive while the rows go by; the others have to wait. They wait deflated: each is
compressed as it is written, into a `SealedSpool` (encrypted, nameless), and its compressed
bytes are copied into the archive after the pass, as they are. Keeping their plaintext in the
spool instead, and deflating it on the way into the archive, sealed and unsealed about eight
times the bytes (at 10,000 entries, 7.6 MB of JSON and Markdown, 0.9 MB deflated): a third of
what the ZIP cost beyond its CSV.

A member copied this way is laid out as `ZipFile.open(name, "w")` lays it out on a stream that
cannot seek (the export's `HashingWriter`): its local header with the zip64 sizes and no CRC,
the deflated data, then a data descriptor; the central directory is zipfile's own. So the
archive is byte for byte what zipfile itself writes of the same three files
(tests/meditation/exports/test_format_pinned.py).
"""

from __future__ import annotations

import io
import struct
import time
import zipfile
import zlib
from collections.abc import Buffer, Callable, Iterator

from ..private_files import SealedSpool

# The fastest deflate: text compresses well at any level, and level 6 took longer than writing
# a second format (docs/decisions.md, "Exports").
LEVEL = 1
_RAW_DEFLATE = -15  # no zlib header or checksum: a ZIP member's data, as zipfile's compressor
_DATA_DESCRIPTOR = 0x08  # the flag: CRC and sizes follow the data
_DATA_DESCRIPTOR_ZIP64 = struct.Struct("<LLQQ")  # signature, CRC, compressed size, size
_DATA_DESCRIPTOR_SIGNATURE = 0x08074B50


class DeflatedMember(io.BufferedIOBase):
    """A member's bytes, deflated as they are written and kept sealed until `Archive.add`.

    Holds at most the compressor's window and one chunk of the spool, whatever the size.
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        self.member = name
        self.crc = self.size = self.compressed_size = 0
        self._deflate = zlib.compressobj(LEVEL, zlib.DEFLATED, _RAW_DEFLATE)
        self._spool = SealedSpool()
        self._finished = False

    def writable(self) -> bool:
        return True

    def write(self, data: Buffer, /) -> int:
        if self._finished:
            raise ValueError("write to a finished member")
        view = memoryview(data)
        self.crc = zlib.crc32(view, self.crc)
        self.size += view.nbytes
        self._keep(self._deflate.compress(view))
        return view.nbytes

    def chunks(self) -> Iterator[bytes]:
        """The deflated data, from the start (ends the member: nothing more can be written)."""
        if not self._finished:
            self._keep(self._deflate.flush())
            self._finished = True
        return self._spool.chunks()

    def close(self) -> None:
        super().close()
        self._spool.close()

    def _keep(self, block: bytes) -> None:
        if block:
            self.compressed_size += len(block)
            self._spool.write(block)


class Archive(zipfile.ZipFile):
    """A ZIP written with deflate at `LEVEL`, which also takes `DeflatedMember`s (`add`), on a
    stream that cannot seek (the export's `HashingWriter`)."""

    def __init__(self, out: io.BufferedIOBase) -> None:
        if out.seekable():
            raise ValueError("an Archive is written as zipfile writes on a stream that cannot seek")
        super().__init__(out, "w", zipfile.ZIP_DEFLATED, compresslevel=LEVEL)

    def add(self, member: DeflatedMember, alive: Callable[[], None]) -> None:
        """Copy `member`'s deflated bytes in as the next member; `alive()` after each chunk.

        What `open(name, "w", force_zip64=True)` and its `close()` do on such a stream, without
        deflating again: the local header (zip64, CRC and sizes to follow), the data, the data
        descriptor, then the member is listed for the central directory that `close()` writes.
        """
        out = self.fp
        if out is None:
            raise ValueError("the archive is closed")
        info = zipfile.ZipInfo(member.member, date_time=time.localtime(time.time())[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16  # ?rw-------, as zipfile gives a member it opens
        info.flag_bits = _DATA_DESCRIPTOR
        info.header_offset = out.tell()
        out.write(info.FileHeader(zip64=True))
        for block in member.chunks():
            out.write(block)
            alive()
        info.CRC, info.compress_size, info.file_size = (
            member.crc, member.compressed_size, member.size
        )  # fmt: skip
        out.write(_DATA_DESCRIPTOR_ZIP64.pack(
            _DATA_DESCRIPTOR_SIGNATURE, info.CRC, info.compress_size, info.file_size
        ))  # fmt: skip
        self.start_dir = out.tell()
        self.filelist.append(info)
        self.NameToInfo[info.filename] = info
