"""A row of tool buttons that never widens the page: the buttons that do not fit move,
from the right, into a "More" menu, and come back when the window grows (a 1024-pixel
shop monitor keeps every command one click away instead of cutting 导出 or 刷新).

The row may start with widgets that stretch (a search box): they keep at least their
minimum width and share what the buttons leave. A button the page hides (a role without
the permission) stays hidden and out of the menu; the row notices ``setVisible`` calls.
A button with a menu of its own becomes a submenu.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QHBoxLayout, QLayout, QMenu, QPushButton, QToolButton, QWidget

from crmdesk.i18n import _


class AdaptiveToolbar(QWidget):
    def __init__(self, parent: QWidget | None = None, overflow_button: QToolButton | None = None) -> None:
        """``overflow_button``: a menu button of the page's own (its "More") that also takes the
        overflow, above its own entries; by default the row makes one, shown only when needed."""
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        # The row's minimum is the search box and "More", not every button (also as a window of its own).
        self._layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self._buttons: list[QAbstractButton] = []
        # Each button sits in a holder the row hides when it overflows: the button's own
        # visibility stays the page's to set (hidden for a role without the permission).
        self._holders: dict[QAbstractButton, QWidget] = {}
        self._overflow: list[QAbstractButton] = []
        self._own_overflow = overflow_button is None
        if overflow_button is None:
            overflow_button = QToolButton()
            overflow_button.setText(_("More"))  # the menu arrow is drawn by the button
            overflow_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            overflow_button.setMenu(QMenu(overflow_button))
            overflow_button.hide()
        self.overflow_button = overflow_button
        self.overflow_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.overflow_menu: QMenu = overflow_button.menu()
        self._inserted: list[QAction] = []  # what the row put into the overflow menu
        self.overflow_menu.aboutToShow.connect(self._fill_menu)
        self._layout.addWidget(self.overflow_button)

    # -- building --------------------------------------------------------------------------
    def add_stretch_widget(self, widget: QWidget, stretch: int = 1) -> None:
        """A widget before the buttons that takes the free room (a search box)."""
        self._layout.insertWidget(self._layout.count() - 1 - len(self._buttons), widget, stretch)

    def add_button(self, button: QAbstractButton) -> None:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(button)
        self._holders[button] = holder
        button.installEventFilter(self)
        self._layout.insertWidget(self._layout.count() - 1, holder)
        self._buttons.append(button)
        self._relayout()

    # -- what tests and pages ask ----------------------------------------------------------
    def buttons(self) -> list[QAbstractButton]:
        """Every button the page shows, in the row or in the menu."""
        return [b for b in self._buttons if _wanted(b)]

    def overflowed(self) -> list[QAbstractButton]:
        return list(self._overflow)

    def reachable(self, button: QAbstractButton) -> bool:
        """Shown in the row, or one click away in the overflow menu."""
        if button in self._overflow:
            return _wanted(button) and self.overflow_button.isVisible()
        return button.isVisible()

    # -- fitting ---------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in (QEvent.Type.ShowToParent, QEvent.Type.HideToParent):
            self._relayout()  # the page showed or hid a button
        return False

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._relayout()

    def minimumSizeHint(self):  # noqa: N802 - Qt's name
        """The stretching widgets' minimum and the overflow button: every button may move to the menu."""
        hint = super().minimumSizeHint()
        hint.setWidth(self._fixed_width() + self.overflow_button.sizeHint().width())
        return hint

    def _fixed_width(self) -> int:
        """Margins, spacers and the stretching widgets at their minimum width."""
        spacing = self._layout.spacing()
        margins = self._layout.contentsMargins()
        fixed = margins.left() + margins.right()
        holders = set(self._holders.values())
        for i in range(self._layout.count()):
            item = self._layout.itemAt(i)
            widget = item.widget()
            if widget is None:
                fixed += item.sizeHint().width()
            elif widget not in holders and widget is not self.overflow_button and not widget.isHidden():
                fixed += max(widget.minimumSizeHint().width(), widget.minimumWidth()) + spacing
        return fixed

    def _relayout(self) -> None:
        spacing = self._layout.spacing()
        wanted = self.buttons()
        widths = [b.sizeHint().width() + spacing for b in wanted]
        own_more = 0 if self._own_overflow else self.overflow_button.sizeHint().width()
        room = self.width() - self._fixed_width() - own_more
        fit = len(wanted)
        if sum(widths) > room:
            used = self.overflow_button.sizeHint().width() if self._own_overflow else 0
            fit = 0
            while fit < len(wanted) and used + widths[fit] <= room:
                used += widths[fit]
                fit += 1
        overflow = wanted[fit:]
        for button, holder in self._holders.items():
            holder.setVisible(button in wanted[:fit])
        if self._own_overflow:
            self.overflow_button.setVisible(bool(overflow))
        if overflow != self._overflow:
            self._overflow = overflow
            self.updateGeometry()

    def _fill_menu(self) -> None:
        """Built when opened, so texts and enabled states are those of the moment."""
        for action in self._inserted:
            self.overflow_menu.removeAction(action)
            if action.menu() is None:  # a button's own menu stays the button's
                action.deleteLater()
        self._inserted = []
        before = self.overflow_menu.actions()[0] if self.overflow_menu.actions() else None
        for button in self._overflow:
            menu = button.menu() if isinstance(button, (QToolButton, QPushButton)) else None
            if menu is not None:
                menu.setTitle(button.text())
                action = menu.menuAction()
            else:
                action = QAction(button.icon(), button.text(), self)
                action.setToolTip(button.toolTip())
                action.triggered.connect(button.click)
            action.setEnabled(button.isEnabled())
            self.overflow_menu.insertAction(before, action)
            self._inserted.append(action)
        if self._inserted and before is not None:
            self._inserted.append(self.overflow_menu.insertSeparator(before))


def _wanted(button: QAbstractButton) -> bool:
    """Not hidden by the page (a button not yet shown with its window is not hidden)."""
    return not (button.isHidden() and button.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide))
