"""The work order's state machine (SPEC §2; 第四、十四—二十一条).

Each step is a pure function: the current record, the step's facts, `now`
→ a new record with one more event, or a TousuError in Chinese saying why the
step does not fit. Nothing in the history is rewritten, and no step may be dated
before the one it follows.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from tousu.errors import Problem, TousuError, about, choices
from tousu.domain import states
from tousu.domain.assessment import charges_zh, effective_range, refusal, rule_of
from tousu.domain.deadlines import REVIEW, pending_deadline, stages
from tousu.domain.labels import STATES
from tousu.domain.model import Complaint, Customer, Event
from tousu.domain.phones import parse_phone
from tousu.domain.workdays import WorkCalendar
from tousu.config.org import Org
from tousu.config.rules import Rules
from tousu.timeutil import human, human_deadline, to_china

FUTURE_SLACK = timedelta(minutes=5)


def _refuse_state(c: Complaint, action: str, step: str, hint: str = "") -> None:
    """The step must fit the current state (the one table: domain/states.py)."""
    if not states.allowed(action, c.state):
        allowed = states.allowed_after(action)
        want = "、".join(STATES[s] for s in allowed)
        msg = f"投诉 {c.id} 当前状态为「{c.state_zh}」，不能{step}（{step}只适用于「{want}」状态）"
        raise TousuError(msg + (f"；{hint}" if hint else ""))


def check_time(c: Complaint | None, at: datetime, now: datetime, what: str, action: str | None = None) -> datetime:
    """A step's time: not in the future, not before the step it follows on its track (SPEC §2).

    `action` picks the track (domain/states.Tracks); without it, the latest event.
    Times are compared at minute precision, as people see them.
    """
    at = to_china(at)
    if at > now + FUTURE_SLACK:
        raise TousuError(f"{what}时间 {human(at)} 晚于当前时间 {human(now)}，不能预先登记", field="at")
    prev = _prior(c, action) if c is not None else None
    if prev is not None and states.to_minute(at) < states.to_minute(prev.at):
        raise TousuError(f"{what}时间 {human(at)} 早于上一步「{prev.label}」的时间 {human(prev.at)}，请检查 --at", field="at")
    return at


def _prior(c: Complaint, action: str | None) -> Event | None:
    if action is None:
        return c.history[-1] if c.history else None
    tracks = states.Tracks()
    for e in c.history:
        tracks.feed(e)
    return tracks.prior(action)


def append(c: Complaint, ev: Event) -> Complaint:
    """The record with one more event; nothing earlier is touched."""
    return replace(c, history=c.history + (ev,))


def _current_cycle(c: Complaint) -> tuple[Event, ...]:
    """The events since the latest dispatch."""
    steps = c.steps
    idx = max((i for i, e in enumerate(steps) if e.action == "dispatch"), default=-1)
    return steps[idx + 1:] if idx >= 0 else ()


def _required(value: str | None, what: str, option: str) -> str:
    if value is None or not str(value).strip():
        raise TousuError(f"缺少{what}，请用 {option} 给出", field=option[2:].replace("-", "_"))
    return str(value).strip()


# ---------------------------------------------------------------- intake


def check_phone(phone: str) -> str:
    """A mobile or fixed-line number, kept as typed (phones.parse_phone); TousuError naming it otherwise."""
    return parse_phone(phone).typed


def _category(rules: Rules, item: str, category: str | None) -> str:
    """The 大类 of a 投诉项 (第十条); a given 大类 must be the item's own."""
    items = rules.items
    if item not in items:
        valid = "；".join(f"{cat}：{'、'.join(its)}" for cat, its in rules.taxonomy.items())
        raise TousuError(f"投诉项「{item}」无效，可选（第十条）：{valid}", field="item")
    if category is None or category == "":
        return items[item]
    if category not in rules.taxonomy:
        raise TousuError(f"投诉大类「{category}」无效，可选：{choices(rules.taxonomy)}", field="category")
    if items[item] != category:
        raise TousuError(f"投诉项「{item}」不属于「{category}」，而属于「{items[item]}」；"
                         f"「{category}」的投诉项：{choices(rules.taxonomy[category])}", field="item")
    return category


