"""Generate a synthetic tousu data folder of N complaints, deterministically.

    python bench/make_data.py 10000 [--out bench/out/data-10000] [--seed 2026]

Complaints are received through 2026 (busier in summer, when storms and heat
bring 故障处理 and 供电质量 complaints) up to AS_OF, and each one lives its life
step by step — 派发, sometimes 退回 and 再分发, 首次联系, sometimes 延期, 答复,
审核 (sometimes 驳回), 回访 (sometimes 不满意 → 再分发), 归档 — with random delays;
events that would fall after AS_OF are cut off, so recent complaints are
caught mid-way in every state. Now and then a step stalls for days: those are
the overdue ones `check-overdue` must find.

Records are built as `model.Complaint` objects and written with
`records.dumps` straight into the store layout (no CLI, no lock, no fsync:
this is a generator for benchmarks, not a way to add complaints).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from datetime import date, datetime, time as dtime, timedelta
from pathlib import Path

from tousu.storage import records
from tousu.domain.model import Complaint, Customer, Event
from tousu.timeutil import CHINA

AS_OF = datetime(2026, 11, 20, 10, 0, tzinfo=CHINA)
"""The moment the synthetic world stops; bench/run.py checks overdue at this time."""

FIRST_DAY = date(2026, 1, 1)

UNITS = [
    "城关供电所", "东城供电所", "西城供电所", "南城供电所", "北城供电所", "开发区供电所",
    "河口供电所", "青山供电所", "石桥供电所", "龙潭供电所", "新桥供电所", "客户服务中心",
]
DEPARTMENTS = ["市场营销部", "运维检修部"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国文斌志鹏宇浩凯晨欣怡子涵雨轩梓萱一诺"
STREETS = ["人民路", "解放路", "建设路", "中山路", "新华街", "胜利街", "光明路", "和平路", "滨江路", "工业园路"]
POSTS = ["所长", "副所长", "营业员", "抄表员", "装表接电工", "配电运维工", "客户经理"]

ITEMS = {  # 投诉项 → (大类, weight, what customers say)
    "服务态度": ("服务规范类", 14, ["工作人员态度生硬，说话不耐烦", "营业厅人员对咨询爱答不理"]),
    "服务规范": ("服务规范类", 6, ["上门服务未出示证件", "约定时间未到现场"]),
    "抄表质量": ("营销管理类", 8, ["本月电表读数明显偏大，怀疑估抄", "连续两个月未抄表"]),
    "营业收费": ("营销管理类", 4, ["收费未开具票据", "重复收取费用"]),
    "电费电价": ("营销管理类", 9, ["阶梯电价计算有误，电费突然翻倍", "峰谷电价执行不对"]),
    "催收电费": ("营销管理类", 3, ["未提前通知就停电催费", "催费短信频繁"]),
    "电能计量": ("营销管理类", 7, ["电表走字快，申请校验后无人处理", "电表箱损坏未更换"]),
    "报装接电": ("营销管理类", 6, ["新装申请超过时限仍未接电", "增容申请一直未办理"]),
    "故障处理": ("运行维护类", 16, ["停电报修后抢修人员迟迟未到", "故障修复后又反复停电"]),
    "供电质量": ("运行维护类", 9, ["晚间电压偏低，空调无法启动", "频繁闪断影响生产"]),
    "停电公告": ("运行维护类", 4, ["计划停电未提前公告", "停电时间与公告不符"]),
    "电器损坏": ("运行维护类", 3, ["电压突升烧坏冰箱和电视", "线路故障导致家电损坏"]),
    "安全隐患": ("运行维护类", 3, ["电线杆倾斜存在安全隐患", "变压器周围无防护"]),
    "施工质量": ("运行维护类", 2, ["施工后路面未恢复", "表箱安装不牢固"]),
    "环保": ("运行维护类", 1, ["变压器噪声扰民", "施工垃圾未清理"]),
    "电网改造": ("运行维护类", 2, ["改造工程拖延影响用电", "改造后电压反而更低"]),
    "宣传不到位": ("供电方宣传责任类", 3, ["新电价政策未告知", "线上缴费方式无人讲解"]),
}
CHANNELS = (["来电"] * 70) + (["互联网"] * 18) + (["来信"] * 4) + (["来访"] * 6) + (["其他"] * 2)
ATTITUDES = ["平和"] * 60 + ["不满"] * 25 + ["情绪激动"] * 10 + ["态度坚决"] * 5
ESCALATIONS = ["国家电网公司", "国家能源局派出机构/12398", "政府热线", "省公司"]
# Busier in summer (storms, heat): relative weight of each month.
MONTH_WEIGHT = {1: 8, 2: 7, 3: 7, 4: 7, 5: 8, 6: 10, 7: 12, 8: 12, 9: 9, 10: 7, 11: 7, 12: 6}


def org_yaml() -> str:
    """An org.yaml with the units and a few staff each."""
    rng = random.Random(7)
    lines = ["# 合成数据：bench/make_data.py 生成", "units:"]
    for u in UNITS:
        lines.append(f"  - {{name: {u}, kind: 基层单位}}")
    for d in DEPARTMENTS:
        lines.append(f"  - {{name: {d}, kind: 职能部门}}")
    lines.append("staff:")
    seen: set[str] = set()
    for u in UNITS + DEPARTMENTS:
        for post in POSTS[:4]:
            name = ""
            while not name or name in seen:
                name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            seen.add(name)
            perf = rng.choice([600, 800, 1000, 1200, 1500])
            lines.append(f"  - {{name: {name}, unit: {u}, post: {post}, monthly_performance: {perf}}}")
    return "\n".join(lines) + "\n"


class Life:
    """Random delays for one complaint's steps."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        # About 1.5% of complaints are forgotten at some step and never move again.
        self.forgotten_at = rng.randrange(1, 6) if rng.random() < 0.015 else 0
        self.steps = 0

    def minutes(self, lo: float, hi: float) -> timedelta:
        return timedelta(minutes=self.rng.uniform(lo, hi))

    def delay(self, typical: tuple[float, float], late: tuple[float, float], p_late: float,
              stall: float = 0.004) -> timedelta:
        """Usually `typical` minutes; with p_late, `late` minutes; rarely stalls for days."""
        self.steps += 1
        if self.steps == self.forgotten_at:
            return timedelta(days=400)
        r = self.rng.random()
        if r < stall:
            return timedelta(days=self.rng.uniform(3, 60))
        if r < stall + p_late:
            return self.minutes(*late)
        return self.minutes(*typical)


