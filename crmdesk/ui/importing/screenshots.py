"""Screenshots of the import wizard's preview (a GBK export with Chinese headers) and of the
history with a batch's rejected rows.

    python -m crmdesk.ui.importing.screenshots [OUT_DIR]   (default docs/screenshots)

``save_import_screenshots(ctx, out_dir)`` is the part the shell's screenshot script can call
with its own context (it imports one small file into that database).
"""

from __future__ import annotations

import logging
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)

PAGE_SIZE = (1280, 760)
HEADER = "录单日期,单据编号,单据类型,往来单位编号,往来单位全名,经手人全名,仓库全名,商品编号,商品全名,规格型号,单位,数量,含税单价,含税金额,成本金额"
LINES = (
    "2026-06-03,XS-20260603-001,销售单,K0107,广州市天河区晨星文具店,张伟,总店,DL-0033,得力0.5mm中性笔,黑色12支/盒,盒,20,18.50,370.00,296.00",
    "2026-06-03,XS-20260603-001,销售单,K0107,广州市天河区晨星文具店,张伟,总店,CG-2211,晨光A5笔记本,80页,本,50,4.20,210.00,150.00",
    "2026-06-04,XS-20260604-002,销售单,K0215,深圳南山科技有限公司,李娜,总店,DL-0401,得力订书机,12号,个,6,26.00,156.00,118.80",
    "2026年6月5日,XS-20260605-003,销售单,K0099,散客,王芳,门市,PP-A4-70,A4复印纸70g,500张/包,包,10,23.80,238.00,205.00",
    "2026/6/5,XT-20260605-001,销售退货单,K0107,广州市天河区晨星文具店,张伟,总店,DL-0033,得力0.5mm中性笔,黑色12支/盒,盒,2,18.50,37.00,29.60",
    "2026-06-06,XS-20260606-004,销售单,K0302,佛山市顺德区文体用品批发部,张伟,总店,ST-0115,齐心文件夹,A4双夹,个,120,5.60,672.00,480.00",
    "2026-06-06,XS-20260606-004,销售单,K0302,佛山市顺德区文体用品批发部,张伟,总店,MG-1010,马克笔套装,24色,套,15,35.00,525.00,390.00",
    "本月一日,XS-20260607-005,销售单,K0215,深圳南山科技有限公司,李娜,总店,CG-2211,晨光A5笔记本,80页,本,30,4.20,126.00,90.00",
    "2026-06-08,XS-20260608-006,销售单,K0215,深圳南山科技有限公司,李娜,总店,DL-0401,得力订书机,12号,个,三个,26.00,78.00,59.40",
)
SALES_EXPORT = "\n".join(["销售明细表", "期间：2026年6月1日 至 2026年6月30日", "", HEADER, *LINES, "合计,,,,,,,,,,,,,,"]) + "\n"


def save_import_screenshots(ctx, out_dir: Path) -> dict[str, Path]:
    """import_preview.png (the wizard on a GBK 管家婆-style export) and import_history.png."""
    from crmdesk.ui.importing.page import ImportPage
    from crmdesk.ui.widgets.grab import pause, save_grab, wait_until

    out_dir.mkdir(parents=True, exist_ok=True)
    saved: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="crmdesk-import-shots-") as folder:
        export = Path(folder) / "销售明细表_2026年6月.csv"
        export.write_bytes(SALES_EXPORT.encode("gbk"))
        page = ImportPage(ctx)
        page.resize(*PAGE_SIZE)
        page.show()
        step = page.wizard.step
        step.set_files([export])
        wait_until(lambda: not step.pending and step.current is not None)
        saved["import_preview"] = save_grab(page, out_dir / "import_preview.png")
        page.wizard.start_import()
        wait_until(lambda: page.wizard.job is None)
        saved["import_result"] = save_grab(page, out_dir / "import_result.png")
        page.show_history()
        batch = next((r.batch_id for r in page.wizard.results if r.batch_id), None)
        if batch is not None:
            page.history.select_batch(batch)
        pause(200)
        saved["import_history"] = save_grab(page, out_dir / "import_history.png")
        page.close()
    return saved


def main(argv: Sequence[str] | None = None) -> int:
    from crmdesk.ui.screenshots import run_alone

    return run_alone(save_import_screenshots, argv, expected=3)


if __name__ == "__main__":
    sys.exit(main())
