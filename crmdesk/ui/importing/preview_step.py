"""Wizard step 1: choose files, see how each would import (kind, encoding, delimiter, sheet,
header row, the column → field mapping), correct it, and save it as a profile."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QInputDialog, QLabel, QMessageBox,
                               QPushButton, QSpinBox, QStackedWidget, QVBoxLayout, QWidget)

from crmdesk.i18n import _
from crmdesk.importers import (KINDS, Preview, ProfileError, ReadError, list_profiles, preview, profile_from_preview,
                               save_profile)
from crmdesk.ui.background import run_in_background
from crmdesk.ui.importing.import_job import FileOptions
from crmdesk.ui.importing.labels import kind_label, missing_label
from crmdesk.ui.importing.mapping_table import MappingView
from crmdesk.ui.widgets import file_dialogs

log = logging.getLogger(__name__)

PREVIEW_ROWS = 20
SUFFIXES = (".csv", ".txt", ".xlsx", ".xls")
FILE_FILTER = " ".join(f"*{suffix}" for suffix in SUFFIXES)
ENCODINGS = ("utf-8", "gb18030", "gbk", "big5", "utf-16")
ERROR_STYLE = "color: #b00020; font-weight: bold;"


def preview_job(options: FileOptions, progress=None):
    """Worker: the preview of one file with the user's choices (raises ReadError/ProfileError)."""
    if progress is not None:
        progress.check()
    return preview(options.path, rows=PREVIEW_ROWS, **options.arguments())


def _describe_delimiter(delimiter: str) -> str:
    return {"\t": _("tab"), ",": _("comma"), ";": _("semicolon"), "|": "|"}.get(delimiter, delimiter or "—")