def _office_hours(t: datetime, rng: random.Random) -> datetime:
    """Push a step done at night to the next morning, as people would."""
    if 8 <= t.hour < 20:
        return t
    day = t.date() + (timedelta(days=1) if t.hour >= 20 else timedelta())
    return datetime.combine(day, dtime(8, rng.randrange(0, 60)), CHINA)


def complaint(rng: random.Random, cid: str, received: datetime, staff: dict[str, list[str]],
              hotline: list[str], managers: list[str]) -> Complaint:
    item = rng.choices(list(ITEMS), weights=[v[1] for v in ITEMS.values()])[0]
    category, _, says = ITEMS[item]
    severity = rng.choices(["一般", "严重", "重大"], weights=[985, 12, 3])[0]
    escalated = (rng.choice(ESCALATIONS),) if rng.random() < 0.03 else ()
    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + ("" if rng.random() < 0.4 else rng.choice(GIVEN))
    cust = Customer(
        name=name,
        phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
        address=f"{rng.choice(STREETS)}{rng.randrange(1, 400)}号",
        account=f"{rng.randrange(10**9, 10**10)}",
    )
    life = Life(rng)
    hist: list[Event] = []
    t = received

    def step(action: str, after: timedelta, by: str, office: bool = True, **kw: object) -> bool:
        nonlocal t
        at = t + after
        if office:
            at = _office_hours(at, rng)
        at = at.replace(second=0, microsecond=0)
        if at > AS_OF:
            return False
        t = at
        hist.append(Event(action, at, by, **kw))  # type: ignore[arg-type]
        return True

    hist.append(Event("add", received, rng.choice(hotline)))

    def work() -> bool:
        """Steps from a dispatch to archive; False when AS_OF cuts the life short."""
        for _cycle in range(3):
            unit = rng.choice(UNITS)
            if not step("dispatch", life.delay((3, 50), (61, 240), 0.04), rng.choice(hotline), False, unit=unit):
                return False
            if severity != "一般" and not any(e.action == "notify" for e in hist):
                if not step("notify", life.minutes(10, 120), rng.choice(hotline), False):
                    return False
            people = staff[unit]
            if rng.random() < 0.05:  # not this unit's matter
                if not step("return", life.delay((30, 600), (1500, 4000), 0.1), rng.choice(people),
                            reason="不属本单位供电范围"):
                    return False
                continue
            if not step("contact", life.delay((10, 300), (1500, 4500), 0.03), rng.choice(people)):
                return False
            if severity == "一般" and rng.random() < 0.005 and not any(e.action == "grade" for e in hist):
                if not step("grade", life.minutes(30, 600), rng.choice(managers), severity="严重"):
                    return False
                if not step("notify", life.delay((10, 300), (900, 1500), 0.1), rng.choice(hotline), False):
                    return False
            if rng.random() < 0.03:
                # Later than any 4-working-day deadline (春节 and 国庆 stretch them to 13 days).
                until = datetime.combine(t.date() + timedelta(days=25), dtime(), CHINA)
                if not step("extend", life.minutes(60, 1440), rng.choice(people), until=until,
                            reason="情况复杂，需现场勘查", approved_by=rng.choice(managers)):
                    return False
            for _attempt in range(2):
                verified = rng.random() < 0.55
                if not step("reply", life.delay((300, 4300), (7000, 12000), 0.04), rng.choice(people),
                            verified=verified, responsible=verified and rng.random() < 0.8,
                            cause="经现场核实，" + rng.choice(says), process="已联系客户并现场处理",
                            measures="加强培训，规范服务" if verified else None):
                    return False
                approved = rng.random() < 0.95
                if not step("review", life.minutes(30, 600), rng.choice(managers), approved=approved,
                            reason=None if approved else "答复内容不完整"):
                    return False
                if approved:
                    break
            else:
                return True  # rejected twice: waiting for a third reply
            satisfied = rng.random() < 0.93
            if not step("revisit", life.delay((30, 1000), (1500, 3000), 0.03), rng.choice(hotline),
                        satisfied=satisfied):
                return False
            if satisfied:
                step("archive", life.minutes(10, 2880), rng.choice(hotline))
                return True
        return True

    work()
    return Complaint(
        id=cid, received_at=received, channel=rng.choice(CHANNELS), received_by=hist[0].by, customer=cust,
        category=category, item=item, content=rng.choice(says), attitude=rng.choice(ATTITUDES),
        severity=severity, escalated_to=escalated, history=tuple(hist),
    )