def _known(value: str, allowed: tuple[str, ...], what: str, field: str, clause: str = "") -> str:
    """`value` if rules.yaml lists it, else refused naming the choices (and the clause that sets them)."""
    if value not in allowed:
        where = f"（{clause}）" if clause else ""
        raise TousuError(f"{what}「{value}」无效，可选{where}：{choices(allowed)}", field=field)
    return value


def new_complaint(
    *,
    rules: Rules,
    received_at: datetime,
    now: datetime,
    by: str,
    channel: str,
    name: str,
    phone: str,
    category: str | None,
    item: str,
    content: str,
    address: str = "",
    account: str = "",
    attitude: str | None = None,
    severity: str | None = None,
    escalated_to: tuple[str, ...] = (),
    ref: str | None = None,
    note: str = "",
) -> Complaint:
    """A draft complaint (ID to be given by the store), checked against rules.yaml."""
    received_at = check_time(None, received_at, now, "受理")
    _known(channel, rules.channels, "受理渠道", "channel")
    name = _required(name, "客户姓名", "--name")
    phone = check_phone(_required(phone, "联系电话", "--phone"))
    category = _category(rules, item, category)
    content = _required(content, "诉求内容", "--content")
    attitude = _known(attitude or rules.attitudes[0], rules.attitudes, "客户态度程度", "attitude", "第十四条")
    severity = _known(severity or rules.severities[0], rules.severities, "事件等级", "severity")
    for ch in escalated_to:
        _known(ch, rules.escalation_channels, "越级投诉渠道", "escalated_to", "第二十五条")
    by = _required(by, "受理人", "--by")
    return Complaint(
        id="",
        ref=(ref or "").strip() or None,
        received_at=received_at,
        channel=channel,
        received_by=by,
        customer=Customer(name=name, phone=phone, address=(address or "").strip(), account=(account or "").strip()),
        category=category,
        item=item,
        content=content,
        attitude=attitude,
        severity=severity,
        escalated_to=tuple(dict.fromkeys(escalated_to)),
        history=(Event("add", received_at, by, note),),
    )


NOT_VERIFIED_BUT_RESPONSIBLE = ("核实结论为「不属实」的投诉不能认定为「供电责任」：请将责任认定改为「非供电责任」，"
                                "或核实结论改为「属实」（第九条）")


def rule_problems(c: Complaint, rules: Rules) -> list[Problem]:
    """Values in a (perhaps hand-edited) record that rules.yaml does not know.

    The record is still processed (its deadlines still run), but the problem is
    reported, so a typo such as 投诉项「电费点价」 cannot quietly skew a bulletin.
    """
    where = c.path or c.id
    out: list[Problem] = []

    def bad(message: str, line: int = 0, code: str = "E120") -> None:
        out.append(Problem(where, line, message, code))

    if c.channel not in rules.channels:
        bad(f"受理渠道「{c.channel}」不在 rules.yaml 中，可选：{choices(rules.channels)}")
    if c.item not in rules.items:
        bad(f"投诉项「{c.item}」不在 rules.yaml 中，可选：{choices(rules.items)}")
    elif rules.items[c.item] != c.category:
        bad(f"投诉项「{c.item}」属于「{rules.items[c.item]}」，不属于「{c.category}」")
    if c.attitude not in rules.attitudes:
        bad(f"客户态度程度「{c.attitude}」不在 rules.yaml 中，可选：{choices(rules.attitudes)}")
    for sev in (c.severity, *(e.severity for e in c.steps if e.action == "grade")):
        if sev not in rules.severities:
            bad(f"事件等级「{sev}」不在 rules.yaml 中，可选：{choices(rules.severities)}")
    if c.reply is not None and c.responsible and not c.verified:
        bad(NOT_VERIFIED_BUT_RESPONSIBLE, c.reply.line, "E107")
    for ch in c.all_escalations:
        if ch not in rules.escalation_channels:
            bad(f"越级投诉渠道「{ch}」不在 rules.yaml 中，可选：{choices(rules.escalation_channels)}")
    return out


