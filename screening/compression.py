"""A page compressed once and sent to every visitor, gzipped, with their own values in it.

Only for a page that shows nothing a visitor typed (the empty questionnaire). Compressing
a page that shows a visitor's input beside a secret such as a CSRF token can leak the
secret to someone who watches the compressed sizes (BREACH), which is why nothing else is
compressed by the app. Here the per-visitor values (the CSRF token, the submission key)
are not compressed at all: each goes out as a deflate "stored" block, raw bytes that
cannot change the size of anything around them. The fixed text between them is
compressed once (each piece ends on a byte boundary with a sync flush, so the pieces and
the stored blocks join into one valid deflate stream); per request only the CRC-32 that
gzip ends with is worked out, over the plain bytes.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Mapping

#: gzip header: magic, deflate, no flags, no time, maximum compression, unknown OS.
_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
#: The last block of a deflate stream: final, fixed Huffman codes, empty.
_FINAL_BLOCK = b"\x03\x00"
_STORED_MAX = 0xFFFF


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15, 9)  # raw deflate, no zlib wrapper
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


def _stored(data: bytes) -> bytes:
    """`data` as uncompressed, non-final deflate blocks (the stream is byte-aligned here)."""
    blocks = []
    for start in range(0, len(data), _STORED_MAX):
        chunk = data[start:start + _STORED_MAX]
        blocks.append(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(blocks)


class SharedPage:
    """HTML with stand-in strings where each visitor's values go."""

    def __init__(self, html: str, stand_ins: tuple[str, ...]):
        split = re.compile("(" + "|".join(map(re.escape, stand_ins)) + ")")
        self._pieces: list[str | bytes] = [
            piece if piece in stand_ins else piece.encode() for piece in split.split(html)]
        self._deflated: list[str | bytes] = [
            piece if isinstance(piece, str) else _deflate(piece) for piece in self._pieces]

    def plain(self, values: Mapping[str, bytes]) -> bytes:
        return b"".join(values[piece] if isinstance(piece, str) else piece
                        for piece in self._pieces)

    def gzipped(self, values: Mapping[str, bytes]) -> bytes:
        crc, size = 0, 0
        for piece in self._pieces:
            data = values[piece] if isinstance(piece, str) else piece
            crc = zlib.crc32(data, crc)
            size += len(data)
        body = b"".join(_stored(values[piece]) if isinstance(piece, str) else piece
                        for piece in self._deflated)
        return b"".join((_HEADER, body, _FINAL_BLOCK,
                         struct.pack("<II", crc, size & 0xFFFFFFFF)))
