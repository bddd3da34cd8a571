"""The form's Purchases tab: this year's and last year's amount by month (chart),
top categories and brands, and the orders with their lines (master/detail)."""

from __future__ import annotations

from collections.abc import Callable

from matplotlib.figure import Figure
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget
from PySide6.QtCore import Qt

from crmdesk.i18n import N_, _
from crmdesk.money import format_yuan, to_yuan
from crmdesk.ui.customers.form.simple_table import SimpleTable

ORDER_HEADERS = [N_("Number"), N_("Date"), N_("Due"), N_("Kind"), N_("Status"), N_("Salesperson"), N_("Amount")]
LINE_HEADERS = [N_("Line"), N_("Product code"), N_("Product"), N_("Category"), N_("Brand"), N_("Quantity"),
                N_("Unit price"), N_("Amount")]
ORDER_STATUS_LABELS = {"open": N_("not shipped"), "partial": N_("partly shipped"), "completed": N_("completed"),
                       "cancelled": N_("cancelled")}
DOC_TYPE_LABELS = {"sale": N_("Sale"), "return": N_("Return")}
SHARE_HEADERS = [N_("Name"), N_("Amount"), N_("Share")]


def _qty(value: float) -> str:
    return f"{value:g}"


def purchases_figure(purchases) -> Figure:
    """Bars of this year's and last year's amount per month, in yuan."""
    from crmdesk.charts.fonts import configure_matplotlib

    configure_matplotlib()
    fig = Figure(figsize=(6, 2.4), dpi=90, layout="constrained")
    ax = fig.add_subplot()
    months = list(range(1, 13))
    width = 0.4
    last = [float(to_yuan(v)) for v in purchases.by_month_last_year]
    this = [float(to_yuan(v)) for v in purchases.by_month_this_year]
    ax.bar([m - width / 2 for m in months], last, width,
           label=str(purchases.this_year - 1), color="#9bb7d4")
    ax.bar([m + width / 2 for m in months], this, width,
           label=str(purchases.this_year), color="#2c6fbb")
    ax.set_xticks(months, [_("M{n}").format(n=m) for m in months])
    ax.set_ylabel(_("Amount (yuan)"))
    ax.set_title(_("Purchases by month"))
    ax.legend(fontsize="small")
    ax.spines[["top", "right"]].set_visible(False)
    return fig


class PurchasesTab(QWidget):
    def __init__(self, load_more: Callable[[int], list], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._load_more = load_more
        self._purchases = None
        self._chart_drawn = False
        self._orders: list = []
        self.summary_label = QLabel()
        self.chart_host = QVBoxLayout()
        self.chart = None  # a ChartCanvas, made when the tab is first shown
        self.categories_table = SimpleTable(SHARE_HEADERS, right_aligned=(1, 2))
        self.brands_table = SimpleTable(SHARE_HEADERS, right_aligned=(1, 2))
        self.orders_table = SimpleTable(ORDER_HEADERS, right_aligned=(6,))
        self.lines_table = SimpleTable(LINE_HEADERS, right_aligned=(5, 6, 7))
        self.more_button = QPushButton(_("Load more orders"))

        top = QHBoxLayout()
        chart_box = QWidget()
        chart_box.setLayout(self.chart_host)
        chart_box.setMinimumHeight(200)
        top.addWidget(chart_box, 3)
        tops = QVBoxLayout()
        tops.addWidget(QLabel(_("Top categories (12 months)")))
        tops.addWidget(self.categories_table)
        tops.addWidget(QLabel(_("Top brands (12 months)")))
        tops.addWidget(self.brands_table)
        top.addLayout(tops, 2)
        top_widget = QWidget()
        top_widget.setLayout(top)

        orders_box = QWidget()
        orders_layout = QVBoxLayout(orders_box)
        orders_layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        header.addWidget(self.summary_label, 1)
        header.addWidget(self.more_button)
        orders_layout.addLayout(header)
        detail = QSplitter(Qt.Orientation.Horizontal)
        detail.addWidget(self.orders_table)
        detail.addWidget(self.lines_table)
        orders_layout.addWidget(detail)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top_widget)
        splitter.addWidget(orders_box)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.orders_table.itemSelectionChanged.connect(self._show_lines)
        self.more_button.clicked.connect(self._more)

    def load(self, purchases, orders: list) -> None:
        self._purchases = purchases
        self._chart_drawn = False
        self._orders = list(orders)
        self.summary_label.setText(_("{count} orders; this year {amount}").format(
            count=f"{purchases.order_count:,}", amount=format_yuan(sum(purchases.by_month_this_year))))
        for table, rows in ((self.categories_table, purchases.top_categories),
                            (self.brands_table, purchases.top_brands)):
            table.set_rows([[r.name or _("(none)"), format_yuan(r.amount, ""), f"{r.share:.0%}"] for r in rows])
        self._show_orders()
        if self.isVisible():
            self._draw_chart()

    def _show_orders(self) -> None:
        self.orders_table.set_rows(
            [[o.number, o.order_date.isoformat(), o.due_date.isoformat() if o.due_date else "",
              _(DOC_TYPE_LABELS.get(o.doc_type, o.doc_type)),
              _(ORDER_STATUS_LABELS.get(o.status, o.status)), o.salesperson_name, format_yuan(o.total_amount, "")]
             for o in self._orders], ids=[o.id for o in self._orders])
        self.more_button.setEnabled(self._purchases is not None
                                    and len(self._orders) < self._purchases.order_count)
        if self._orders and self.orders_table.currentRow() < 0:
            self.orders_table.selectRow(0)

    def _show_lines(self) -> None:
        order_id = self.orders_table.current_id()
        order = next((o for o in self._orders if o.id == order_id), None)
        lines = order.lines if order else ()
        self.lines_table.set_rows([[ln.line_no, ln.product_code, ln.product_name, ln.category, ln.brand,
                                    _qty(ln.quantity), format_yuan(ln.unit_price, ""), format_yuan(ln.amount, "")]
                                   for ln in lines])

    def _more(self) -> None:
        self._orders.extend(self._load_more(len(self._orders)))
        self._show_orders()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._draw_chart()

    def _draw_chart(self) -> None:
        # Drawn on first show: matplotlib costs more than the rest of the form together.
        if self._chart_drawn or self._purchases is None:
            return
        if self.chart is None:
            from crmdesk.ui.widgets.chart_canvas import ChartCanvas

            self.chart = ChartCanvas(self)
            self.chart_host.addWidget(self.chart)
        self.chart.set_figure(purchases_figure(self._purchases))
        self._chart_drawn = True
