"""installer/slim_icu.py: the Linux package's slim ICU data gives Qt the same answers as the wheel's
full data for zh_CN and en (sorting, case, converters, time-zone names), and the build keeps the
original library, with one line saying why, when it cannot make a slim one.

The slim library is tried on the source venv's Qt by preloading it (LD_PRELOAD): the dynamic
linker then uses it for libicudata.so.NN by its SONAME."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Qt links a bundled ICU only on Linux")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "installer"))
import slim_icu  # noqa: E402

import PySide6  # noqa: E402

QT_LIB = Path(PySide6.__file__).parent / "Qt" / "lib"
TOOLS_HERE = all(slim_icu.find_tool(name) for name in ("icupkg", "gcc"))


def _copy_qt_lib(folder: Path) -> Path:
    """A package-like folder holding the wheel's ICU data library and Qt Core."""
    lib = folder / "_internal" / "PySide6" / "Qt" / "lib"
    lib.mkdir(parents=True)
    for name in ("libQt6Core.so.6", *(p.name for p in QT_LIB.glob("libicudata.so.*"))):
        shutil.copy2(QT_LIB / name, lib / name)
    return next(lib.glob("libicudata.so.*"))


def _run(code_or_script: list[str], preload: Path | None) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    if preload:
        env["LD_PRELOAD"] = str(preload)
    return subprocess.run([sys.executable, *code_or_script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="module")
def slim(tmp_path_factory) -> tuple[Path, Path | None, list[str]]:
    folder = tmp_path_factory.mktemp("package")
    library = _copy_qt_lib(folder)
    said: list[str] = []
    return library, slim_icu.slim_icu_data(folder, say=said.append), said


def test_qt_core_calls_only_the_icu_families_the_keep_list_was_made_for():
    version = next(QT_LIB.glob("libicudata.so.*")).name.rsplit(".", 1)[1]
    calls = slim_icu.icu_calls((QT_LIB / "libQt6Core.so.6").read_bytes(), version)
    assert {"ucol_open", "ucnv_open", "ucal_open", "u_strToUpper"} <= set(calls)
    assert slim_icu.uncovered(calls) == []
    assert slim_icu.uncovered([*calls, "ubrk_open"]) == ["ubrk_open"]  # a newer Qt's break iterator: refused


@pytest.mark.parametrize("item, kept", [
    ("coll/zh.res", True), ("coll/ucadata.icu", True), ("coll/root.res", True), ("coll/en_US.res", True),
    ("gb18030.cnv", True), ("windows-936-2000.cnv", True), ("cnvalias.icu", True), ("zoneinfo64.res", True),
    ("zone/zh_Hans.res", True), ("zone/pool.res", True), ("zh_Hans_CN.res", True), ("supplementalData.res", True),
    ("coll/ja.res", False), ("coll/ko.res", False), ("de.res", False), ("zone/fr.res", False),
    ("brkitr/cjdict.dict", False), ("translit/root.res", False), ("unames.icu", False), ("curr/zh.res", False),
    ("ibm-943_P15A-2003.cnv", False), ("euc-tw-2014.cnv", False), ("lang/zh.res", False),
])
def test_the_keep_list(item, kept):
    assert slim_icu.kept(item) is kept


def test_without_the_tools_the_original_library_stays_and_one_line_says_so(tmp_path):
    library = _copy_qt_lib(tmp_path)
    before = library.read_bytes()
    said: list[str] = []
    result = slim_icu.slim_icu_data(tmp_path, which=lambda name: None if name == "icupkg" else "/usr/bin/gcc",
                                    say=said.append)
    assert result is None and library.read_bytes() == before
    assert len(said) == 1 and "icupkg not found" in said[0] and "kept whole" in said[0]


def test_a_folder_without_qt_icu_is_left_alone(tmp_path):
    said: list[str] = []
    assert slim_icu.slim_icu_data(tmp_path, say=said.append) is None and said == []


def test_the_slim_library_exports_the_data_with_the_same_soname(slim):
    library, result, said = slim
    if not TOOLS_HERE:  # a machine without icu-devtools or gcc: the build must keep the original
        assert result is None and "not found" in said[0]
        return
    assert result == library and len(said) == 1 and "MiB" in said[0]
    blob = library.read_bytes()
    version = library.name.rsplit(".", 1)[1]
    assert slim_icu.soname(blob) == library.name
    data = slim_icu.symbol_bytes(blob, f"icudt{version}_dat")
    assert data[2:4] == b"\xda\x27" and b"CmnD" in data[:32]  # an ICU common data package
    assert len(blob) < (QT_LIB / library.name).stat().st_size / 5


def test_qt_gives_the_same_zh_and_en_answers_with_the_slim_data(slim):
    library, result, _ = slim
    if result is None:
        assert not TOOLS_HERE  # only a machine without the tools may come without a slim library
        return
    full = _run(["tests/slim_icu_probe.py"], preload=None)
    slimmed = _run(["tests/slim_icu_probe.py"], preload=library)
    assert full.returncode == 0 and slimmed.returncode == 0, full.stderr + slimmed.stderr
    full_answers, slim_answers = json.loads(full.stdout), json.loads(slimmed.stdout)
    assert slim_answers == full_answers
    han = [n for n in full_answers["sort zh_CN"] if "\u4e00" <= n[0] <= "\u9fff"]
    assert han[:3] == ["陈静", "重庆", "佛山南海办公批发部"]  # pinyin chen, chong, fo (ICU reads 长 as zhang)
    assert "GMT" not in full_answers["zone Asia/Shanghai"][2]  # a real name, not an offset


def test_the_self_test_step_passes_with_the_slim_data_and_fails_without_the_zh_collation(slim, tmp_path):
    library, result, _ = slim
    step = ["-c", "from crmdesk.ui.selftest_icu import check_text_services as c; print(c())"]
    if result is None:
        assert not TOOLS_HERE
        return
    passed = _run(step, preload=library)
    assert passed.returncode == 0, passed.stderr
    assert "pinyin order 安 北京 陈" in passed.stdout and "GB18030/GBK/Big5" in passed.stdout
    broken_folder = tmp_path / "broken"
    broken = _copy_qt_lib(broken_folder)
    pattern = slim_icu._KEEP
    try:  # the same build without the zh collation and zone names: ICU falls back to root silently
        slim_icu._KEEP = re.compile(pattern.pattern.replace(r"zh|zh_\w+", "zz"))
        assert slim_icu.slim_icu_data(broken_folder, say=lambda line: None) == broken
    finally:
        slim_icu._KEEP = pattern
    failed = _run(step, preload=broken)
    assert failed.returncode != 0 and "pinyin" in failed.stderr
