"""The Import page: the import wizard (files → preview and mapping → import → result),
the import history with its rejected rows, and the periodic inbox sync (a QTimer that runs
``crmdesk.importers.run_sync`` off the GUI thread) with its Settings section.

The work itself is the Qt-free ``crmdesk.importers``; this package only shows it.
"""
