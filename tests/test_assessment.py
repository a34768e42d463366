"""Assessment (SPEC §5; 第九条, 第二十三—二十八条), written from the regulation.

Every test runs against the repository's rules.yaml, so the penalty table there
is what is checked: each row's amounts and clause, the 越级 doubling, the 属实
gate, persons vs units, the severity rules, and the 绩效 ledger.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Cli
from tousu.domain import ledger as ledger_mod
from tousu.reports.half_year import half_year
from tousu.timeutil import Half, Month
from tousu.config import org as org_mod
from tousu.config import rules as rules_mod
from tousu.storage.store import Store

REPO_RULES = Path(__file__).resolve().parents[1] / "rules.yaml"

REPLY = ("--verified", "--responsible", "--cause", "抄表员解释不耐心", "--process", "上门致歉并解释电费",
         "--measures", "加强服务培训")

# The penalty table of 第二十四条（三）（四）and 第二十六条, copied from the regulation:
# rule id → (情形, clause, min, max (None: 不少于), severity needed)
TABLE = {
    "quality.no_loss": ("业务技能不熟、工作失误、工作疏漏等工作质量问题引发投诉，未造成客户利益损失",
                        "第二十四条（三）1（1）", 100, 200, None),
    "quality.loss": ("业务技能不熟、工作失误、工作疏漏等工作质量问题引发投诉，造成客户利益损失",
                     "第二十四条（三）1（2）", 200, 300, None),
    "attitude.poor": ("态度冷淡、语言生硬等态度欠佳引发客户不满造成投诉", "第二十四条（三）2（1）", 200, 500, None),
    "attitude.abusive": ("语言粗暴、行为过激、与客户发生争吵等态度恶劣引发客户不满造成投诉",
                         "第二十四条（三）2（2）", 300, 600, None),
    "major.primary": ("重大投诉事件，负主要责任者", "第二十四条（四）1（1）", 800, None, "重大"),
    "major.secondary": ("重大投诉事件，负次要责任者", "第二十四条（四）1（2）", 600, None, "重大"),
    "major.workshop": ("重大投诉事件，负有直接责任者所在车间领导、有关人员", "第二十四条（四）1（3）", 500, None, "重大"),
    "major.management": ("重大投诉事件，负有管理责任的有关部门负责人、有关人员", "第二十四条（四）1（4）", 300, None, "重大"),
    "major.leadership": ("重大投诉事件，负有领导责任的单位正职、分管副职", "第二十四条（四）1（5）", 300, None, "重大"),
    "serious.primary": ("严重投诉事件，负主要责任者", "第二十四条（四）2（1）", 1000, None, "严重"),
    "serious.secondary": ("严重投诉事件，负次要责任者", "第二十四条（四）2（2）", 800, None, "严重"),
    "serious.workshop": ("严重投诉事件，负有管理的直接责任者所在车间领导、有关人员", "第二十四条（四）2（3）", 600, None, "严重"),
    "serious.management": ("严重投诉事件，负有管理责任的有关部门负责人、有关人员", "第二十四条（四）2（4）", 400, None, "严重"),
    "serious.leadership": ("严重投诉事件，负有领导责任的单位分管副职", "第二十四条（四）2（5）", 400, None, "严重"),
}


@pytest.fixture
def rcli(data_dir: Path) -> Cli:
    """The conftest runner with the repository's rules.yaml."""
    return Cli(data_dir, REPO_RULES)


# ---------------------------------------------------------------- helpers


def said(result) -> str:  # noqa: ANN001 - click Result
    """stderr with rich's line wrapping undone."""
    return result.stderr.replace("\n", "")


def ok(result) -> None:  # noqa: ANN001
    assert result.exit_code == 0, result.output


def snapshot(data_dir: Path) -> dict[str, bytes]:
    return {str(p.relative_to(data_dir)): p.read_bytes()
            for p in sorted(data_dir.rglob("*")) if p.is_file() and p.name != ".tousu.lock"}


def refuse(cli: Cli, message: str, *args: str) -> None:
    """Exit 2, the exact message, no traceback, nothing written."""
    before = snapshot(cli.data)
    r = cli(*args)
    assert r.exit_code == 2, r.output
    assert f"错误：{message}" in said(r), r.stderr
    assert "Traceback" not in r.output
    assert snapshot(cli.data) == before


