"""Issue #8 for the importer: a step names the wrong field as data, and add and import share one ID sequence.

Before, the importer chose the column of a step's error by searching the Chinese message for
keywords: an unknown 批准人 of an extension was shown under 被考核人 (the word 人员), and a
dispatch refused for its state under 单位 (the word in its hint).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import Cli
from test_excel import new_data, records, refused, walk, ok
from tousu.config import org as org_file
from tousu.config import rules as rules_file
from tousu.domain import lifecycle
from tousu.domain.workdays import WorkCalendar
from tousu.errors import TousuError
from tousu.storage.store import IdSequence, Store
from tousu.timeutil import CHINA

NOW = datetime(2025, 12, 1, 9, 0, tzinfo=CHINA)


def _history_row(ws, head: list, step: str) -> int:  # noqa: ANN001
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, head.index("步骤") + 1).value == step)


@pytest.mark.parametrize(("step", "column", "value", "shown_under", "message"), [
    ("延期", "批准人", "周八", "批准人", "人员「周八」不在组织机构"),
    ("延期", "延期至", "2025-11-05 00:00", "延期至", "不晚于现在的答复期限"),
    ("退回", "理由", None, "理由", "缺少退回理由"),
    ("回访", "时间", "2025-11-01 08:00", "时间", "早于上一步"),
    ("考核", "金额", "六百", "金额", "考核金额「六百」无效"),
])
def test_a_history_problem_is_shown_in_the_column_the_step_names(
        cli: Cli, tmp_path: Path, step: str, column: str, value: str | None, shown_under: str, message: str) -> None:
    walk(cli)
    xlsx = tmp_path / "h.xlsx"
    ok(cli("export", "-o", xlsx))
    wb = load_workbook(xlsx)
    ws = wb["处理记录"]
    head = [c.value for c in ws[1]]
    row = _history_row(ws, head, step)
    ws.cell(row, head.index(column) + 1).value = value
    wb.save(xlsx)
    target = new_data(tmp_path, "t")
    refused(Cli(target)("import", xlsx), f"「处理记录」第{row}行，「{shown_under}」：", message)
    assert records(target) == {}


def test_a_step_refused_for_its_state_is_shown_under_the_step(cli: Cli, tmp_path: Path) -> None:
    """联系 moved before 派发: the step does not fit, whatever the words of the hint say."""
    walk(cli)
    xlsx = tmp_path / "h.xlsx"
    ok(cli("export", "-o", xlsx))
    wb = load_workbook(xlsx)
    ws = wb["处理记录"]
    head = [c.value for c in ws[1]]
    row = _history_row(ws, head, "派发")
    ws.cell(row, head.index("步骤") + 1).value = "首次联系"
    wb.save(xlsx)
    refused(Cli(new_data(tmp_path, "t"))("import", xlsx), f"「处理记录」第{row}行，「步骤」：", "不能登记首次联系")


def test_lifecycle_steps_name_the_wrong_field(data_dir: Path, repo_root: Path) -> None:
    rules = rules_file.load(repo_root / "rules.yaml")
    org = org_file.load(data_dir / "org.yaml")
    facts = dict(rules=rules, received_at=datetime(2025, 11, 3, 9, 0, tzinfo=CHINA), now=NOW, by="张三",
                 channel="来电", name="王女士", phone="13912345678", category=None, item="服务态度", content="态度差")

    def field_of(step, **kw) -> str | None:  # noqa: ANN001
        with pytest.raises(TousuError) as e:
            step(**kw)
        return e.value.field

    assert field_of(lifecycle.new_complaint, **{**facts, "phone": "abc"}) == "phone"
    assert field_of(lifecycle.new_complaint, **{**facts, "channel": "飞鸽"}) == "channel"
    assert field_of(lifecycle.new_complaint, **{**facts, "received_at": datetime(2026, 1, 1, tzinfo=CHINA)}) == "at"
    assert field_of(lifecycle.new_complaint, **{**facts, "by": " "}) == "by"
    c = lifecycle.new_complaint(**facts)
    at = datetime(2025, 11, 3, 10, 0, tzinfo=CHINA)
    assert field_of(lifecycle.dispatch, c=c, unit="北城供电所", at=at, by="王五", now=NOW, org=org) == "unit"
    d = lifecycle.contact(lifecycle.dispatch(c, unit="城关供电所", at=at, by="王五", now=NOW, org=org),
                          at=at, by="李四", now=NOW)
    assert field_of(lifecycle.extend, c=d, until=datetime(2025, 11, 30, tzinfo=CHINA), reason="复杂",
                    approved_by="周八", at=at, by="李四", now=NOW, org=org, rules=rules,
                    cal=WorkCalendar()) == "approved_by"
    assert field_of(lifecycle.reply, c=d, verified=False, responsible=True, cause="x", process="y", measures="",
                    at=at, by="李四", now=NOW) == "verified"
    assert field_of(lifecycle.archive, c=d, at=at, by="王五", now=NOW) is None  # the state: no one field


def test_add_and_import_draw_ids_from_one_sequence(data_dir: Path) -> None:
    day = datetime(2025, 11, 3, 23, 30, tzinfo=CHINA)
    ids = IdSequence(["TS202511030007", "TS202511030002", "TS202511030003 - 副本", "TS202511040009"])
    assert ids.next(day) == "TS202511030008"
    assert ids.next(day) == "TS202511030009"
    assert ids.next(datetime(2025, 11, 5, tzinfo=CHINA)) == "TS202511050001"
    full = IdSequence(["TS202511039999"])
    with pytest.raises(TousuError, match="2025-11-03 的投诉编号已用完（9999 件）"):
        full.next(day)
    # Store.create counts from the files of the day, through the same sequence.
    folder = data_dir / "complaints" / "2025-11"
    folder.mkdir(parents=True)
    (folder / "TS202511030041.yaml").write_text("x", encoding="utf-8")
    (folder / "TS202511030099 - 副本.yaml").write_text("x", encoding="utf-8")
    draft = lifecycle.new_complaint(rules=rules_file.load(Path(__file__).resolve().parents[1] / "rules.yaml"),
                                    received_at=day, now=NOW, by="张三", channel="来电", name="王女士",
                                    phone="13912345678", category=None, item="服务态度", content="态度差")
    assert Store(data_dir).create(draft).id == "TS202511030042"