# ---------------------------------------------------------------- steps


def dispatch(c: Complaint, *, unit: str, at: datetime, by: str, now: datetime, org: Org, note: str = "") -> Complaint:
    """派发 or 再分发 to a unit (第十四条、第十七条、第二十一条)."""
    _refuse_state(c, "dispatch", "派发",
                  "处理中的工单如不属本单位，应由该单位先退回（tousu return）" if c.state == "dispatched" else "")
    with about("unit"):
        org.unit(unit)
    at = check_time(c, at, now, "派发", "dispatch")
    return append(c, Event("dispatch", at, by, note, unit=unit))


def contact(c: Complaint, *, at: datetime, by: str, now: datetime, note: str = "") -> Complaint:
    """首次联系客户 (第十五条: 1个工作日内)."""
    _refuse_state(c, "contact", "登记首次联系")
    done = next((e for e in _current_cycle(c) if e.action == "contact"), None)
    if done:
        raise TousuError(f"投诉 {c.id} 已于 {human(done.at)} 由 {done.by} 登记首次联系，不能重复登记")
    at = check_time(c, at, now, "联系", "contact")
    return append(c, Event("contact", at, by, note))


def return_(c: Complaint, *, reason: str, at: datetime, by: str, now: datetime, note: str = "") -> Complaint:
    """退回 95598班: not this unit's matter, with the reason (第十七条)."""
    _refuse_state(c, "return", "退回")
    if any(e.action == "reply" for e in _current_cycle(c)):
        raise TousuError(f"投诉 {c.id} 已由{c.unit}答复，不能再退回")
    reason = _required(reason, "退回理由（第十七条：应说明理由）", "--reason")
    at = check_time(c, at, now, "退回", "return")
    return append(c, Event("return", at, by, note, unit=c.unit, reason=reason))


def extend(c: Complaint, *, until: datetime, reason: str, approved_by: str, at: datetime, by: str,
           now: datetime, org: Org, rules: Rules, cal: WorkCalendar, note: str = "") -> Complaint:
    """延期: 情况复杂, 向客户说明原因并报公司同意后 (第十五条); beyond the current reply deadline."""
    _refuse_state(c, "extend", "延期")
    current_deadline = pending_deadline(c, "reply", rules, cal)
    reason = _required(reason, "延期理由", "--reason")
    approved_by = _required(approved_by, "批准人", "--approved-by")
    with about("approved_by"):
        org.person(approved_by)
    at = check_time(c, at, now, "延期", "extend")
    until = to_china(until)
    if current_deadline is not None and until <= current_deadline:
        raise TousuError(f"延期至 {human_deadline(until)} 不晚于现在的答复期限 {human_deadline(current_deadline)}，无需延期", field="until")
    if until <= at:
        raise TousuError(f"延期至 {human_deadline(until)} 早于登记时间 {human(at)}", field="until")
    return append(c, Event("extend", at, by, note, until=until, reason=reason, approved_by=approved_by))


def reply(c: Complaint, *, verified: bool, responsible: bool, cause: str, process: str, measures: str,
          at: datetime, by: str, now: datetime, note: str = "") -> Complaint:
    """答复客户并回复95598班 (第十五条), with 核实结论 and 责任认定 (第九条)."""
    _refuse_state(c, "reply", "答复")
    if responsible and not verified:
        raise TousuError(NOT_VERIFIED_BUT_RESPONSIBLE, field="verified")
    if not any(e.action == "contact" for e in _current_cycle(c)):
        raise TousuError(f"投诉 {c.id} 尚未登记首次联系客户，请先运行 tousu contact {c.id}（第十五条：首日联系）")
    process = _required(process, "处理过程", "--process")
    cause = _required(cause, "投诉原因", "--cause")
    at = check_time(c, at, now, "答复", "reply")
    return append(c, Event("reply", at, by, note, verified=verified, responsible=responsible,
                            cause=cause, process=process, measures=(measures or "").strip()))