class PreviewStep(QWidget):
    preview_ready = Signal(object)  # the Preview, or None after an error

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.files: list[FileOptions] = []
        self.current: Preview | None = None
        self.pending = False
        self._seq = 0

        self.choose_button = QPushButton(_("Choose files…"))
        self.choose_button.clicked.connect(self.choose_files)
        self.file_combo = QComboBox()
        self.file_combo.setMinimumWidth(260)
        self.file_combo.currentIndexChanged.connect(lambda _i: self.refresh_preview())
        self.profile_combo = QComboBox()
        self.save_profile_button = QPushButton(_("Save as profile…"))
        self.save_profile_button.clicked.connect(self.save_as_profile)
        self.kind_combo = QComboBox()
        self.kind_combo.addItem(_("Detect"), "")
        for kind in KINDS:
            self.kind_combo.addItem(kind_label(kind), kind)
        self.encoding_combo = QComboBox()
        self.encoding_combo.addItem(_("Detect"), "")
        for enc in ENCODINGS:
            self.encoding_combo.addItem(enc.upper(), enc)
        self.sheet_combo = QComboBox()
        self.header_spin = QSpinBox()
        self.header_spin.setRange(1, 999)
        self.info_label = QLabel()
        self.info_label.setWordWrap(True)
        self.missing_label = QLabel()
        self.missing_label.setWordWrap(True)
        self.missing_label.setStyleSheet(ERROR_STYLE)
        self.missing_label.hide()
        self.view = MappingView()
        self.hint = QLabel(_("<h3>Import exports of the inventory program</h3>"
                             "<p>Choose one or more files exported by 管家婆, 金蝶, 用友 or a similar program "
                             "(CSV, TXT, XLSX, XLS): customers, products, sales lines, receipts or a stock list.</p>"
                             "<p>crmdesk finds the header row, the encoding and what each column holds; "
                             "you see the first rows here and can correct a column before importing. "
                             "Each file imports completely or not at all.</p>"
                             "<p>You can also drag the files onto this page.</p>"))
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.hint.setContentsMargins(24, 24, 24, 24)
        self.body = QStackedWidget()
        self.body.addWidget(self.hint)
        self.body.addWidget(self.view)
        self.reload_profiles()
        self.setAcceptDrops(True)  # files dragged from the file manager work like "Choose files…"

        files_row = QHBoxLayout()
        files_row.addWidget(self.choose_button)
        files_row.addWidget(QLabel(_("File:")))
        files_row.addWidget(self.file_combo, 1)
        files_row.addWidget(QLabel(_("Profile:")))
        files_row.addWidget(self.profile_combo)
        files_row.addWidget(self.save_profile_button)
        options = QHBoxLayout()
        for label, widget in ((_("Kind:"), self.kind_combo), (_("Encoding:"), self.encoding_combo),
                              (_("Sheet:"), self.sheet_combo), (_("Header row:"), self.header_spin)):
            form = QFormLayout()
            form.addRow(label, widget)
            options.addLayout(form)
        options.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(files_row)
        layout.addLayout(options)
        layout.addWidget(self.info_label)
        layout.addWidget(self.missing_label)
        layout.addWidget(self.body, 1)

        self.profile_combo.currentIndexChanged.connect(lambda _i: self._changed(profile=self.profile_combo.currentData()))
        self.kind_combo.currentIndexChanged.connect(lambda _i: self._changed(kind=self.kind_combo.currentData()))
        self.encoding_combo.currentIndexChanged.connect(
            lambda _i: self._changed(encoding=self.encoding_combo.currentData(), keep_mapping=True))
        self.sheet_combo.currentIndexChanged.connect(lambda _i: self._changed(sheet=self.sheet_combo.currentText()))
        self.header_spin.valueChanged.connect(lambda v: self._changed(header_row=v))
        self.view.model_.mapping_edited.connect(self._on_mapping_edited)
        self._apply(None, "")

    # --- files and options ---------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self._dropped_paths(event):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = self._dropped_paths(event)
        if paths and self.choose_button.isEnabled():
            self.set_files(paths)
            event.acceptProposedAction()

    @staticmethod
    def _dropped_paths(event) -> list[Path]:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        paths = [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
        return [p for p in paths if p.is_file() and p.suffix.lower() in SUFFIXES]

    def choose_files(self) -> None:
        names, _filter = file_dialogs.get_open_file_names(
            self, _("Choose export files"), "", _("Exports ({patterns})").format(patterns=FILE_FILTER))
        if names:
            self.set_files([Path(n) for n in names])

    def set_files(self, paths: list[Path]) -> None:
        self.files = [FileOptions(path=p) for p in paths]
        self.file_combo.blockSignals(True)
        self.file_combo.clear()
        for p in paths:
            self.file_combo.addItem(p.name, str(p))
        self.file_combo.blockSignals(False)
        self.refresh_preview()

    def options(self) -> FileOptions | None:
        i = self.file_combo.currentIndex()
        return self.files[i] if 0 <= i < len(self.files) else None

    def reload_profiles(self, select: str | None = None) -> None:
        self.profile_combo.blockSignals(True)
        current = select if select is not None else (self.profile_combo.currentData() or "")
        self.profile_combo.clear()
        self.profile_combo.addItem(_("Detect"), "")
        for name in list_profiles():
            self.profile_combo.addItem(name, name)
        self.profile_combo.setCurrentIndex(max(0, self.profile_combo.findData(current)))
        self.profile_combo.blockSignals(False)

    def _changed(self, keep_mapping: bool = False, **values) -> None:
        opts = self.options()
        if opts is None:
            return
        for key, value in values.items():
            setattr(opts, key, value or ("" if key != "header_row" else 0))
        if "sheet" in values or "profile" in values:
            opts.header_row = 0
        if not keep_mapping:
            opts.mapping = None  # another layout: the old column choices no longer apply
        self.refresh_preview()

    def _on_mapping_edited(self, mapping: dict[str, str]) -> None:
        opts = self.options()
        if opts is None:
            return
        opts.mapping = mapping
        if self.current is not None:
            opts.kind = self.current.kind  # the mapping is for this kind
            opts.header_row = self.current.header_row
        self.refresh_preview()

    # --- preview -------------------------------------------------------------------------------
    def refresh_preview(self) -> None:
        opts = self.options()
        self._seq += 1
        if opts is None:
            self._apply(None, "")
            return
        self.pending = True
        self.info_label.setText(_("Reading {file}…").format(file=opts.path.name))
        seq = self._seq
        # The worker gets a copy: the user may change the options while it reads.
        run_in_background(preview_job, replace(opts), on_success=lambda p: self._on_preview(seq, p, ""),
                          on_error=lambda exc, _tb: self._on_preview(seq, None, str(exc)))

    def _on_preview(self, seq: int, p: Preview | None, error: str) -> None:
        if seq != self._seq:
            return  # an older preview; a newer one is on its way
        self._apply(p, error)

    def _apply(self, p: Preview | None, error: str) -> None:
        self.pending = False
        self.current = p
        self.view.model_.set_preview(p)
        self.body.setCurrentWidget(self.view if self.files else self.hint)
        opts = self.options()
        if p is None:
            self.info_label.setText(error)  # without files the hint below says what to do
            self.info_label.setStyleSheet(ERROR_STYLE if error else "")
            self.missing_label.hide()
        else:
            self.info_label.setStyleSheet("")
            self.info_label.setText(self.describe(p))
            self._show_options(p, opts)
            if p.missing:
                self.missing_label.setText(_("Required for {kind} but no column is mapped to it: {fields}. "
                                             "Choose the column in the Field row, or this file imports nothing.")
                                           .format(kind=kind_label(p.kind), fields=missing_label(p.missing)))
                self.missing_label.show()
            elif p.refusal:  # it would be held: say why before the user presses Import
                self.missing_label.setText(p.refusal)
                self.missing_label.show()
            else:
                self.missing_label.hide()
        self._enable_options()
        self.preview_ready.emit(p)

    def describe(self, p: Preview) -> str:
        parts = [_("Kind: {kind}{how}").format(kind=kind_label(p.kind),
                                                how=_(" (detected)") if p.kind_detected else "")]
        if p.format == "csv":
            parts.append(_("encoding: {enc}").format(enc=p.encoding.upper()))
            parts.append(_("delimiter: {d}").format(d=_describe_delimiter(p.delimiter)))
        else:
            parts.append(_("sheet: {sheet}").format(sheet=p.sheet))
        parts.append(_("header row: {row}").format(row=p.header_row))
        if p.profile and p.profile != "auto":
            parts.append(_("profile: {name}").format(name=p.profile))
        text = _(" · ").join(parts)
        if p.title_lines:
            title = " ".join(c for c in p.title_lines[0] if c)
            if title:
                text += "\n" + _("Title above the headers: {title}").format(title=title)
        return text

    def _show_options(self, p: Preview, opts: FileOptions | None) -> None:
        widgets = (self.kind_combo, self.encoding_combo, self.sheet_combo, self.header_spin, self.profile_combo)
        for w in widgets:
            w.blockSignals(True)
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(opts.kind if opts else "")))
        self.encoding_combo.setCurrentIndex(max(0, self.encoding_combo.findData(opts.encoding if opts else "")))
        self.sheet_combo.clear()
        self.sheet_combo.addItems(p.sheets)
        self.sheet_combo.setCurrentIndex(max(0, self.sheet_combo.findText(p.sheet)))
        self.header_spin.setValue(max(1, p.header_row))
        self.profile_combo.setCurrentIndex(max(0, self.profile_combo.findData(opts.profile if opts else "")))
        for w in widgets:
            w.blockSignals(False)

    def _enable_options(self) -> None:
        p = self.current
        has_file = self.options() is not None
        for w in (self.kind_combo, self.header_spin, self.profile_combo):
            w.setEnabled(has_file)
        self.encoding_combo.setEnabled(has_file and (p is None or p.format == "csv"))
        self.sheet_combo.setEnabled(p is not None and len(p.sheets) > 1)
        self.save_profile_button.setEnabled(p is not None)

    # --- profiles ------------------------------------------------------------------------------
    def save_as_profile(self) -> None:
        p, opts = self.current, self.options()
        if p is None or opts is None:
            return
        suggested = opts.profile or p.path.stem
        name, ok = QInputDialog.getText(self, _("Save as profile"),
                                        _("Profile name (the next file of this layout imports with it):"),
                                        text=suggested)
        name = name.strip()
        if not ok or not name:
            return
        if any(ch in name for ch in '/\\:*?"<>|') or name.startswith("."):
            QMessageBox.warning(self, _("Save as profile"), _("A profile name cannot contain / \\ : * ? \" < > |."))
            return
        try:
            path = save_profile(profile_from_preview(p, name, mapping=self.view.model_.mapping()))
        except (ProfileError, ReadError, OSError) as exc:
            QMessageBox.warning(self, _("Save as profile"), str(exc))
            return
        log.info("import profile %s saved to %s", name, path)
        opts.profile, opts.mapping = name, None
        opts.kind, opts.header_row = "", 0
        self.reload_profiles(select=name)
        self.info_label.setText(_("Profile {name} saved to {file}").format(name=name, file=path))
        self.refresh_preview()

    def all_options(self) -> list[FileOptions]:
        """Copies for a worker: what the user changes later does not reach it."""
        return [replace(o) for o in self.files]

    def has_files(self) -> bool:
        return bool(self.files)

    def set_busy(self, busy: bool) -> None:
        for w in (self.choose_button, self.file_combo, self.save_profile_button, self.kind_combo,
                  self.encoding_combo, self.sheet_combo, self.header_spin, self.profile_combo):
            w.setEnabled(not busy)
        self.setAcceptDrops(not busy)
        self.view.setEnabled(not busy)
        if not busy:
            self._enable_options()