def received_times(rng: random.Random, n: int) -> list[datetime]:
    """N 受理 times in 2026 up to AS_OF, weighted by month, mostly in the daytime."""
    days = []
    d = FIRST_DAY
    while d <= AS_OF.date():
        days.append(d)
        d += timedelta(days=1)
    weights = [MONTH_WEIGHT[x.month] for x in days]
    out = []
    for day in rng.choices(days, weights=weights, k=n):
        hour = rng.choices(range(24), weights=[1, 1, 1, 1, 1, 2, 4, 8, 12, 12, 11, 10,
                                               8, 9, 10, 10, 9, 8, 7, 6, 5, 4, 2, 1])[0]
        t = datetime.combine(day, dtime(hour, rng.randrange(60)), CHINA)
        out.append(min(t, AS_OF - timedelta(minutes=1)))
    return sorted(out)


def generate(n: int, out: Path, seed: int = 2026) -> int:
    """Write N complaints and org.yaml under `out`; returns the number written."""
    rng = random.Random(seed)
    (out / "complaints").mkdir(parents=True, exist_ok=True)
    org = org_yaml()
    (out / "org.yaml").write_text(org, encoding="utf-8")
    staff: dict[str, list[str]] = defaultdict(list)
    for line in org.splitlines():
        if "unit: " in line:
            name = line.split("name: ")[1].split(",")[0]
            staff[line.split("unit: ")[1].split(",")[0]].append(name)
    hotline, managers = staff["市场营销部"][:2], staff["市场营销部"][2:]
    seq: dict[date, int] = defaultdict(int)
    made_dirs: set[Path] = set()
    for received in received_times(rng, n):
        day = received.date()
        seq[day] += 1
        cid = f"TS{day:%Y%m%d}{seq[day]:04d}"
        c = complaint(rng, cid, received, staff, hotline, managers)
        folder = out / "complaints" / f"{day:%Y-%m}"
        if folder not in made_dirs:
            folder.mkdir(exist_ok=True)
            made_dirs.add(folder)
        (folder / f"{cid}.yaml").write_text(records.dumps(c), encoding="utf-8")
    return n


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("n", type=int, help="how many complaints")
    p.add_argument("--out", type=Path, help="data folder to create (default bench/out/data-N)")
    p.add_argument("--seed", type=int, default=2026)
    args = p.parse_args(argv)
    out = args.out or Path(__file__).resolve().parent / "out" / f"data-{args.n}"
    if (out / "complaints").exists() and any((out / "complaints").iterdir()):
        print(f"{out} already has complaints; remove it first", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    generate(args.n, out, args.seed)
    print(f"{args.n} complaints in {out} ({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