def review(c: Complaint, *, approve: bool, reason: str | None, at: datetime, by: str, now: datetime,
           note: str = "") -> Complaint:
    """营销部审核 (第十六条); a rejected reply goes back to the unit."""
    _refuse_state(c, "review", "审核")
    if not approve:
        reason = _required(reason, "驳回理由", "--reason")
    at = check_time(c, at, now, "审核", "review")
    return append(c, Event("review", at, by, note, approved=approve, reason=(reason or None)))


def revisit(c: Complaint, *, satisfied: bool, at: datetime, by: str, now: datetime, note: str = "",
            reason: str | None = None) -> Complaint:
    """回访 (第十六条、第二十条); unsatisfied → 再分发 (第二十一条), with the customer's reason when known."""
    _refuse_state(c, "revisit", "回访", "答复须先经营销部审核（tousu review）" if c.state == "replied" else "")
    at = check_time(c, at, now, "回访", "revisit")
    return append(c, Event("revisit", at, by, note, satisfied=satisfied, reason=(reason or "").strip() or None))


def archive(c: Complaint, *, at: datetime, by: str, now: datetime, note: str = "") -> Complaint:
    """归档, after a satisfied 回访 (第十六条、第二十条: 投诉100%回访)."""
    _refuse_state(c, "archive", "归档", "归档前须回访且客户满意（tousu revisit）")
    at = check_time(c, at, now, "归档", "archive")
    return append(c, Event("archive", at, by, note))


def grade(c: Complaint, *, severity: str, rules: Rules, at: datetime, by: str, now: datetime,
          note: str = "") -> Complaint:
    """Set or raise 事件等级; 严重/重大 starts the same-day 上报 clock (第十九条)."""
    if severity not in rules.severities:
        raise TousuError(f"事件等级「{severity}」无效，可选：{choices(rules.severities)}", field="severity")
    if not states.allowed("grade", c.state):
        raise TousuError(f"投诉 {c.id} {c.state_zh}，不能再定级")
    current = c.current_severity
    order = rules.severities
    if order.index(severity) <= order.index(current):
        higher = order[order.index(current) + 1:]
        tail = f"只能提高（可选：{choices(higher)}）" if higher else "已是最高等级，不能再提高"
        raise TousuError(f"投诉 {c.id} 的事件等级已是「{current}」，{tail}", field="severity")
    at = check_time(c, at, now, "定级", "grade")
    return append(c, Event("grade", at, by, note, severity=severity))


def notify(c: Complaint, *, at: datetime, by: str, now: datetime, note: str = "") -> Complaint:
    """当日上报营销部 of a 严重/重大 event (第十九条)."""
    severity = c.current_severity
    if severity not in ("严重", "重大"):
        raise TousuError(f"投诉 {c.id} 的事件等级为「{severity}」，只有严重或重大投诉事件需要上报（第十九条）；"
                         f"如需定级请用 tousu grade {c.id} --severity 严重", field="severity")
    raised = c.last("grade")
    since = raised.at if raised else c.received_at
    done = c.last("notify")
    if done is not None and done.at >= since:
        raise TousuError(f"投诉 {c.id} 已于 {human(done.at)} 由 {done.by} 上报，不能重复上报")
    at = check_time(c, at, now, "上报", "notify")
    return append(c, Event("notify", at, by, note))


def escalate(c: Complaint, *, rules: Rules, channel: str, at: datetime, by: str, now: datetime,
             note: str = "") -> Complaint:
    """Register that the customer also complained outside the company (越级, 第二十五条)."""
    channel = (channel or "").strip()
    if channel not in rules.escalation_channels:
        raise TousuError(f"越级投诉渠道「{channel}」无效，可选（第二十五条）：{choices(rules.escalation_channels)}", field="escalated_to")
    if channel in c.all_escalations:
        raise TousuError(f"投诉 {c.id} 已登记越级投诉至「{channel}」，不能重复登记")
    at = check_time(c, at, now, "越级登记", "escalate")
    return append(c, Event("escalate", at, by, note, escalated_to=channel))


