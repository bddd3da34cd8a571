"""The Analysis page: owner's dashboard, one panel per report, drill-down and export.

``page.create_analysis_page`` is the factory named in ``crmdesk.ui.pages``;
``screenshots.save_analysis_screenshots`` is called by ``make screenshots``.
"""

from crmdesk.ui.analysis.screenshots import save_analysis_screenshots

__all__ = ["save_analysis_screenshots"]
