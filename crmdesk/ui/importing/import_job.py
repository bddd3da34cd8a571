"""The wizard's import as a plain function (run off the GUI thread): each file in its own
transaction, one after the other, with one progress for them all."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from crmdesk.core.progress import Progress, ensure
from crmdesk.db import Database
from crmdesk.i18n import _
from crmdesk.importers import ImportResult, Profile, import_file, load_profile
from crmdesk.importers.sync import progress_link
from crmdesk.services.actor import Actor

# What an import may change: every page showing these refreshes itself.
# An import may also create customer types (Superstore's segments), salespeople and tags: the
# lists' filter choices and the form's boxes reload on these.
IMPORT_ENTITIES = ("customers", "products", "sales_lines", "receipts", "stock_snapshots", "import_batches",
                   "customer_types", "users", "tags")
MANUAL_PROFILE = "manual"


@dataclass
class FileOptions:
    """What the user chose for one file in the wizard ("" / 0 / None = detect)."""

    path: Path
    kind: str = ""
    encoding: str = ""
    sheet: str = ""
    header_row: int = 0
    profile: str = ""
    mapping: dict[str, str] | None = None  # the user's own column → field mapping
    paid_at_sale: bool | None = None  # sales: True = all paid on the spot; None = the profile, the rules
    branch: str | None = None  # the branch code the file comes from; None = the profile's

    def profile_object(self) -> Profile | str | None:
        """The named profile, with the user's mapping laid over it when there is one."""
        if self.mapping is None:
            return self.profile or None
        base = load_profile(self.profile) if self.profile else Profile(name=MANUAL_PROFILE)
        return replace(base, columns=dict(self.mapping), only_listed_columns=True,
                       kind=self.kind or base.kind).validate()

    def arguments(self) -> dict:
        return dict(kind=self.kind or None, profile=self.profile_object(), encoding=self.encoding or None,
                    sheet=self.sheet or None, header_row=self.header_row or None)


@dataclass
class ImportRun:
    """Results so far: the worker appends, the GUI reads them after the job ended (also when cancelled)."""

    results: list[ImportResult] = field(default_factory=list)
    current: Path | None = None


def import_files(db: Database, actor: Actor, files: list[FileOptions], dry_run: bool, strict: bool,
                 run: ImportRun, progress: Progress | None = None) -> ImportRun:
    progress = ensure(progress)
    n = max(1, len(files))
    for i, options in enumerate(files):
        run.current = options.path
        progress.update(i / n, _("importing {file}").format(file=options.path.name), force=True)
        sub = Progress(lambda f, m, i=i: progress.update((i + (f or 0)) / n, m))
        progress_link(progress, sub)
        run.results.append(import_file(db, actor, options.path, dry_run=dry_run, strict=strict, progress=sub,
                                       paid_at_sale=options.paid_at_sale, branch=options.branch,
                                       **options.arguments()))
    run.current = None
    progress.update(1.0, _("import finished"), force=True)
    return run
