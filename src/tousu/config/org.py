"""The organisation (data/org.yaml): units and staff, with each person's 月度绩效."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tousu.config import yamlio
from tousu.config.matching import Vocabulary, normalize
from tousu.errors import Problem, TousuError, choices, shown
from tousu.config.yamlio import line_of

UNIT_KINDS = ("基层单位", "职能部门")

EXAMPLE = """\
# 组织机构：责任单位与人员。不在此文件中的单位或人员会被拒绝。
# kind: 基层单位（供电所、客户服务中心）或 职能部门。
# aliases: 单位的其他叫法（如 城关所），输入时按单位全称记录。
# monthly_performance: 月度绩效（元），考核罚款从中扣除（第二十八条）。
# households: 客户户数（可选），用于月度通报的万户投诉率。
# company: 月度通报公文（report -o 通报.docx）的发文单位、文号、主送、落款；
#   doc_number 中 {year} 为年份，{n} 为序号（由 --number 给出，不给出则留空待填）。
company:
  name: XX县供电公司
  doc_number: XX营销〔{year}〕{n}号
  recipients: 各供电所、公司各部门
  issuer: 市场营销部
units:
  - name: 城关供电所
    kind: 基层单位
    households: 52000
    aliases: [城关所]
  - name: 市场营销部
    kind: 职能部门
staff:
  - name: 李四
    unit: 城关供电所
    post: 抄表员
    monthly_performance: 800
  - name: 王五
    unit: 市场营销部
    post: 95598班班长
    monthly_performance: 1200
