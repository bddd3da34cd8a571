"""The Expenses page: every expense in a period, shared ones (rent, wages …) typed here."""
