"""Errors raised by the customer services. Their messages are shown to people as they are."""

from __future__ import annotations


class CustomerError(ValueError):
    """A request the customer services refuse, with a message fit for the user."""


class ValidationError(CustomerError):
    """Input that does not pass validation. ``problems`` lists one message per field."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class ConcurrencyError(CustomerError):
    """The record was changed by someone else since the form loaded it."""


class DeleteRefused(CustomerError):
    """The record still has data that must be kept (orders, receipts): archive it instead."""


class NotFound(CustomerError, LookupError):
    """The record does not exist (any more)."""
