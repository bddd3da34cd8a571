"""Analysis as pure functions: (session, actor, filters, options) → pandas DataFrame.

Qt-free; every report is in ``registry.REPORTS`` (CLI name → ``spec.ReportSpec``)
and reachable from ``crmdesk report NAME``.

For the GUI:

* ``registry.REPORTS[name].fn(session, actor, ReportFilters(...), options)`` runs a
  report; ``options`` is keyed by ``ReportOption.name`` (defaults in the spec).
  ``spec.money_columns`` are yuan with 2 decimals, ``spec.pct_columns`` 0–100.
  ``spec.chart(df, options)`` gives a matplotlib Figure (no pyplot).
* ``common.ReportError``: the options cannot work (show the message).
* ``dashboard.dashboard_data(session, actor, filters) -> Dashboard``: KPI tiles
  (``Kpi.value/previous/change_pct``) and chart series; memoised per filter.
* ``cli_options.resolve_territories / resolve_salespeople`` turn names into ids.
* ``output.export(df, spec, options, path)`` writes .csv/.xlsx/.png (and the
  spec's own exporters).

Speed: the reports and the dashboard read the sales lines from ``linecache``, a
columnar numpy copy per database that is persisted beside the user's cache and
reloaded when the data changes (checked once per session — use a fresh session
per unit of work, as everywhere in crmdesk).
"""
