"""The Settings page and its sections.

A feature adds its own section with one line in ``SETTINGS_SECTIONS``:
``SettingsSection(key, N_("Title"), "module:function")``. The factory is
called with the AppContext and returns a QWidget; it is imported only when
the Settings page is first shown. A section widget may define ``activate()``
(called each time the Settings page is shown). Sections keep their values in
``crmdesk.userconfig`` (``userconfig.section(key)`` / ``update_section``).
"""

from __future__ import annotations

from typing import NamedTuple

from crmdesk.i18n import N_


class SettingsSection(NamedTuple):
    key: str
    title: str  # English; translated when shown
    factory: str  # "module:function" taking the AppContext, returning a QWidget


SETTINGS_SECTIONS: list[SettingsSection] = [
    SettingsSection("language", N_("Language"), "crmdesk.ui.settings.language_section:create"),
    SettingsSection("database", N_("Database"), "crmdesk.ui.settings.database_section:create"),
    SettingsSection("sync", N_("Sync"), "crmdesk.ui.importing.sync_settings_section:create"),
]
