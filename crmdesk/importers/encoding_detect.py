"""Which encoding a text export is in: UTF-8 when it decodes, else the Chinese encodings the
shop's programs write (GB18030 covers GBK and GB2312), judged by how much of a sample decodes to
Chinese text; charset-normalizer only for what is neither. Split out of ``reading`` so that
reading files and guessing their encoding each stand alone."""

from __future__ import annotations

import codecs
import re

import numpy as np


_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_WIDE = re.compile(r"[^\x00-\x7f]")


def detect_encoding(data: bytes) -> str:
    """utf-8-sig / utf-16 by BOM; utf-8 when valid; gb18030 when it decodes to Chinese; else cp1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = data[: 1 << 20]
    if sample.count(b"\x00") > len(sample) // 4:
        zeros_odd = sample[1::2].count(b"\x00")
        return "utf-16-le" if zeros_odd > sample[0::2].count(b"\x00") else "utf-16-be"
    if _decodes(sample, "utf-8", partial=len(data) > len(sample)):
        return "utf-8"
    if _decodes(sample, "gb18030", partial=len(data) > len(sample)) and _chinese(sample):
        return "gb18030"
    # Neither decodes every line: the share of lines that do decides, so that a GBK file with a
    # few UTF-8 lines (or one bad byte) is read as GBK with those lines rejected, not as cp1252.
    shares = {enc: _share_decoding(sample, enc, partial=len(data) > len(sample)) for enc in ("utf-8", "gb18030")}
    best = max(shares, key=lambda enc: shares[enc])  # utf-8 on a tie: it is the stricter one
    if shares[best] >= 0.8 and (best == "utf-8" or (_paired_high_bytes(sample) and _chinese(sample))):
        return best
    if _decodes(sample, "cp1252", partial=False):
        return "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    return best.encoding if best is not None else "latin-1"


def _chinese(sample: bytes) -> bool:
    text = sample[: 1 << 18].decode("gb18030", errors="ignore")
    wide = len(_WIDE.findall(text))
    return bool(wide) and len(_CJK.findall(text)) >= 0.9 * wide


def _share_decoding(sample: bytes, encoding: str, partial: bool) -> float:
    """The share of the lines holding non-ASCII bytes that decode in ``encoding``."""
    lines = sample.split(b"\n")
    if partial and len(lines) > 1:
        lines = lines[:-1]  # cut by the sample's end
    wide = [line for line in lines if not line.isascii()]
    if not wide:
        return 1.0
    good = 0
    for line in wide:
        try:
            line.decode(encoding)
            good += 1
        except UnicodeDecodeError:
            pass
    return good / len(wide)


def _paired_high_bytes(sample: bytes) -> bool:
    """Most bytes ≥ 0x80 come in runs (GBK's two-byte characters), not alone between ASCII letters
    (cp1252's é in a word): a Western file must not pass for Chinese because its lines decode."""
    high = np.frombuffer(sample[: 1 << 18], dtype=np.uint8) >= 0x80
    if not high.any():
        return False
    paired = high[1:] & high[:-1]
    runs = np.zeros(len(high), dtype=bool)
    runs[1:] |= paired
    runs[:-1] |= paired
    return runs[high].mean() >= 0.6


def _decodes(sample: bytes, encoding: str, partial: bool) -> bool:
    try:
        if partial:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        else:
            sample.decode(encoding)
        return True
    except UnicodeDecodeError:
        return False


