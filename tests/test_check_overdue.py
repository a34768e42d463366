"""`tousu check-overdue` for cron (SPEC §4): exit 0/1/2, its JSON, broken records reported with path:line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import Cli
from foundation_helpers import check, fcli, ok, record_path, rules_file  # noqa: F401

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


def test_nothing_at_all_exits_0(fcli: Cli) -> None:
    r, rep = check(fcli, "2026-11-02 09:00")
    assert r.exit_code == 0
    assert rep == {"as_of": "2026-11-02T09:00:00+08:00", "overdue": [], "due_soon": [], "warnings": [], "errors": [],
                   "rules": str(fcli.rules)}


def test_due_soon_only_exits_0(fcli: Cli) -> None:
    cid = fcli.add()
    r, rep = check(fcli, "2026-11-02 09:30")
    assert r.exit_code == 0
    assert rep["overdue"] == []
    assert [(d["id"], d["stage"], d["deadline"], d["unit"], d["minutes_left"]) for d in rep["due_soon"]] == \
        [(cid, "dispatch", "2026-11-02T10:00:00+08:00", None, 30)]


def test_overdue_exits_1_with_the_keys_of_spec(fcli: Cli) -> None:
    late = fcli.add()
    ok(fcli("dispatch", late, "--unit", "东城供电所", "--at", "2026-11-02 09:30"))
    fresh = fcli.add(received_at="2026-11-04 08:00")
    r, rep = check(fcli, "2026-11-04 08:30")
    assert r.exit_code == 1
    assert set(rep) >= {"as_of", "overdue", "due_soon", "warnings"}
    assert rep["as_of"] == "2026-11-04T08:30:00+08:00"
    assert [(o["id"], o["stage"], o["deadline"], o["unit"]) for o in rep["overdue"]] == \
        [(late, "contact", "2026-11-04T00:00:00+08:00", "东城供电所")]
    assert rep["overdue"][0]["minutes_overdue"] == 510
    assert [(d["id"], d["stage"]) for d in rep["due_soon"]] == [(fresh, "dispatch")]
    for row in rep["overdue"] + rep["due_soon"]:
        assert {"id", "stage", "deadline", "unit"} <= set(row)
        assert ISO.match(row["deadline"]) and ISO.match(row["started"])
    assert ISO.match(rep["as_of"])


def test_table_output_for_people(fcli: Cli) -> None:
    cid = fcli.add()
    ok(fcli("dispatch", cid, "--unit", "东城供电所", "--at", "2026-11-02 09:30"))
    r = fcli("check-overdue", "--at", "2026-11-04 08:30")
    assert r.exit_code == 1
    assert "已超期" in r.stdout and "东城供电所" in r.stdout and cid in r.stdout
    assert "2026-11-03 24:00" in r.stdout
    assert "截至 2026-11-04 08:30，共 1 个环节超期。" in r.stdout


def test_done_stages_are_not_reported(fcli: Cli) -> None:
    cid = fcli.add()
    ok(fcli("dispatch", cid, "--unit", "东城供电所", "--at", "2026-11-02 11:00"))  # late, but done
    r, rep = check(fcli, "2026-11-02 11:30")
    assert r.exit_code == 0
    assert "dispatch" not in {o["stage"] for o in rep["overdue"] + rep["due_soon"]}


def test_a_bad_at_is_an_error(fcli: Cli) -> None:
    r = fcli("check-overdue", "--at", "2026-13-01")
    assert r.exit_code == 2 and "--at：时间「2026-13-01」不是有效的日期时间" in r.stderr
    assert "Traceback" not in r.output


# ------------------------------------------------------------ broken record files

BAD_YAML = """\
id: TS202611030001
received_at: 2026-11-03T09:00:00+08:00
channel: [来电
customer: {}
"""

BAD_DATE = """\
# hand-edited
id: TS202611040001
received_at: 2026-13-01
channel: 来电
received_by: 张三
customer:
  name: 王小明
  phone: '13912345678'
category: 服务规范类
item: 服务态度
content: 态度差
history:
- action: add
  at: 2026-11-04T09:00:00+08:00
  by: 张三
"""

NO_UNTIL = BAD_DATE.replace("TS202611040001", "TS202611050001").replace("2026-13-01", "2026-11-05T09:00:00+08:00") \
    .replace("at: 2026-11-04T09:00:00+08:00", "at: 2026-11-05T09:00:00+08:00") + """\
- action: dispatch
  at: 2026-11-05T09:30:00+08:00
  by: 王五
  unit: 城关供电所
- action: extend
  at: 2026-11-05T10:00:00+08:00
  by: 李四
  reason: 复杂
"""


def _break(data_dir: Path, cid: str, text: str) -> Path:
    path = record_path(data_dir, cid)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def broken(fcli: Cli, data_dir: Path) -> tuple[str, Path, Path]:
    good = fcli.add()
    ok(fcli("dispatch", good, "--unit", "城关供电所", "--at", "2026-11-02 09:30"))
    return good, _break(data_dir, "TS202611030001", BAD_YAML), _break(data_dir, "TS202611040001", BAD_DATE)


def test_broken_records_are_reported_and_the_rest_checked(fcli: Cli, broken) -> None:  # noqa: ANN001
    good, bad_yaml, bad_date = broken
    r, rep = check(fcli, "2026-11-06 09:00")
    assert r.exit_code == 2
    assert [(o["id"], o["stage"]) for o in rep["overdue"]] == [(good, "contact")]
    errors = {(e["path"], e["line"]) for e in rep["errors"]}
    assert (str(bad_yaml), 4) in errors or (str(bad_yaml), 3) in errors
    assert (str(bad_date), 3) in errors
    date_err = next(e for e in rep["errors"] if e["path"] == str(bad_date))
    assert date_err["message"].startswith("时间「2026-13-01」不是有效的日期时间")
    assert f"{bad_date}:3: E100 时间「2026-13-01」不是有效的日期时间" in r.stderr
    assert re.search(re.escape(str(bad_yaml)) + r":[34]: E100 YAML 格式错误", r.stderr)
    assert "Traceback" not in r.output


def test_broken_records_in_table_format_still_exit_2(fcli: Cli, broken) -> None:  # noqa: ANN001
    good, _, bad_date = broken
    r = fcli("check-overdue", "--at", "2026-11-06 09:00")
    assert r.exit_code == 2
    assert good in r.stdout
    assert f"无法读取：{bad_date}:3: E100 时间「2026-13-01」" in r.stderr


def test_list_reports_broken_records_and_lists_the_rest(fcli: Cli, broken) -> None:  # noqa: ANN001
    good, bad_yaml, bad_date = broken
    r = fcli("list", "--format", "json", "--at", "2026-11-06 09:00")
    assert r.exit_code == 2
    assert [x["id"] for x in json.loads(r.stdout)] == [good]
    assert f"{bad_date}:3: " in r.stderr and f"{bad_yaml}:" in r.stderr


def test_show_of_a_broken_record(fcli: Cli, broken) -> None:  # noqa: ANN001
    _, _, bad_date = broken
    r = fcli("show", "TS202611040001")
    assert r.exit_code == 2
    assert r.stderr.startswith("错误：投诉「TS202611040001」的记录文件有错误，请先修正\n")
    assert f"  {bad_date}:3: E100 时间「2026-13-01」不是有效的日期时间" in r.stderr


def test_an_event_missing_what_its_step_needs_is_a_located_problem(fcli: Cli, data_dir: Path) -> None:
    """A hand-edited `extend` without `until` must not crash the cron job for every record."""
    good = fcli.add()
    path = _break(data_dir, "TS202611050001", NO_UNTIL)
    r, rep = check(fcli, "2026-11-02 09:30")
    assert r.exit_code == 2, r.output
    assert [d["id"] for d in rep["due_soon"]] == [good]
    assert [(e["path"], e["line"], e["message"]) for e in rep["errors"]] == [(str(path), 20, "「延期」事件缺少「until」")]
    assert f"{path}:20: E100 「延期」事件缺少「until」" in r.stderr
    assert "Traceback" not in r.output


def test_a_long_path_stays_on_one_line(fcli: Cli, data_dir: Path) -> None:
    """cron mails and greps stderr: `path:line: message` is never wrapped, whatever the width."""
    path = _break(data_dir, "TS202611040001", BAD_DATE)
    r = fcli("check-overdue", "--at", "2026-11-06 09:00")
    line = next(x for x in r.stderr.splitlines() if str(path) in x)
    assert line.endswith("不是有效的日期时间：月份「13」应为 1–12")


def test_a_record_is_loaded_only_safely(fcli: Cli, data_dir: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = BAD_DATE.replace("received_at: 2026-13-01", "received_at: 2026-11-04T09:00:00+08:00") \
        .replace("content: 态度差", f"content: !!python/object/apply:os.system ['touch {marker}']")
    path = _break(data_dir, "TS202611040001", text)
    r, rep = check(fcli, "2026-11-04 09:10")
    assert r.exit_code == 2
    assert not marker.exists()
    assert [(e["path"], e["line"]) for e in rep["errors"]] == [(str(path), line_no(text, "content:"))]


def test_a_file_not_in_utf8_is_reported_with_its_path(fcli: Cli, data_dir: Path) -> None:
    path = record_path(data_dir, "TS202611040001")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(BAD_DATE.replace("2026-13-01", "2026-11-04 09:00").encode("gbk"))
    r, rep = check(fcli, "2026-11-04 09:10")
    assert r.exit_code == 2
    assert [e["path"] for e in rep["errors"]] == [str(path)]
    assert rep["errors"][0]["message"].startswith("不是 UTF-8 编码的文本")
    assert f"无法读取：{path}: E100 不是 UTF-8 编码的文本" in r.stderr


def line_no(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)
