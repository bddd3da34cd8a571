"""A wheel of crmdesk carries everything the app reads from its own folder: catalogs, import
profiles, icons, the shipped font and its licence, the self-test sample and the Alembic
migrations (a non-editable `pip install .` once lost the icons)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "crmdesk"


def _build_wheel(tmp: Path) -> Path:
    # Built from a copy: setuptools writes build/ and *.egg-info next to the sources it builds.
    src = tmp / "src"
    shutil.copytree(PACKAGE, src / "crmdesk", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    out = tmp / "wheels"
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                          "-w", str(out), str(src)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    wheels = list(out.glob("crmdesk-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def _expected() -> set[str]:
    """Every data file of the package as it is in the source tree (paths inside the wheel)."""
    patterns = ["locale/*/*.po", "importers/profiles/*.toml", "resources/*/*", "db/migrations/*.py",
                "db/migrations/script.py.mako", "db/migrations/versions/*.py"]
    files = {p for pattern in patterns for p in PACKAGE.glob(pattern) if p.is_file()}
    return {"crmdesk/" + p.relative_to(PACKAGE).as_posix() for p in files}


def test_the_wheel_has_the_package_data(tmp_path):
    wheel = _build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = _expected()
    must = {"crmdesk/resources/fonts/wqy-microhei-gb2312.ttf", "crmdesk/resources/fonts/LICENSE-Apache-2.0.txt",
            "crmdesk/resources/icons/crmdesk.svg", "crmdesk/resources/selftest/sales_gbk.csv",
            "crmdesk/locale/zh_CN/shipping.po", "crmdesk/db/migrations/env.py",
            "crmdesk/db/migrations/versions/0001_initial_schema.py", "crmdesk/importers/profiles/guanjiapo_sales.toml"}
    assert must <= expected, must - expected  # the list below is not vacuous
    assert sorted(expected - names) == []
    version = next(n for n in names if n.endswith(".dist-info/METADATA"))
    metadata = zipfile.ZipFile(wheel).read(version).decode()
    version_line = next(line for line in metadata.splitlines() if line.startswith("Version: "))
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'version = "{version_line.removeprefix("Version: ")}"' in pyproject