"""


COMPANY_KEYS = ("name", "doc_number", "recipients", "issuer")


@dataclass(frozen=True)
class Unit:
    name: str
    kind: str
    households: int | None = None  # 客户户数, for 万户投诉率
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Company:
    """The issuer of the monthly 通报 公文 (SPEC §4 `company:`)."""

    name: str
    doc_number: str = ""  # 文号 pattern: {year}, {n}
    recipients: str = ""  # 主送
    issuer: str = ""  # 落款 unit (the company's name when empty)


@dataclass(frozen=True)
class Person:
    name: str
    unit: str
    post: str
    monthly_performance: int


@dataclass(frozen=True)
class Org:
    units: tuple[Unit, ...]
    staff: tuple[Person, ...]
    source: Path | None = None
    company: Company | None = None

    @property
    def households(self) -> dict[str, int]:
        return {u.name: u.households for u in self.units if u.households}

    @property
    def unit_names(self) -> tuple[str, ...]:
        return tuple(u.name for u in self.units)

    @property
    def person_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.staff)

    def vocabulary(self, kind: str) -> Vocabulary:
        """Units (with their aliases) or staff, for matching what people type (SPEC §8)."""
        if kind == "unit":
            aliases = {a: u.name for u in self.units for a in u.aliases}
            return Vocabulary("单位", self.unit_names, aliases, unknown=f"不在组织机构（{self.source}）中，已有的单位")
        return Vocabulary("人员", self.person_names, unknown=f"不在组织机构（{self.source}）中，已有的人员")

    def unit(self, name: str) -> Unit:
        for u in self.units:
            if u.name == name:
                return u
        raise TousuError(f"单位「{name}」不在组织机构（{self.source}）中，已有的单位：{choices(self.unit_names)}")

    def person(self, name: str) -> Person:
        for p in self.staff:
            if p.name == name:
                return p
        raise TousuError(f"人员「{name}」不在组织机构（{self.source}）中，已有的人员：{choices(self.person_names)}")


def load(path: Path) -> Org:
    """Load org.yaml; TousuError with located problems when it is wrong or missing."""
    if not path.is_file():
        raise TousuError(f"找不到组织机构文件 {path}；用 tousu init 创建数据目录，或用 --data 指定")
    data = yamlio.load_or_raise(path, "组织机构文件")
    problems: list[Problem] = []
    bad = lambda line, msg: problems.append(Problem(path, line, msg))  # noqa: E731
    if not isinstance(data, dict):
        raise TousuError(f"组织机构文件 {path} 无效", (Problem(path, 1, "应为包含 units 和 staff 的键值表"),))
    for key in data:
        if key not in ("units", "staff", "company"):
            bad(line_of(data, key), f"未知的键「{shown(key)}」，可用的键：units、staff、company")
    company = _company(data.get("company"), line_of(data, "company") if "company" in data else 1, bad)
    units: list[Unit] = []
    for i, row in enumerate(data.get("units") or []):
        at = line_of(data.get("units"), i)
        if not isinstance(row, dict) or not row.get("name"):
            bad(at, "单位应写作 {name: 单位名称, kind: 基层单位}")
            continue
        for key in row:
            if key not in ("name", "kind", "households", "aliases"):
                bad(line_of(row, key, at), f"单位中有未知的键「{shown(key)}」，可用的键：name、kind、households、aliases")
        households = row.get("households")
        if households is not None and (isinstance(households, bool) or not isinstance(households, int)
                                       or households <= 0):
            bad(line_of(row, "households", at), f"客户户数「{shown(households)}」应为正整数（户）")
            households = None
        kind = row.get("kind", "基层单位")
        if kind not in UNIT_KINDS:
            bad(line_of(row, "kind", at), f"单位类型「{shown(kind)}」无效，可选：{choices(UNIT_KINDS)}")
        if any(u.name == str(row["name"]) for u in units):
            bad(at, f"单位「{row['name']}」重复")
        units.append(Unit(str(row["name"]), str(kind), households, _unit_aliases(row, at, bad)))
    _check_aliases(units, bad, line_of(data, "units"))
    staff: list[Person] = []
    names = {u.name for u in units}
    for i, row in enumerate(data.get("staff") or []):
        at = line_of(data.get("staff"), i)
        if not isinstance(row, dict) or not row.get("name"):
            bad(at, "人员应写作 {name: 姓名, unit: 单位, post: 岗位, monthly_performance: 800}")
            continue
        for key in row:
            if key not in ("name", "unit", "post", "monthly_performance"):
                bad(line_of(row, key, at), f"人员中有未知的键「{shown(key)}」，可用的键：name、unit、post、monthly_performance")
        if row.get("unit") not in names:
            bad(line_of(row, "unit", at), f"人员「{row['name']}」的单位「{shown(row.get('unit'))}」不在 units 中，已有：{choices(sorted(names))}")
        perf = row.get("monthly_performance", 0)
        if isinstance(perf, bool) or not isinstance(perf, int) or perf < 0:
            bad(line_of(row, "monthly_performance", at), f"月度绩效「{shown(perf)}」应为不小于 0 的整数（元）")
            perf = 0
        if any(p.name == str(row["name"]) for p in staff):
            bad(at, f"人员「{row['name']}」重复（同名人员请加以区分，如「李四（城关）」）")
        staff.append(Person(str(row["name"]), str(row.get("unit")), str(row.get("post") or ""), perf))
    if problems:
        raise TousuError(f"组织机构文件 {path} 有 {len(problems)} 处错误", tuple(problems))
    return Org(tuple(units), tuple(staff), path, company)


def _company(raw: object, at: int, bad) -> Company | None:  # type: ignore[no-untyped-def]
    """org.yaml `company:` (optional): the 通报 公文's issuer; a missing name is an error once the section is there."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        bad(at, "company 应写作 {name: XX县供电公司, doc_number: XX营销〔{year}〕{n}号, recipients: …, issuer: …}")
        return None
    for key in raw:
        if key not in COMPANY_KEYS:
            bad(line_of(raw, key, at), f"company 中有未知的键「{shown(key)}」，可用的键：{'、'.join(COMPANY_KEYS)}")
    values = {k: raw.get(k) for k in COMPANY_KEYS}
    for k, v in values.items():
        if v is not None and not isinstance(v, str):
            bad(line_of(raw, k, at), f"company 的「{k}」应为文字，而不是「{shown(v)}」")
            values[k] = None
    if not (values["name"] or "").strip():
        bad(at, "company 缺少 name（发文单位名称，如 XX县供电公司）")
        return None
    return Company(**{k: (v or "").strip() for k, v in values.items()})
def _unit_aliases(row: dict, at: int, bad) -> tuple[str, ...]:  # noqa: ANN001
    value = row.get("aliases")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(a, (str, int)) and str(a).strip() for a in value):
        bad(line_of(row, "aliases", at), f"单位「{row['name']}」的 aliases 应为文字列表，如 [城关所]")
        return ()
    return tuple(str(a).strip() for a in value)


def _check_aliases(units: list[Unit], bad, line: int) -> None:  # noqa: ANN001
    """An alias names one unit only, and is no unit's own name."""
    seen = {normalize(u.name).casefold(): u.name for u in units}
    for u in units:
        for a in u.aliases:
            k = normalize(a).casefold()
            if k in seen and seen[k] != u.name:
                bad(line, f"单位「{u.name}」的别称「{a}」已是单位「{seen[k]}」的名称或别称")
            seen.setdefault(k, u.name)