def counted(cli: Cli, *, severity: str = "一般", item: str = "服务态度", escalated: str | None = None,
            day: str = "2026-11-02", verified: bool = True, responsible: bool | None = None) -> str:
    """A complaint received {day} 09:00, dispatched, contacted and replied (属实、供电责任 by default) by 12:00.

    A 不属实 reply is 非供电责任 unless said otherwise (the CLI refuses 不属实 + 供电责任)."""
    responsible = verified if responsible is None else responsible
    kw = {"received_at": f"{day} 09:00", "severity": severity, "item": item}
    if escalated:
        kw["escalated_to"] = escalated
    cid = cli.add(**kw)
    ok(cli("dispatch", cid, "--unit", "城关供电所", "--at", f"{day} 10:00"))
    ok(cli("contact", cid, "--at", f"{day} 11:00"))
    reply = ["--verified" if verified else "--not-verified", "--responsible" if responsible else "--not-responsible",
             *REPLY[2:]]
    ok(cli("reply", cid, *reply, "--at", f"{day} 12:00"))
    return cid


def assess(cli: Cli, cid: str, rule: str, who: str, amount: int | str, at: str = "2026-11-05 10:00", *extra: str):
    flag = "--unit" if who.endswith(("所", "部", "中心")) else "--person"
    return cli("assess", cid, "--rule", rule, flag, who, "--amount", str(amount), "--at", at, *extra)


def events(cli: Cli, cid: str, action: str = "assess"):
    return [e for e in Store(cli.data).load(cid).history if e.action == action]


def range_text(lo: int, hi: int | None) -> str:
    return f"不少于 {lo} 元" if hi is None else f"{lo}～{hi} 元"


# ---------------------------------------------------------------- the table, row by row


@pytest.mark.parametrize("rule_id", list(TABLE))
def test_rule_row_bounds(rcli: Cli, rule_id: str) -> None:
    name, clause, lo, hi, severity = TABLE[rule_id]
    cid = counted(rcli, severity=severity or "一般")
    too_low = (f"考核金额 {lo - 1} 元不在条款「{rule_id}」（{name}，{clause}）的范围内：{range_text(lo, hi)}")
    refuse(rcli, too_low, "assess", cid, "--rule", rule_id, "--person", "李四", "--amount", str(lo - 1),
           "--at", "2026-11-05 10:00")
    if hi is not None:
        too_high = f"考核金额 {hi + 1} 元不在条款「{rule_id}」（{name}，{clause}）的范围内：{range_text(lo, hi)}"
        refuse(rcli, too_high, "assess", cid, "--rule", rule_id, "--person", "李四", "--amount", str(hi + 1),
               "--at", "2026-11-05 10:00")
    ok(assess(rcli, cid, rule_id, "李四", lo, "2026-11-05 10:00"))
    top = hi if hi is not None else lo * 50  # 不少于: no upper bound
    ok(assess(rcli, cid, rule_id, "赵六", top, "2026-11-05 11:00"))
    got = events(rcli, cid)
    assert [(e.rule, e.person, e.unit, e.amount) for e in got] == [
        (rule_id, "李四", None, lo), (rule_id, "赵六", None, top)]
    assert got[0].by == "张三"


def test_the_table_in_rules_yaml_is_the_regulations() -> None:
    r = rules_mod.load(REPO_RULES)
    general = [p for p in r.penalties if p.table == "penalties"]
    assert [p.id for p in general] == [*TABLE, "falsified"]
    for p in general[:-1]:
        name, clause, lo, hi, severity = TABLE[p.id]
        assert (p.name, p.clause, p.min, p.max, p.severity, p.charges, p.doubles, p.needs_verified) == (
            name, clause, lo, hi, severity, "person", True, True), p.id
    f = general[-1]
    assert (f.clause, f.min, f.max, f.charges, f.role, f.doubles, f.needs_verified) == (
        "第二十六条", 500, 500, "unit", "责任单位", False, False)
    assert r.penalty("attitude.abusive").sanction == "待岗学习1个月，待岗期满经公司考试合格后方可上岗"
    assert r.penalty("major.primary").sanction == "行政记大过至开除处分"
    assert r.penalty("serious.primary").sanction == "不高于行政留用察看一年处分"


