"""Linux build step: a slim ICU data library for the packaged app (called from crmdesk.spec).

The PySide6 Linux wheel's Qt links ICU and ships all of ICU's data in ``libicudata.so.NN`` (31 MiB:
every locale, collation, converter, transliterator, break dictionary and unit name). Qt Core is the
only library in the folder that calls ICU, and it calls 31 functions in four families (see
``QT_ICU_FAMILIES``); everything else in the data is for ICU APIs nobody here calls. This step takes
the data package out of the library (the symbol ``icudtNN_dat``), keeps the items in ``KEEP`` with
``icupkg`` (which refuses a package whose kept items miss one they depend on), and builds a
shared library with the same SONAME that exports the same symbol (``gcc``, an ``.incbin``).

When a tool is missing, the library is not ELF64, or Qt Core calls an ICU family the list was not
made for (a newer PySide6), the original file stays and one line says why.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

# What Qt Core asks ICU for (its undefined dynamic symbols, version suffix removed), and why:
QT_ICU_FAMILIES = {
    "ucol_": "QCollator (sorting names: pinyin order for zh_CN)",
    "ucnv_": "QStringConverter / QStringEncoder / QStringDecoder for encodings Qt has no codec of its own for",
    "UCNV_": "the converters' substitution callbacks",
    "ucal_": "QTimeZone display names and canonical ids",
    "u_strToUpper": "QLocale::toUpper (case data is compiled into libicuuc)",
    "u_strToLower": "QLocale::toLower",
}

# Items of the data package that are kept (names as `icupkg -l` prints them). The rest is for ICU
# APIs Qt does not call: break iterators and their dictionaries (Qt has its own text boundaries),
# transliteration, number/currency/unit/language/region names, RBNF, IDNA/stringprep, NFKC,
# character names, emoji and layout properties, confusables, other locales and converters.
# Character properties, case mapping, bidi and NFC/NFD normalisation are compiled into libicuuc.
LOCALES = r"(root|en|en_\w+|zh|zh_\w+)"
KEEP = {
    # ucnv_open resolves names through the alias table; GBK = windows-936-2000 (built on ibm-1386),
    # "windows-936" = ibm-1386, GB2312/EUC-CN = ibm-1383 (also what HZ and ISO-2022-CN use),
    # Big5 = windows-950-2000 (built on ibm-1373), Big5-HKSCS = ibm-1375, windows-1252 = ibm-5348, ISO-8859-15 = ibm-923.
    # UTF-8/16/32, US-ASCII, ISO-8859-1, HZ, ISO-2022 and SCSU are algorithmic (no table).
    "converters": r"cnvalias\.icu|(gb18030|windows-936-2000|ibm-1386_P100-2001|ibm-1383_P110-1999|windows-950-2000"
                  r"|ibm-1373_P100-2002|ibm-1375_P100-2008|ibm-5348_P100-1997|ibm-923_P100-1998)\.cnv",
    # ucol_open: the root collation (DUCET) plus the zh (pinyin, stroke, zhuyin…) and en tailorings.
    "collation": rf"coll/({LOCALES}\.res|ucadata\.icu|res_index\.res)",
    # ucal_*: the zone rules and id tables, metazones, Windows ids, zone names in en and zh, and the
    # GMT-offset format, whose digits come from the locale's numbering system.
    "time zones": rf"(zoneinfo64|timezoneTypes|metaZones|windowsZones|numberingSystems)\.res"
                  rf"|zone/({LOCALES}|pool|res_index)\.res",
    # ucal_open: calendar and week data of the locale and its fallbacks (root, en*, zh*), the shared
    # key pool of those bundles, locale keyword/alias tables and the data version.
    "locales and calendars": rf"({LOCALES}|pool|res_index|supplementalData|likelySubtags|keyTypeData"
                             r"|icuver|icustd)\.res",
}
_KEEP = re.compile("|".join(f"(?:{p})" for p in KEEP.values()))


def kept(item: str) -> bool:
    return _KEEP.fullmatch(item) is not None


# --- ELF64 (little-endian) reading: the dynamic symbols and the SONAME ----------------------------
def _sections(blob: bytes) -> list[tuple[int, int, int, int, int, int]]:
    """(type, addr, offset, size, link, entsize) of each section."""
    shoff, = struct.unpack_from("<Q", blob, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", blob, 0x3A)
    out = []
    for i in range(shnum):
        _, kind, _, addr, offset, size, link, _, _, entsize = struct.unpack_from("<IIQQQQIIQQ", blob, shoff + i * shentsize)
        out.append((kind, addr, offset, size, link, entsize))
    return out


def _cstr(blob: bytes, at: int) -> str:
    return blob[at:blob.index(b"\0", at)].decode("ascii", "replace")


def dynamic_symbols(blob: bytes) -> dict[str, tuple[int, int, int]]:
    """name -> (value, size, section index; 0 = undefined, imported)."""
    sections = _sections(blob)
    symbols = {}
    for kind, _, offset, size, link, entsize in sections:
        if kind != 11:  # SHT_DYNSYM
            continue
        strtab = sections[link][2]
        for at in range(offset, offset + size, entsize or 24):
            name, _, _, shndx, value, sym_size = struct.unpack_from("<IBBHQQ", blob, at)
            if name:
                symbols[_cstr(blob, strtab + name)] = (value, sym_size, shndx)
    return symbols


def soname(blob: bytes) -> str | None:
    sections = _sections(blob)
    for kind, _, offset, size, link, _ in sections:
        if kind == 6:  # SHT_DYNAMIC
            for at in range(offset, offset + size, 16):
                tag, value = struct.unpack_from("<qQ", blob, at)
                if tag == 14:  # DT_SONAME
                    return _cstr(blob, sections[link][2] + value)
    return None


def symbol_bytes(blob: bytes, name: str) -> bytes:
    value, size, shndx = dynamic_symbols(blob)[name]
    _, addr, offset, _, _, _ = _sections(blob)[shndx]
    return blob[offset + value - addr:offset + value - addr + size]


def is_elf64_le(blob: bytes) -> bool:
    return blob[:4] == b"\x7fELF" and blob[4] == 2 and blob[5] == 1


# --- the step ------------------------------------------------------------------------------------
def icu_calls(qt_core: bytes, version: str) -> list[str]:
    """The ICU functions Qt Core imports, without their version suffix."""
    return sorted(name[:-len(version) - 1] for name, (_, _, shndx) in dynamic_symbols(qt_core).items()
                  if shndx == 0 and name.endswith("_" + version))


def uncovered(calls: list[str]) -> list[str]:
    """Those of ``calls`` no family of QT_ICU_FAMILIES covers: the keep list was not made for them."""
    return [c for c in calls if not c.startswith(tuple(QT_ICU_FAMILIES))]


def _build(original: bytes, symbol: str, lib_name: str, tools: dict[str, str], work: Path) -> bytes:
    package = symbol.removesuffix("_dat") + "l"  # ICU finds items as "<package>/<tree>/<item>"
    (work / "in").mkdir(), (work / "out").mkdir()
    (work / "in" / f"{package}.dat").write_bytes(symbol_bytes(original, symbol))
    listing = subprocess.run([tools["icupkg"], "-l", str(work / "in" / f"{package}.dat")],
                             check=True, capture_output=True, text=True).stdout.split()
    (work / "remove.txt").write_text("\n".join(i for i in listing if not kept(i)) + "\n", encoding="ascii")
    subprocess.run([tools["icupkg"], "-r", str(work / "remove.txt"), str(work / "in" / f"{package}.dat"),
                    str(work / "out" / f"{package}.dat")], check=True, capture_output=True, text=True)
    data = work / "out" / f"{package}.dat"
    (work / "data.S").write_text(
        f'\t.section .rodata\n\t.balign 16\n\t.globl {symbol}\n\t.type {symbol}, @object\n{symbol}:\n'
        f'\t.incbin "{data}"\n\t.size {symbol}, . - {symbol}\n\t.section .note.GNU-stack,"",@progbits\n',
        encoding="ascii")
    subprocess.run([tools["gcc"], "-shared", "-nostdlib", f"-Wl,-soname,{lib_name}", "-Wl,-z,noexecstack",
                    "-o", str(work / lib_name), str(work / "data.S")], check=True, capture_output=True, text=True)
    built = (work / lib_name).read_bytes()
    if symbol_bytes(built, symbol) != data.read_bytes() or soname(built) != lib_name:
        raise RuntimeError(f"the built {lib_name} does not export {symbol} with its SONAME")
    return built


def find_tool(name: str) -> str | None:
    """On PATH, or in /usr/sbin where Debian's icu-devtools puts icupkg (not on a user's PATH)."""
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")


def slim_icu_data(folder: Path, which: Callable[[str], str | None] = find_tool, say=print) -> Path | None:
    """Replace ``folder``'s Qt ``libicudata.so.NN`` by a slim one; returns it, or None if left as it was."""
    found = [p for p in Path(folder).rglob("libicudata.so.*") if p.is_file() and not p.is_symlink()]
    if not found:
        return None  # Windows and macOS builds carry no ICU of Qt's
    library = found[0]
    version = library.name.rsplit(".", 1)[1]
    symbol = f"icudt{version}_dat"
    tools = {name: which(name) for name in ("icupkg", "gcc")}
    original = library.read_bytes()
    qt_core = library.with_name("libQt6Core.so.6")
    if not all(tools.values()):
        missing = " and ".join(n for n, t in tools.items() if not t)
        say(f"slim_icu: {missing} not found (Debian: apt-get install icu-devtools gcc); "
            f"{library.name} kept whole ({len(original) / 2**20:.1f} MiB)")
        return None
    if not is_elf64_le(original) or symbol not in dynamic_symbols(original):
        say(f"slim_icu: {library.name} is not an ELF64 library exporting {symbol}; kept whole")
        return None
    unknown = uncovered(icu_calls(qt_core.read_bytes(), version)) if qt_core.is_file() else ["(no libQt6Core)"]
    if unknown:
        say(f"slim_icu: Qt Core calls ICU functions the keep list was not made for ({', '.join(unknown)}); "
            f"{library.name} kept whole")
        return None
    with tempfile.TemporaryDirectory(prefix="slim-icu-") as tmp:
        try:
            built = _build(original, symbol, library.name, tools, Path(tmp))
        except (subprocess.CalledProcessError, RuntimeError, KeyError, ValueError, struct.error) as exc:
            detail = getattr(exc, "stderr", None) or str(exc)
            say(f"slim_icu: {detail.strip().splitlines()[-1] if detail.strip() else exc!r}; {library.name} kept whole")
            return None
    library.write_bytes(built)
    say(f"slim_icu: {library.name} {len(original) / 2**20:.1f} → {len(built) / 2**20:.1f} MiB "
        f"(ICU data for Qt's collation, converters, time zones; root/en/zh locales)")
    return library