def _assessed_target(r, person: str | None, unit: str | None, org: Org) -> tuple[str | None, str | None]:  # noqa: ANN001
    """Exactly the one kind of target the rule charges: a person (责任人) or a unit (责任单位)."""
    person = (person or "").strip() or None
    unit = (unit or "").strip() or None
    if person and unit:
        raise TousuError(f"--person 与 --unit 只能给出一个：条款「{r.id}」考核{charges_zh(r)}", field="person")
    if r.charges == "unit":
        if person:
            raise TousuError(f"条款「{r.id}」（{r.clause}）考核责任单位，请用 --unit 给出单位，不能用 --person（「{person}」）", field="unit")
        if not unit:
            raise TousuError(f"缺少考核对象：条款「{r.id}」（{r.clause}）考核责任单位，请用 --unit 给出，可选：{choices(org.unit_names)}", field="unit")
    else:
        if unit:
            raise TousuError(f"条款「{r.id}」（{r.clause}）考核责任人，请用 --person 给出人员，不能用 --unit（「{unit}」）", field="person")
        if not person:
            raise TousuError(f"缺少考核对象：条款「{r.id}」（{r.clause}）考核责任人，请用 --person 给出，可选：{choices(org.person_names)}", field="person")
    return person, unit


def assess(c: Complaint, *, rules: Rules, org: Org, rule: str | None, amount: int | None,
           person: str | None = None, unit: str | None = None,
           at: datetime, by: str, now: datetime, note: str = "") -> Complaint:
    """Record one penalty (第二十四—二十六条) after checking it against the rule and the facts."""
    r = rule_of(rules, rule)
    person, unit = _assessed_target(r, person, unit, org)
    why = refusal(c, r, rules.source)
    if why:
        raise TousuError(why)
    with about("person" if person else "unit"):
        if person:
            org.person(person)
        else:
            org.unit(unit)  # type: ignore[arg-type]
    rng = effective_range(r, c)
    if amount is None:
        if rng.fixed is None:
            raise TousuError(f"缺少考核金额：请用 --amount 给出，条款「{r.id}」（{r.clause}）的金额为 {rng.describe()}", field="amount")
        amount = rng.fixed
    if not rng.admits(amount):
        raise TousuError(f"考核金额 {amount} 元不在条款「{r.id}」（{r.name}，{r.clause}）的范围内：{rng.describe()}", field="amount")
    who = person or unit
    for e in c.steps:
        if e.action == "assess" and e.rule == r.id and (e.person or e.unit) == who:
            raise TousuError(f"投诉 {c.id} 已于 {human(e.at)} 按条款「{r.id}」考核{who} {e.amount} 元，"
                             f"同一投诉同一条款不能重复考核同一对象（第二十四条：按件考核）")
    at = check_time(c, at, now, "考核", "assess")
    return append(c, Event("assess", at, by, note, rule=r.id, person=person, unit=unit, amount=amount))


def stage_name(rules: Rules, key: str | None) -> str:
    limit = rules.stages.get(key or "")
    return limit.name if limit else REVIEW.name if key == "review" else (key or "")


def urge(c: Complaint, *, rules: Rules, cal: WorkCalendar, at: datetime, by: str, now: datetime,
         note: str = "") -> Complaint:
    """催办: 95598班 or 营销部 presses the owner of the pending stage due first (a side step)."""
    if not states.allowed("urge", c.state):
        raise TousuError(f"投诉 {c.id} 当前状态为「{c.state_zh}」，没有待办环节可催办")
    pending = [s for s in stages(c, rules, cal) if s.pending]
    if not pending:
        raise TousuError(f"投诉 {c.id} 当前没有待办环节可催办")
    s = min(pending, key=lambda s: s.deadline)
    at = check_time(c, at, now, "催办", "urge")
    return append(c, Event("urge", at, by, note, unit=s.owner, stage=s.key))