def test_ten_tables_are_there_with_amounts_left_to_the_company() -> None:
    r = rules_mod.load(REPO_RULES)
    for table, clause in (("ten_prohibitions", "第二十四条（一）"), ("ten_commitments", "第二十四条（二）")):
        rows = [p for p in r.penalties if p.table == table]
        assert [p.id for p in rows] == [f"{table}.{i}" for i in range(1, 11)]
        assert all(p.min is None and p.max is None and p.clause.startswith(clause) for p in rows)
    assert r.penalty("ten_prohibitions.3").name == "不准为客户指定设计、施工、供货单位"


def test_unset_amount_refused_with_a_pointer_to_rules_yaml(rcli: Cli) -> None:
    cid = counted(rcli)
    line = rules_mod.load(REPO_RULES).penalty("ten_prohibitions.4").line
    refuse(rcli, f"考核条款「ten_prohibitions.4」（不准对客户投诉、咨询推诿塞责，第二十四条（一）；十个不准第四条）"
                 f"尚未设定金额，金额由本公司的考核文件规定；请在 rules.yaml（{REPO_RULES} 第 {line} 行）填写 min / max 后再考核",
           "assess", cid, "--rule", "ten_prohibitions.4", "--person", "李四", "--amount", "200", "--at", "2026-11-05 10:00")


def test_filled_in_ten_table_row_is_used_and_doubled(data_dir: Path, tmp_path: Path) -> None:
    text = REPO_RULES.read_text(encoding="utf-8").replace(
        "{id: ten_commitments.2, name: 提供24小时电力故障报修服务，抢修人员到达现场一般不超过：城区45分钟、农村90分钟、特殊边远地区2小时, "
        "clause: 第二十四条（二）；十项承诺第二条, min: null, max: null,",
        "{id: ten_commitments.2, name: 抢修超时, clause: 第二十四条（二）；十项承诺第二条, min: 100, max: 300,")
    assert "抢修超时" in text
    path = tmp_path / "company-rules.yaml"
    path.write_text(text, encoding="utf-8")
    cli = Cli(data_dir, path)
    cid = counted(cli, item="故障处理", escalated="国家电网公司")
    refuse(cli, "考核金额 601 元不在条款「ten_commitments.2」（抢修超时，第二十四条（二）；十项承诺第二条）的范围内："
                "200～600 元（越级投诉加倍考核，第二十五条；原为 100～300 元）",
           "assess", cid, "--rule", "ten_commitments.2", "--person", "李四", "--amount", "601", "--at", "2026-11-05 10:00")
    ok(assess(cli, cid, "ten_commitments.2", "李四", 600))


# ---------------------------------------------------------------- 越级 (第二十五条)


@pytest.mark.parametrize("rule_id,lo,hi", [("quality.no_loss", 100, 200), ("attitude.abusive", 300, 600)])
def test_escalated_doubles_both_bounds(rcli: Cli, rule_id: str, lo: int, hi: int) -> None:
    name, clause, *_ = TABLE[rule_id]
    cid = counted(rcli, escalated="国家能源局派出机构/12398")
    tail = f"{2 * lo}～{2 * hi} 元（越级投诉加倍考核，第二十五条；原为 {lo}～{hi} 元）"
    refuse(rcli, f"考核金额 {2 * lo - 1} 元不在条款「{rule_id}」（{name}，{clause}）的范围内：{tail}",
           "assess", cid, "--rule", rule_id, "--person", "李四", "--amount", str(2 * lo - 1), "--at", "2026-11-05 10:00")
    refuse(rcli, f"考核金额 {2 * hi + 1} 元不在条款「{rule_id}」（{name}，{clause}）的范围内：{tail}",
           "assess", cid, "--rule", rule_id, "--person", "李四", "--amount", str(2 * hi + 1), "--at", "2026-11-05 10:00")
    ok(assess(rcli, cid, rule_id, "李四", 2 * lo))
    ok(assess(rcli, cid, rule_id, "赵六", 2 * hi))
    assert [e.amount for e in events(rcli, cid)] == [2 * lo, 2 * hi]


def test_escalated_no_lower_bound_rule_doubles_its_minimum(rcli: Cli) -> None:
    cid = counted(rcli, severity="严重", escalated="政府热线")
    refuse(rcli, "考核金额 1999 元不在条款「serious.primary」（严重投诉事件，负主要责任者，第二十四条（四）2（1））的范围内："
                 "不少于 2000 元（越级投诉加倍考核，第二十五条；原为 不少于 1000 元）",
           "assess", cid, "--rule", "serious.primary", "--person", "李四", "--amount", "1999", "--at", "2026-11-05 10:00")
    ok(assess(rcli, cid, "serious.primary", "李四", 2000))


