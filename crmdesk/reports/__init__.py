"""Analysis as pure functions: (session, filters, options) → pandas DataFrame.

Qt-free; every report is in ``registry.REPORTS`` and reachable from
``crmdesk report NAME``.
"""
