"""crmdesk: a desktop CRM and analysis tool for a small distribution shop."""

from importlib.metadata import PackageNotFoundError, version as _version


def _source_version() -> str:
    """A source tree that was never installed: the version pyproject.toml gives."""
    import re
    from pathlib import Path

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    try:
        match = re.search(r'^version\s*=\s*"([^"]+)"', pyproject.read_text(encoding="utf-8"), re.MULTILINE)
    except OSError:
        match = None
    return f"{match.group(1)}+source" if match else "0.0.0+source"


try:
    __version__ = _version("crmdesk")  # an install, or the frozen app (the spec copies the metadata)
except PackageNotFoundError:
    __version__ = _source_version()
