"""Who may record a unit's own step (第十五、十七条: 责任单位 contacts, returns and replies).

A person in org.yaml who belongs to another 基层单位 than the one the complaint is
dispatched to may not record that unit's step; staff of a 职能部门 (e.g. 市场营销部)
may record on the unit's behalf, and the event's note says so. A name that is not
in org.yaml (a temporary worker, a leader) is recorded as given: --by is the
audit trail, not an account.
"""

from __future__ import annotations

from tousu.config.org import Org
from tousu.domain.labels import label
from tousu.domain.model import Complaint
from tousu.errors import TousuError

UNIT_STEPS = ("contact", "return", "reply")


def on_behalf(c: Complaint, action: str, by: str, org: Org) -> str:
    """'' when `by` may record `action` for the complaint's unit as itself; the note to add when a
    职能部门 records it on the unit's behalf; TousuError (field "by") naming both units otherwise."""
    person = next((p for p in org.staff if p.name == by), None)
    if action not in UNIT_STEPS or person is None or c.unit is None or person.unit == c.unit:
        return ""
    kind = next((u.kind for u in org.units if u.name == person.unit), "基层单位")
    if kind == "基层单位":
        raise TousuError(f"{by}是{person.unit}的人员，投诉 {c.id} 派发给{c.unit}："
                         f"{label(action)}须由{c.unit}的人员（或职能部门代为）登记", field="by")
    return f"{person.unit}{by}代{c.unit}登记"


def with_note(note: str, behalf: str) -> str:
    """The event's note with the on-behalf remark after what the clerk wrote."""
    if not behalf:
        return note
    return f"{note}（{behalf}）" if note else behalf
