"""Dialogs of the Customers page and form."""
