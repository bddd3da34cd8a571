"""The demo shop: ``generate`` fills an empty database with a deterministic,
realistic office-supplies shop (``crmdesk demo``)."""

from crmdesk.demo.generate import DemoError, DemoSizeError, DemoSummary, generate

__all__ = ["DemoError", "DemoSizeError", "DemoSummary", "generate"]