def test_escalate_later_then_doubled(rcli: Cli) -> None:
    cid = counted(rcli)
    ok(rcli("escalate", cid, "--to", "省公司", "--at", "2026-11-04 09:00", "--note", "客户又打省公司热线"))
    esc = events(rcli, cid, "escalate")
    assert [(e.escalated_to, e.note, e.by) for e in esc] == [("省公司", "客户又打省公司热线", "张三")]
    assert Store(rcli.data).load(cid).all_escalations == ("省公司",)
    refuse(rcli, "考核金额 300 元不在条款「attitude.poor」（态度冷淡、语言生硬等态度欠佳引发客户不满造成投诉，第二十四条（三）2（1））"
                 "的范围内：400～1000 元（越级投诉加倍考核，第二十五条；原为 200～500 元）",
           "assess", cid, "--rule", "attitude.poor", "--person", "李四", "--amount", "300", "--at", "2026-11-05 10:00")
    ok(assess(rcli, cid, "attitude.poor", "李四", 1000))


def test_escalate_refusals(rcli: Cli) -> None:
    cid = counted(rcli, escalated="政府热线")
    refuse(rcli, "越级投诉渠道「微博」无效，可选（第二十五条）：国家电网公司、国家能源局派出机构/12398、政府热线、省公司、新闻媒体、其他",
           "escalate", cid, "--to", "微博", "--at", "2026-11-04 09:00")
    refuse(rcli, f"投诉 {cid} 已登记越级投诉至「政府热线」，不能重复登记",
           "escalate", cid, "--to", "政府热线", "--at", "2026-11-04 09:00")
    # A side step follows the step it depends on (the 受理), not the latest main-line step (SPEC §2).
    refuse(rcli, "越级登记时间 2026-11-02 08:30 早于上一步「受理」的时间 2026-11-02 09:00，请检查 --at",
           "escalate", cid, "--to", "省公司", "--at", "2026-11-02 08:30")


def test_falsified_is_not_doubled_and_needs_no_verdict(rcli: Cli) -> None:
    # 第二十六条: 回复弄虚作假 — the reply said 不属实; 越级; still 500 per case, to the unit.
    cid = counted(rcli, escalated="国家电网公司", verified=False)
    refuse(rcli, "考核金额 1000 元不在条款「falsified」（回复中弄虚作假、隐瞒真相、不如实上报，第二十六条）的范围内：500 元",
           "assess", cid, "--rule", "falsified", "--unit", "城关供电所", "--amount", "1000", "--at", "2026-11-05 10:00")
    refuse(rcli, "考核金额 499 元不在条款「falsified」（回复中弄虚作假、隐瞒真相、不如实上报，第二十六条）的范围内：500 元",
           "assess", cid, "--rule", "falsified", "--unit", "城关供电所", "--amount", "499", "--at", "2026-11-05 10:00")
    r = rcli("assess", cid, "--rule", "falsified", "--unit", "城关供电所", "--at", "2026-11-05 10:00")  # 500 implied
    ok(r)
    assert f"{cid} 已考核城关供电所 500 元（falsified，第二十六条）。" in said(r)
    assert "另：对该单位及相关负责人予以通报批评（须另行办理）。" in said(r)
    assert [(e.rule, e.unit, e.person, e.amount) for e in events(rcli, cid)] == [("falsified", "城关供电所", None, 500)]


