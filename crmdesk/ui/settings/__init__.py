"""The Settings page and its sections.

A feature adds its own section with one line in ``SETTINGS_SECTIONS``:
``SettingsSection(key, N_("Title"), "module:function")``. The factory is
called with the AppContext and returns a QWidget; it is imported only when
the Settings page is first shown. A section widget may define ``activate()``
(called each time the Settings page is shown). Sections keep their values in
``crmdesk.userconfig`` (``userconfig.section(key)`` / ``update_section``).

``action`` (a ``permissions.ACTIONS`` key) shows the section only to roles that may do it —
the services refuse anyway; this keeps other roles from seeing screens they cannot use.
``wide`` sections (tables) get the page's full width instead of the form column.
"""

from __future__ import annotations

from typing import NamedTuple

from crmdesk.i18n import N_


class SettingsSection(NamedTuple):
    key: str
    title: str  # English; translated when shown
    factory: str  # "module:function" taking the AppContext, returning a QWidget
    action: str | None = None
    wide: bool = False


SETTINGS_SECTIONS: list[SettingsSection] = [
    SettingsSection("language", N_("Language"), "crmdesk.ui.settings.language_section:create"),
    SettingsSection("database", N_("Database"), "crmdesk.ui.settings.database_section:create"),
    SettingsSection("backups", N_("Backups"), "crmdesk.ui.settings.backups_section:create", "database.backup", True),
    SettingsSection("shop", N_("Shop and statements"), "crmdesk.ui.settings.shop_section:create", "settings.edit"),
    SettingsSection("sync", N_("Sync"), "crmdesk.ui.importing.sync_settings_section:create"),
    SettingsSection("users", N_("Users"), "crmdesk.ui.settings.users_section:create", "users.manage", True),
    SettingsSection("territories", N_("Territories"), "crmdesk.ui.settings.territories_section:create",
                    "territories.manage", True),
    SettingsSection("pipeline", N_("Pipeline"), "crmdesk.ui.settings.pipeline_section:create", "settings.edit",
                    True),
    SettingsSection("settlement", N_("Settlement"), "crmdesk.ui.settings.settlement_section:create",
                    "settings.edit", True),
    SettingsSection("audit", N_("Audit log"), "crmdesk.ui.settings.audit_section:create", "audit.view", True),
    SettingsSection("service", N_("Service cases"), "crmdesk.ui.settings.service_section:create", "settings.edit", True),
    SettingsSection("customer_codes", N_("Customer codes"), "crmdesk.ui.settings.codes_section:create",
                    "settings.edit", True),
    SettingsSection("expense_items", N_("Expense items"), "crmdesk.ui.settings.expense_items_section:create",
                    "settings.edit", True),
    SettingsSection("branches", N_("Branches"), "crmdesk.ui.settings.branches_section:create", "settings.edit", True),
]
