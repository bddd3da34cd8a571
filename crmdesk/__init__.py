"""crmdesk: a desktop CRM and analysis tool for a small distribution shop."""

from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("crmdesk")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
