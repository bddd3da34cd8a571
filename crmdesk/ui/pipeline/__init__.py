"""The Pipeline page: board, list, filters, header totals and the opportunity form."""