def test_falsified_needs_a_reply(rcli: Cli) -> None:
    cid = rcli.add()
    ok(rcli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 10:00"))
    refuse(rcli, f"投诉 {cid} 尚无责任单位的答复，不能按条款「falsified」（第二十六条）考核：考核在责任单位答复之后",
           "assess", cid, "--rule", "falsified", "--unit", "城关供电所", "--at", "2026-11-05 10:00")


# ---------------------------------------------------------------- 第九条: the 属实 gate


@pytest.mark.parametrize("verified,responsible,verdict", [
    (False, False, "核实结论为「不属实」、责任认定为「非供电责任」"),
    (True, False, "核实结论为「属实」、责任认定为「非供电责任」"),
])
def test_only_verified_and_responsible_are_assessed(rcli: Cli, verified: bool, responsible: bool, verdict: str) -> None:
    cid = counted(rcli, verified=verified, responsible=responsible)
    refuse(rcli, f"投诉 {cid} {verdict}，不能按条款「attitude.poor」考核"
                 "（第九条：经核实属实且属供电单位责任的，才列入投诉统计并纳入考核）",
           "assess", cid, "--rule", "attitude.poor", "--person", "李四", "--amount", "300", "--at", "2026-11-05 10:00")


def test_not_yet_verified_is_not_assessed(rcli: Cli) -> None:
    cid = rcli.add()
    refuse(rcli, f"投诉 {cid} 尚未答复核实，不能按条款「quality.loss」考核"
                 "（第九条：经核实属实且属供电单位责任的，才列入投诉统计并纳入考核）",
           "assess", cid, "--rule", "quality.loss", "--person", "李四", "--amount", "250", "--at", "2026-11-05 10:00")


# ---------------------------------------------------------------- persons, units, severity, ids


def test_person_rule_given_a_unit_and_unit_rule_given_a_person(rcli: Cli) -> None:
    cid = counted(rcli)
    refuse(rcli, "条款「attitude.poor」（第二十四条（三）2（1））考核责任人，请用 --person 给出人员，不能用 --unit（「城关供电所」）",
           "assess", cid, "--rule", "attitude.poor", "--unit", "城关供电所", "--amount", "300", "--at", "2026-11-05 10:00")
    refuse(rcli, "条款「falsified」（第二十六条）考核责任单位，请用 --unit 给出单位，不能用 --person（「李四」）",
           "assess", cid, "--rule", "falsified", "--person", "李四", "--amount", "500", "--at", "2026-11-05 10:00")
    refuse(rcli, "--person 与 --unit 只能给出一个：条款「attitude.poor」考核责任人",
           "assess", cid, "--rule", "attitude.poor", "--person", "李四", "--unit", "城关供电所", "--amount", "300",
           "--at", "2026-11-05 10:00")
    refuse(rcli, "缺少考核对象：条款「attitude.poor」（第二十四条（三）2（1））考核责任人，请用 --person 给出，可选：李四、赵六、孙七、王五",
           "assess", cid, "--rule", "attitude.poor", "--amount", "300", "--at", "2026-11-05 10:00")


def test_unknown_person_unit_rule_and_bad_amount(rcli: Cli, data_dir: Path) -> None:
    cid = counted(rcli)
    refuse(rcli, f"人员「李斯」不在组织机构（{data_dir / 'org.yaml'}）中，已有的人员：李四、赵六、孙七、王五",
           "assess", cid, "--rule", "attitude.poor", "--person", "李斯", "--amount", "300", "--at", "2026-11-05 10:00")
    refuse(rcli, f"单位「北城供电所」不在组织机构（{data_dir / 'org.yaml'}）中，已有的单位：城关供电所、东城供电所、客户服务中心、市场营销部",
           "assess", cid, "--rule", "falsified", "--unit", "北城供电所", "--at", "2026-11-05 10:00")
    ids = "、".join([*TABLE, "falsified", *(f"ten_prohibitions.{i}" for i in range(1, 11)),
                    *(f"ten_commitments.{i}" for i in range(1, 11))])
    refuse(rcli, f"考核条款「attitude.bad」不存在，可选：{ids}",
           "assess", cid, "--rule", "attitude.bad", "--person", "李四", "--amount", "300", "--at", "2026-11-05 10:00")
    refuse(rcli, "考核金额「三百」无效，应为整数（元），如 --amount 300",
           "assess", cid, "--rule", "attitude.poor", "--person", "李四", "--amount", "三百", "--at", "2026-11-05 10:00")
    refuse(rcli, "缺少考核金额：请用 --amount 给出，条款「attitude.poor」（第二十四条（三）2（1））的金额为 200～500 元",
           "assess", cid, "--rule", "attitude.poor", "--person", "李四", "--at", "2026-11-05 10:00")
    refuse(rcli, "缺少考核条款：请用 --rule 给出，或用 --suggest 查看本投诉适用的条款",
           "assess", cid, "--person", "李四", "--amount", "300", "--at", "2026-11-05 10:00")


def test_amount_with_yuan_is_accepted(rcli: Cli) -> None:
    cid = counted(rcli)
    ok(rcli("assess", cid, "--rule", "attitude.poor", "--person", "李四", "--amount", "300元", "--at", "2026-11-05 10:00"))
    assert events(rcli, cid)[0].amount == 300


def test_major_and_serious_rules_only_for_their_severity(rcli: Cli) -> None:
    cid = counted(rcli)
    refuse(rcli, f"条款「serious.primary」只适用于严重投诉事件（第二十四条（四）2（1）），投诉 {cid} 的事件等级为「一般」；"
                 f"如需定级请用 tousu grade {cid} --severity 严重",
           "assess", cid, "--rule", "serious.primary", "--person", "李四", "--amount", "1000", "--at", "2026-11-05 10:00")
    ok(rcli("grade", cid, "--severity", "严重", "--at", "2026-11-03 09:00"))
    refuse(rcli, f"条款「major.primary」只适用于重大投诉事件（第二十四条（四）1（1）），投诉 {cid} 的事件等级为「严重」；"
                 f"如需定级请用 tousu grade {cid} --severity 重大",
           "assess", cid, "--rule", "major.primary", "--person", "李四", "--amount", "800", "--at", "2026-11-05 10:00")
    ok(assess(rcli, cid, "serious.primary", "李四", 1000))
    ok(assess(rcli, cid, "serious.leadership", "赵六", 400, "2026-11-05 10:30"))
    assert [(e.rule, e.person, e.amount) for e in events(rcli, cid)] == [
        ("serious.primary", "李四", 1000), ("serious.leadership", "赵六", 400)]


def test_same_rule_same_person_twice_is_refused(rcli: Cli) -> None:
    cid = counted(rcli)
    ok(assess(rcli, cid, "attitude.poor", "李四", 300))
    refuse(rcli, f"投诉 {cid} 已于 2026-11-05 10:00 按条款「attitude.poor」考核李四 300 元，"
                 "同一投诉同一条款不能重复考核同一对象（第二十四条：按件考核）",
           "assess", cid, "--rule", "attitude.poor", "--person", "李四", "--amount", "300", "--at", "2026-11-06 10:00")


def test_assessment_time_checks(rcli: Cli) -> None:
    cid = counted(rcli)
    refuse(rcli, "考核时间 2026-11-02 11:00 早于上一步「答复」的时间 2026-11-02 12:00，请检查 --at",
           "assess", cid, "--rule", "attitude.poor", "--person", "李四", "--amount", "300", "--at", "2026-11-02 11:00")
    refuse(rcli, "--at：时间「昨天」无法识别，应为 YYYY-MM-DD HH:MM（如 2026-11-26 09:30，也接受 ISO 8601、2026/11/26 9:30、2026年11月26日 09:30）",
           "assess", cid, "--rule", "attitude.poor", "--person", "李四", "--amount", "300", "--at", "昨天")


def test_suggest_lists_what_fits(rcli: Cli) -> None:
    cid = counted(rcli, item="服务态度", escalated="政府热线")
    before = snapshot(rcli.data)
    r = rcli("assess", cid, "--suggest", "--format", "json")
    ok(r)
    data = json.loads(r.stdout)
    assert [x["rule"] for x in data["rules"]] == ["attitude.poor", "attitude.abusive", "falsified"]
    poor = data["rules"][0]
    assert (poor["min"], poor["max"], poor["doubled"], poor["clause"]) == (400, 1000, True, "第二十四条（三）2（1）")
    assert (data["rules"][2]["min"], data["rules"][2]["max"], data["rules"][2]["doubled"]) == (500, 500, False)
    assert data["other"] == ["quality.no_loss", "quality.loss"]
    assert len(data["unset"]) == 20
    assert snapshot(rcli.data) == before

    ok(rcli("grade", cid, "--severity", "重大", "--at", "2026-11-03 09:00"))
    data = json.loads(rcli("assess", cid, "--suggest", "--format", "json").stdout)
    ids = [x["rule"] for x in data["rules"]]
    assert [i for i in ids if i.startswith(("major.", "serious."))] == [
        "major.primary", "major.secondary", "major.workshop", "major.management", "major.leadership"]
    assert data["rules"][ids.index("major.primary")]["min"] == 1600

    table = rcli("assess", cid, "--suggest")
    ok(table)
    assert "major.leadership" in table.stdout and "行政警告至降职处分" in table.stdout


def test_suggest_on_unverified_leaves_only_falsified(rcli: Cli) -> None:
    cid = counted(rcli, verified=False, item="抄表质量")
    data = json.loads(rcli("assess", cid, "--suggest", "--format", "json").stdout)
    assert [x["rule"] for x in data["rules"]] == ["falsified"]
    refuse(rcli, "--suggest 只列出适用的条款，不能与 --rule 同用", "assess", cid, "--suggest", "--rule", "falsified")


def test_unit_fine_is_listed_per_unit(rcli: Cli) -> None:
    a = counted(rcli, day="2026-11-02")
    b = counted(rcli, day="2026-11-03")
    ok(assess(rcli, a, "falsified", "城关供电所", 500, "2026-11-10 10:00"))
    ok(assess(rcli, b, "falsified", "城关供电所", 500, "2026-11-11 10:00"))
    ok(assess(rcli, b, "falsified", "东城供电所", 500, "2026-11-11 11:00"))
    rules = rules_mod.load(REPO_RULES)
    cs, _ = Store(rcli.data).load_all()
    got = ledger_mod.unit_fines(cs, rules, Month(2026, 11))
    assert [(u["unit"], u["count"], u["amount"]) for u in got] == [("东城供电所", 1, 500), ("城关供电所", 2, 1000)]
    assert ledger_mod.unit_fines(cs, rules, Month(2026, 12)) == []
    assert ledger_mod.ledger(cs, org_mod.load(rcli.data / "org.yaml"), Month(2026, 11)) == []


# ---------------------------------------------------------------- the 绩效 ledger (第二十八条)


def test_ledger_carries_what_a_month_cannot_cover(rcli: Cli) -> None:
    # 孙七 has 300 元 绩效; fined 400 + 1000 in November 2026.
    cid = counted(rcli, severity="严重")
    ok(assess(rcli, cid, "attitude.poor", "孙七", 400, "2026-11-05 10:00"))
    ok(assess(rcli, cid, "serious.primary", "孙七", 1000, "2026-11-06 10:00"))
    cs, _ = Store(rcli.data).load_all()
    org = org_mod.load(rcli.data / "org.yaml")
    row = {"person": "孙七", "unit": "东城供电所", "monthly_performance": 300}
    assert ledger_mod.ledger(cs, org, Month(2026, 11)) == [
        {**row, "carried_in": 0, "assessed": 1400, "due": 1400, "deducted": 300, "carried": 1100}]
    assert ledger_mod.ledger(cs, org, Month(2026, 12)) == [
        {**row, "carried_in": 1100, "assessed": 0, "due": 1100, "deducted": 300, "carried": 800}]
    # 1100 → 800 (Dec) → 500 (Jan) → 200 (Feb) → paid off in March 2027.
    assert ledger_mod.ledger(cs, org, Month(2027, 3)) == [
        {**row, "carried_in": 200, "assessed": 0, "due": 200, "deducted": 200, "carried": 0}]
    assert ledger_mod.ledger(cs, org, Month(2027, 4)) == []
    assert ledger_mod.ledger(cs, org, Month(2026, 10)) == []

    pens = ledger_mod.month_penalties(cs, rules_mod.load(REPO_RULES), Month(2026, 11))
    assert pens == [
        {"id": cid, "rule": "attitude.poor", "rule_name": TABLE["attitude.poor"][0], "person": "孙七", "amount": 400,
         "clause": "第二十四条（三）2（1）", "at": "2026-11-05T10:00:00+08:00", "sanction": ""},
        {"id": cid, "rule": "serious.primary", "rule_name": TABLE["serious.primary"][0], "person": "孙七",
         "amount": 1000, "clause": "第二十四条（四）2（1）", "at": "2026-11-06T10:00:00+08:00",
         "sanction": "不高于行政留用察看一年处分"},
    ]


def test_ledger_month_is_china_time_and_new_fines_add_to_carried(rcli: Cli) -> None:
    a = counted(rcli, day="2026-10-08")
    b = counted(rcli, day="2026-11-02")
    # 2026-10-31 23:30 China time is still October (15:30 UTC).
    ok(assess(rcli, a, "attitude.abusive", "孙七", 600, "2026-10-31T15:30:00+00:00"))
    ok(assess(rcli, b, "attitude.poor", "孙七", 200, "2026-11-05 10:00"))
    ok(assess(rcli, b, "attitude.abusive", "李四", 300, "2026-11-05 11:00"))
    cs, _ = Store(rcli.data).load_all()
    org = org_mod.load(rcli.data / "org.yaml")
    oct_rows = ledger_mod.ledger(cs, org, Month(2026, 10))
    assert [(r["person"], r["due"], r["deducted"], r["carried"]) for r in oct_rows] == [("孙七", 600, 300, 300)]
    nov = {r["person"]: r for r in ledger_mod.ledger(cs, org, Month(2026, 11))}
    assert (nov["孙七"]["carried_in"], nov["孙七"]["assessed"], nov["孙七"]["due"], nov["孙七"]["carried"]) == (300, 200, 500, 200)
    assert (nov["李四"]["due"], nov["李四"]["deducted"], nov["李四"]["carried"]) == (300, 300, 0)
    assert list(nov) == ["李四", "孙七"]  # org.yaml order


# ---------------------------------------------------------------- half year (第二十七条)


def test_half_year_totals(rcli: Cli) -> None:
    h1 = counted(rcli, day="2026-05-11")
    a = counted(rcli, day="2026-09-01", item="服务态度")
    b = counted(rcli, day="2026-10-08", item="抄表质量")
    c = counted(rcli, day="2026-11-02", item="抄表质量", severity="严重")
    d = counted(rcli, day="2026-11-03", item="故障处理", verified=False)
    unassessed = counted(rcli, day="2026-11-04", item="停电公告")
    ok(assess(rcli, h1, "attitude.poor", "李四", 300, "2026-05-20 10:00"))
    ok(assess(rcli, a, "attitude.poor", "李四", 400, "2026-09-10 10:00"))
    ok(assess(rcli, b, "quality.loss", "孙七", 250, "2026-10-20 10:00"))
    ok(assess(rcli, c, "serious.primary", "李四", 1000, "2026-11-10 10:00"))
    ok(assess(rcli, c, "serious.management", "王五", 400, "2026-11-10 10:30"))
    ok(assess(rcli, d, "falsified", "城关供电所", 500, "2026-11-12 10:00"))
    cs, _ = Store(rcli.data).load_all()
    got = half_year(cs, rules_mod.load(REPO_RULES), org_mod.load(rcli.data / "org.yaml"), Half(2026, 2))
    json.dumps(got, ensure_ascii=False)  # JSON-able
    assert (got["half"], got["from"], got["to"]) == ("2026H2", "2026-07-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00")
    assert (got["received"], got["counted"]) == (5, 4)
    assert got["by_category"]["服务规范类"] == {"counted": 1, "items": {"服务态度": 1, "服务规范": 0}}
    assert got["by_category"]["营销管理类"]["counted"] == 2
    assert got["by_category"]["营销管理类"]["items"]["抄表质量"] == 2
    assert got["by_category"]["运行维护类"]["counted"] == 1  # 停电公告; 故障处理 was 不属实
    assert got["by_unit"]["城关供电所"] == {"received": 5, "counted": 4, "person_fines": 1400, "unit_fines": 500,
                                          "total": 1900}
    assert got["by_unit"]["东城供电所"] == {"received": 0, "counted": 0, "person_fines": 250, "unit_fines": 0,
                                          "total": 250}
    assert got["by_unit"]["市场营销部"]["person_fines"] == 400
    assert got["by_person"] == {"李四": {"unit": "城关供电所", "count": 2, "amount": 1400},
                                "孙七": {"unit": "东城供电所", "count": 1, "amount": 250},
                                "王五": {"unit": "市场营销部", "count": 1, "amount": 400}}
    assert [(p["id"], p["rule"], p.get("person") or p.get("unit"), p["amount"]) for p in got["penalties"]] == [
        (a, "attitude.poor", "李四", 400), (b, "quality.loss", "孙七", 250), (c, "serious.primary", "李四", 1000),
        (c, "serious.management", "王五", 400), (d, "falsified", "城关供电所", 500)]
    assert got["total_fines"] == 2550
    assert [u["id"] for u in got["unassessed"]] == [unassessed]

    first = half_year(cs, rules_mod.load(REPO_RULES), org_mod.load(rcli.data / "org.yaml"), Half(2026, 1))
    assert (first["received"], first["total_fines"]) == (1, 300)
    assert Half.parse("2026H2") == Half(2026, 2)


def test_show_lists_the_assessment(rcli: Cli) -> None:
    cid = counted(rcli)
    ok(assess(rcli, cid, "attitude.poor", "李四", 300, "2026-11-05 10:00", "--note", "通报后执行"))
    r = rcli("show", cid, "--at", "2026-11-05 10:00")
    ok(r)
    assert "态度冷淡" in r.stdout and "：李四 300元" in r.stdout and "attitude.poor" not in r.stdout
