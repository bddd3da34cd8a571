"""The PyInstaller spec, the Inno Setup script and the Windows workflow, checked by reading
(the Windows build cannot run here; `make dist-test` builds and self-tests the Linux folder).
The spec runs with PyInstaller's build steps replaced by recorders."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "installer" / "crmdesk.spec"


class _Recorder:
    calls: dict[str, dict] = {}

    def __init__(self, *args, **kwargs):
        type(self).calls[type(self).__name__] = {"args": args, **kwargs}
        self.binaries, self.datas, self.pure, self.scripts = [], list(kwargs.get("datas", [])), [], []


@pytest.fixture(scope="module")
def spec(tmp_path_factory) -> dict:
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_data_files = lambda package, **kw: [("x/crmdesk/resources/fonts/f.ttf", "crmdesk/resources/fonts")]
    hooks.collect_submodules = lambda package, **kw: [f"{package}.reports.margin"]
    hooks.copy_metadata = lambda name: [("x/crmdesk-0.1.0.dist-info", "crmdesk-0.1.0.dist-info")]
    saved = {k: sys.modules.get(k) for k in ("PyInstaller", "PyInstaller.utils", "PyInstaller.utils.hooks")}
    sys.modules.update({"PyInstaller": types.ModuleType("PyInstaller"),
                        "PyInstaller.utils": types.ModuleType("PyInstaller.utils"), "PyInstaller.utils.hooks": hooks})
    recorders = {name: type(name, (_Recorder,), {}) for name in ("Analysis", "PYZ", "EXE", "COLLECT")}
    namespace = {"SPECPATH": str(SPEC.parent), "workpath": str(tmp_path_factory.mktemp("work")),
                 "DISTPATH": str(tmp_path_factory.mktemp("dist")), **recorders}
    try:
        exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    finally:
        for key, module in saved.items():
            if module is None:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = module
    namespace["_calls"] = {name: rec.calls[name] for name, rec in recorders.items()}
    return namespace


def test_one_folder_windowed_named_crmdesk_with_the_version_of_pyproject(spec):
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert spec["VERSION"] == version
    exe, collect = spec["_calls"]["EXE"], spec["_calls"]["COLLECT"]
    assert exe["name"] == "crmdesk" and exe["console"] is False and exe["exclude_binaries"] is True  # one folder
    assert collect["name"] == "crmdesk"
    analysis = spec["_calls"]["Analysis"]
    assert analysis["args"][0] == [str(ROOT / "installer" / "launch.py")]
    assert "crmdesk.reports.margin" in analysis["hiddenimports"]  # reports are found by walking the package
    assert any("dist-info" in d[1] for d in analysis["datas"])  # the frozen app knows its version


@pytest.mark.parametrize("path", [
    "PySide6/Qt/translations/qtbase_zh_CN.qm", "babel/locale-data/zh_Hans_CN.dat", "babel/locale-data/root.dat",
    "babel/locale-data/en.dat", "babel/locale-data/zh.dat", "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so", r"PySide6\plugins\platforms\qwindows.dll",
    "PySide6/Qt/plugins/imageformats/libqsvg.so", "PySide6/Qt/plugins/imageformats/libqjpeg.so",
    "matplotlib/mpl-data/fonts/ttf/DejaVuSans.ttf", "matplotlib/mpl-data/fonts/pdfcorefonts/Helvetica.afm",
    "crmdesk/resources/fonts/wqy-microhei-gb2312.ttf", "libfreetype.so.6", "libcairo-test.txt", "libglib-2.0.so.0",
    "pillow.libs/libjpeg-6dc8d115.so.62.4.0", "pillow.libs/libxcb-9065bb12.so.1.1.0", "libXau.so.6", "libdbus-1.so.3",
    "matplotlib/mpl-data/fonts/ttf/STIXGeneral.ttf", "matplotlib/mpl-data/fonts/ttf/DejaVuSansMono.ttf",
    "matplotlib/mpl-data/fonts/ttf/LastResortHE-Regular.ttf", "PySide6/Qt/lib/libicudata.so.73",
])
def test_what_the_app_loads_is_kept(spec, path):
    assert spec["keep"]((path, "x"))


@pytest.mark.parametrize("path", [
    "babel/locale-data/de.dat", "babel/locale-data/zh_Hant_TW.dat", "PySide6/Qt/translations/qtbase_de.qm",
    "pyarrow/libarrow_flight.so.2600", r"pyarrow\arrow_flight.dll", "pyarrow/include/arrow/api.h",
    "pyarrow/libarrow_s3.so.2600", "pyarrow/_compute.pyx", "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
    "libgtk-3.so.0", "libpango-1.0.so.0", "libcairo.so.2", r"PySide6\opengl32sw.dll",
    "PySide6/Qt/plugins/platforms/libqwayland.so", "matplotlib/mpl-data/sample_data/goog.npz",
    "pyarrow/libarrow_python_parquet_encryption.so.2600",
    "matplotlib/mpl-data/fonts/ttf/DejaVuSerif.ttf", "matplotlib/mpl-data/fonts/ttf/cmr10.ttf",
    "libharfbuzz.so.0", "libgio-2.0.so.0", "libjpeg.so.62", "libmount.so.1",
    "pyarrow/libarrow.so.2600", "pyarrow/libarrow_python.so.2600",
    r"pyarrow\arrow_python.dll", "pyarrow/lib.cpython-311-x86_64-linux-gnu.so", "pyarrow.libs/libarrow-1a2b.so",
])
def test_what_the_app_never_loads_is_dropped(spec, path):
    assert not spec["keep"]((path, "x"))


def test_every_font_file_a_chart_opens_is_kept(spec, monkeypatch):
    # Chinese, bold, italic and mathtext ("$…$" in a label: roots, sums, \mathtt, sized delimiters).
    from io import BytesIO

    from matplotlib import font_manager
    from matplotlib.figure import Figure

    from crmdesk.charts.fonts import configure_matplotlib

    opened, real = set(), font_manager.ft2font.FT2Font
    monkeypatch.setattr(font_manager.ft2font, "FT2Font", lambda path, *a, **k: opened.add(str(path)) or real(path, *a, **k))
    font_manager._get_font.cache_clear()
    configure_matplotlib()
    fig = Figure()
    ax = fig.add_subplot()
    ax.barh(["广州华通文具店", "Total €"], [1, 2])
    ax.set_title("客户 Title", fontweight="bold")
    ax.set_xlabel("amount", style="italic")
    ax.text(0.1, 0.5, r"$x^2 \sqrt{\frac{a}{b}} \sum_i \int \left(\frac{1}{2}\right) \mathtt{t} \mathbf{b} \alpha$")
    ax.text(0.1, 0.2, "paid $100 and $200")  # two dollar signs in a customer's text make mathtext too
    for fmt in ("png", "pdf"):
        fig.savefig(BytesIO(), format=fmt)
    font_manager._get_font.cache_clear()
    bundled = [path.split("site-packages/")[-1] for path in opened if "mpl-data" in path]
    assert any("STIX" in path for path in bundled) and any("DejaVuSans.ttf" in path for path in bundled)
    assert [path for path in bundled if not spec["keep"]((path, "x"))] == []


def test_pillow_imports_and_writes_png_without_the_plugins_left_out(spec):
    left_out = [m for m in spec["EXCLUDES"] if m.startswith("PIL.")]
    assert "PIL._webp" in left_out and "PIL._imagingft" in left_out
    code = (f"import sys; sys.modules.update(dict.fromkeys({left_out!r}))\n"  # None: an import of it fails
            "import io, matplotlib; matplotlib.use('Agg')\n"
            "from PIL import Image; from matplotlib.figure import Figure\n"
            "Image.init(); fig = Figure(); fig.add_subplot().plot([1, 2]); buf = io.BytesIO()\n"
            "fig.savefig(buf, format='png'); buf.seek(0); im = Image.open(buf); im.load(); print(im.format, im.size)")
    import subprocess

    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.startswith("PNG"), run.stderr


def test_the_icu_data_is_slimmed_on_linux_only_after_the_folder_is_collected():
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.If)
             and any(isinstance(c, ast.Call) and getattr(c.func, "id", "") == "slim_icu_data" for c in ast.walk(node))]
    assert len(calls) == 1 and ast.unparse(calls[0].test) == "sys.platform == 'linux'"
    assert calls[0].lineno > next(n.lineno for n in ast.walk(tree) if isinstance(n, ast.Assign)
                                  and getattr(n.targets[0], "id", "") == "coll")  # after COLLECT


def _imported_modules() -> set[str]:
    names = set()
    for path in (ROOT / "crmdesk").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
    return names


def test_no_module_the_app_imports_is_excluded(spec):
    excluded = set(spec["EXCLUDES"])
    used = {name for name in _imported_modules()
            if any(name == e or name.startswith(e + ".") for e in excluded)}
    assert used == set()


def test_pyarrow_is_left_out(spec):
    # crmdesk reads CSV with pandas' C parser and keeps text as Python strings (importers/raw_csv.py);
    # pandas imports pyarrow only when it is there: a build machine that has it must not bundle it
    assert "pyarrow" in spec["EXCLUDES"]
    assert "pyarrow" not in _imported_modules() and not any(m.startswith("pyarrow.") for m in _imported_modules())


def test_scipy_is_left_out_and_cryptography_only_on_windows(spec):
    assert "scipy" in spec["EXCLUDES"]  # the lifetime models run on crmdesk/reports/special_functions.py
    assert ("cryptography" in spec["EXCLUDES"]) == (sys.platform == "win32")  # keyring's Linux backend needs it


@pytest.mark.skipif(sys.platform != "linux", reason="the strip step only runs on Linux (ELF files)")
def test_strip_leaves_the_libraries_auditwheel_vendored_alone(spec, tmp_path):
    import kiwisolver._cext as ext  # a wheel's extension module that carries its symbol table

    source = Path(ext.__file__)
    package, vendored = tmp_path / "kiwisolver", tmp_path / "numpy.libs"
    package.mkdir(), vendored.mkdir()
    (package / source.name).write_bytes(source.read_bytes())
    (vendored / "libopenblas.so.0").write_bytes(source.read_bytes())
    spec["strip_debug_symbols"](tmp_path)
    assert (package / source.name).stat().st_size < source.stat().st_size  # symbols gone
    assert (vendored / "libopenblas.so.0").read_bytes() == source.read_bytes()  # patchelf-edited: untouched


def test_the_installer_upgrades_in_place_and_keeps_the_data():
    iss = (ROOT / "installer" / "crmdesk.iss").read_text(encoding="utf-8")
    assert re.search(r"^AppId=\{\{[0-9A-F-]{36}\}$", iss, re.MULTILINE)  # fixed: how an upgrade finds it
    assert re.search(r'^Name: "\{group\}\\\{#AppName\}"; Filename: "\{app\}\\\{#AppExe\}"', iss, re.MULTILINE)
    assert re.search(r'^Name: "\{autodesktop\}\\', iss, re.MULTILINE)
    code = "\n".join(line for line in iss.splitlines() if not line.lstrip().startswith(";"))
    assert "[UninstallDelete]" not in code and "localappdata" not in code.lower()
    assert 'Source: "{#SourceDir}\\*"' in iss and '#define SourceDir "..\\dist\\crmdesk"' in iss
    assert (ROOT / "installer" / "crmdesk.ico").is_file()


def test_the_windows_workflow_builds_self_tests_and_uploads_the_installer():
    flow = (ROOT / ".github" / "workflows" / "windows-installer.yml").read_text(encoding="utf-8")
    assert "runs-on: windows-latest" in flow and "actions/setup-python" in flow
    assert "pyinstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller installer/crmdesk.spec" in flow
    assert "--self-test" in flow and "choco install innosetup" in flow
    assert "installer\\crmdesk.iss" in flow and "actions/upload-artifact" in flow
    assert "dist/crmdesk-setup-*.exe" in flow
