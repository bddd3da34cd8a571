"""The demo cases' timelines: who took the case, a status row for each step it went through
(new → in progress → maybe waiting → resolved → closed) and a note or two from the staff."""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import Connection, select

from crmdesk.db.models import CaseStatus, User

OPEN, IN_PROGRESS, WAITING, RESOLVED, CLOSED = (s.value for s in CaseStatus)
# The path a case in each state took; "resolved" and "closed" cases waited for the customer sometimes.
PATHS = {OPEN: [OPEN], IN_PROGRESS: [OPEN, IN_PROGRESS], WAITING: [OPEN, IN_PROGRESS, WAITING],
         RESOLVED: [OPEN, IN_PROGRESS, RESOLVED], CLOSED: [OPEN, IN_PROGRESS, RESOLVED, CLOSED]}
NOTES = {
    "complaint": ("已向客户致歉，说明原因", "已和仓库核对出库单", "约定明天上午补送"),
    "repair": ("已联系厂家售后", "上门检查，需更换配件", "配件已到，约好上门时间"),
    "return": ("客户已寄回商品", "已确认商品完好，可以退换", "换货已随下一单送出"),
    "delivery": ("已和司机确认路线", "客户要求改送到新地址", "已电话通知客户送货时间"),
    "consult": ("已发送产品资料和报价", "客户需要内部商量", "已推荐替代型号"),
}
OTHER_NOTES = ("已电话联系客户", "等待客户回复")
WAITING_TEXT = "等客户确认"


def _between(rng: np.random.Generator, start: dt.datetime, end: dt.datetime, share: float) -> dt.datetime:
    """A moment ``share`` (0–1, jittered) of the way from ``start`` to ``end``."""
    span = max(0.0, (end - start).total_seconds())
    frac = min(1.0, max(0.0, share + rng.normal(0, 0.05)))
    return start + dt.timedelta(seconds=int(span * frac))


def build_case_notes(rng: np.random.Generator, conn: Connection, cases: dict, first_id: int,
                     end_of_history: dt.datetime) -> dict:
    """case_notes columns for the case columns of ``pipeline.build_cases``."""
    names = {uid: display or username for uid, display, username in
             conn.execute(select(User.id, User.display_name, User.username))}
    cols: dict[str, list] = {k: [] for k in ("case_id", "at", "user_id", "kind", "text", "from_status", "to_status")}

    def add(case_id, at, user, kind, text="", from_status="", to_status=""):
        for key, value in (("case_id", case_id), ("at", at), ("user_id", user), ("kind", kind), ("text", text),
                           ("from_status", from_status), ("to_status", to_status)):
            cols[key].append(value)

    n = len(cases["id"])
    extra_notes = rng.choice([0, 1, 1, 2], n)
    waited = rng.random(n) < 0.25
    for k in range(n):
        case_id, user, status = int(cases["id"][k]), cases["assignee_id"][k], str(cases["status"][k])
        opened = cases["opened_at"][k]
        finished = cases["closed_at"][k] or cases["resolved_at"][k] or end_of_history
        resolved = cases["resolved_at"][k] or finished
        path = list(PATHS[status])
        if waited[k] and status in (RESOLVED, CLOSED):
            path.insert(2, WAITING)
        add(case_id, opened, user, "status", to_status=OPEN)
        if user is not None:
            add(case_id, opened, user, "assign", names.get(user, ""))
        # Steps before resolving fall in the first part of the case's life, in order.
        steps = [s for s in path[1:] if s not in (RESOLVED, CLOSED)]
        limit = resolved if status in (RESOLVED, CLOSED) else finished
        moments = sorted(_between(rng, opened, limit, (i + 1) / (len(steps) + 2)) for i in range(len(steps)))
        previous = OPEN
        for step, at in zip(steps, moments, strict=True):
            add(case_id, at, user, "status", WAITING_TEXT if step == WAITING else "", previous, step)
            previous = step
        if status in (RESOLVED, CLOSED):
            add(case_id, resolved, user, "status", "", previous, RESOLVED)
            previous = RESOLVED
        if status == CLOSED:
            text = f"满意度 {cases['satisfaction'][k]}/5；{cases['feedback'][k]}"
            add(case_id, cases["closed_at"][k], user, "status", text, previous, CLOSED)
        words = NOTES.get(cases["case_type"][k], OTHER_NOTES)
        for j in range(int(extra_notes[k])):
            add(case_id, _between(rng, opened, limit, (j + 1) / (int(extra_notes[k]) + 1)), user, "note",
                words[(k + j) % len(words)])
    cols["id"] = list(range(first_id, first_id + len(cols["case_id"])))
    return cols
