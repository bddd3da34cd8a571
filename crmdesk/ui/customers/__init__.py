"""The Customers page: list, form, dialogs."""
