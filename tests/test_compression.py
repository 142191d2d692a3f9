"""SharedPage: fixed text compressed once, per-visitor values joined in as stored blocks."""

import gzip

import pytest

from screening.compression import SharedPage

STAND_INS = ("\x00a\x00", "\x00b\x00")


@pytest.mark.parametrize("html, values", [
    ("<p>\x00a\x00</p>" * 3 + "<i>\x00b\x00</i>", {"\x00a\x00": b"token", "\x00b\x00": b"k"}),
    ("\x00a\x00 at the start and the end \x00b\x00", {"\x00a\x00": b"", "\x00b\x00": b"x"}),
    ("no stand-ins at all, " * 500, {}),
    ("long \x00a\x00 value", {"\x00a\x00": bytes(range(256)) * 300}),  # over one stored block
    ("Zoë 🌸 \x00b\x00 ♀", {"\x00b\x00": "é".encode()}),
])
def test_gzipped_and_plain_pages_hold_the_same_bytes(html, values):
    page = SharedPage(html, STAND_INS)
    expected = html.encode()
    for stand_in, value in values.items():
        expected = expected.replace(stand_in.encode(), value)
    assert page.plain(values) == expected
    assert gzip.decompress(page.gzipped(values)) == expected  # CRC and length checked too


def test_fixed_text_is_compressed_and_values_are_not():
    page = SharedPage("<li>the same line</li>\n" * 2000 + "\x00a\x00", STAND_INS)
    secret = b"0123456789abcdef0123456789abcdef"
    zipped = page.gzipped({"\x00a\x00": secret})
    assert len(zipped) < 1000
    assert secret in zipped  # sent as raw bytes: it cannot change the size of anything else
