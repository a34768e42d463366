"""What every command needs, loaded once and lazily: paths, rules, org, store, calendar."""

from __future__ import annotations

import getpass
import sys
import os
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING
from pathlib import Path

from tousu.config import org as org_mod
from tousu.config import rules as rules_mod
from collections.abc import Callable, Iterable

from tousu.domain import actors
from tousu.domain.workdays import WorkCalendar
from tousu.errors import Problem, TousuError, choices
from tousu.domain.lifecycle import rule_problems
from tousu.domain.model import Complaint
from tousu.storage.store import Store
from tousu.terminal.console import visible
from tousu.timeutil import now_china, parse_typed

if TYPE_CHECKING:
    from tousu.storage import index


def fallback_user() -> tuple[str, str]:
    """(name, where it came from) for a missing --by: TOUSU_USER, else the login name."""
    env = os.environ.get("TOUSU_USER")
    if env:
        return env, "环境变量 TOUSU_USER"
    try:
        return getpass.getuser(), LOGIN
    except Exception:  # noqa: BLE001 - no login name on this machine
        return "未知", LOGIN


LOGIN = "登录名"


def _warn_login(name: str) -> None:
    sys.stderr.write(visible(f"注意：没有给出 --by，也没有设置环境变量 TOUSU_USER，经办人按登录名「{name}」记录\n"))


def default_user() -> str:
    """--by default: TOUSU_USER, else the login name (said on stderr)."""
    name, source = fallback_user()
    if source == LOGIN:
        _warn_login(name)
    return name


def parse_at(text: str | None, now: datetime, option: str = "--at", *, end_of_day: bool = False,
             future_ok: bool = False) -> datetime:
    """--at (default now) as China time, in any form people type (SPEC §8: 15:00, 昨天 15:00,
    11-23 14:30 …); TousuError naming the value otherwise."""
    if text is None or text == "":
        return now
    try:
        return parse_typed(text, now, end_of_day=end_of_day, future_ok=future_ok)
    except ValueError as exc:
        raise TousuError(f"{option}：{exc}") from None


def _not_an_escalation(rules: rules_mod.Rules, typed: str, refused: TousuError) -> None:
    """`--channel 12398` is what a clerk types for a complaint the 12398 hotline passed on: that is a
    越级渠道 (第二十五条), not a 受理渠道; say so and how to record it, instead of only 无效."""
    try:
        m = rules.vocabulary("escalation").resolve(typed)
    except TousuError:
        return
    raise TousuError(f"「{typed}」是越级投诉渠道（{m.value}，第二十五条），不是受理渠道：请用 --escalated-to {typed}"
                     f" 记录越级，--channel 填客户反映的方式（{choices(rules.channels)}）") from refused


@dataclass
class App:
    data_dir: Path
    rules_option: str | None = None
    _now: datetime | None = field(default=None, repr=False)
    warn: Callable[[str], None] = field(default=lambda message: None, repr=False)  # a line on stderr

    @property
    def now(self) -> datetime:
        if self._now is None:
            self._now = now_china()
        return self._now

    def now_under_lock(self) -> datetime:
        """The time again, once the record's lock is held: a step's default --at is when it is written."""
        self._now = now_china()
        return self._now

    @cached_property
    def rules_found(self) -> rules_mod.Found:
        """Which rules file, and how it was found (SPEC §4); a warning when the built-in one is used
        while a rules.yaml lies in a folder below the current one."""
        found = rules_mod.find(self.rules_option, self.data_dir)
        if found.warning:
            self.warn(found.warning)
        return found

    @property
    def rules_path(self) -> Path:
        return self.rules_found.path

    @cached_property
    def rules(self) -> rules_mod.Rules:
        return rules_mod.load(self.rules_path)

    def canonical(self, kind: str, typed: str, option: str = "") -> tuple[str, str | None]:
        """(canonical value, note) for a rules.yaml or org.yaml value as typed (SPEC §8)."""
        if kind in ("unit", "person"):
            self.store  # noqa: B018 - a folder that is no data folder is refused as such first
        vocab = self.org.vocabulary(kind) if kind in ("unit", "person") else self.rules.vocabulary(kind)
        try:
            m = vocab.resolve(typed, option)
        except TousuError as exc:
            if kind == "channel":
                _not_an_escalation(self.rules, typed, exc)
            raise
        return m.value, m.note

    def operator(self, typed: str | None) -> tuple[str, str | None]:
        """(经办人 to record, note) for --by as rules.yaml `operators:` allows it (SPEC §2): any name by
        default; under strict or a list, a valid name as typed, or a fallback that is one; TousuError else."""
        if self.rules.operators == "open":
            return typed or default_user(), None
        self.store  # noqa: B018 - a folder that is no data folder is refused as such first
        name, source = (typed, actors.BY_OPTION) if typed else fallback_user()
        m = actors.operator(name, source, self.rules, self.org)
        if source == LOGIN:
            _warn_login(m.value)
        return m.value, m.note

    @cached_property
    def org(self) -> org_mod.Org:
        return org_mod.load(self.data_dir / "org.yaml")

    @cached_property
    def store(self) -> Store:
        return self.open_store(self.rules.record_max_bytes)

    def open_store(self, max_record_bytes: int) -> Store:
        """The data folder's store, refused when the folder is none (`tousu check` opens it with a broken
        rules.yaml too, to list that and every record's problems)."""
        if not self.data_dir.is_dir():
            raise TousuError(f"数据目录「{self.data_dir}」不存在；用 tousu init {self.data_dir} 创建，或用 --data / TOUSU_DATA 指定")
        # A data folder is one `tousu init` made, known by its org.yaml (every command over the data
        # needs it anyway): a mistyped --data (/etc, a home folder) is refused before anything is written.
        if not (self.data_dir / "org.yaml").is_file():
            raise TousuError(f"找不到组织机构文件 {self.data_dir / 'org.yaml'}：「{self.data_dir}」不是 tousu 数据目录，"
                             "没有写入任何记录；用 tousu init 新目录 创建数据目录，或用 --data / TOUSU_DATA 指定已有的数据目录")
        store = Store(self.data_dir, max_record_bytes)
        for note in store.recover():  # an import interrupted by a kill or a power cut: completed or undone
            self.warn(note)
        return store

    def load_all(self, months: Iterable[tuple[int, int]] | None = None) -> tuple[list[Complaint], list[Problem]]:
        """Every readable complaint (optionally of some months) and the unreadable files;
        a broken org.yaml is raised."""
        store = self.store
        self.org  # noqa: B018 - a broken org.yaml is an error for every command over the data
        return store.load_all(months)

    def view(self, months: Iterable[tuple[int, int]] | None = None, pending_only: bool = False,
             narrow: "index.Narrow | None" = None) -> "index.View":
        """Each complaint (of some months) with its pending stages, the rule notes and the unreadable files:
        from the index when it can be used, else from the files (the same answer). The index may leave out
        what `narrow` says the caller's report function drops anyway."""
        from tousu.storage import index

        store = self.store
        self.org  # noqa: B018 - as load_all
        key = index.key_of(self.rules_path, self.data_dir / "org.yaml")
        return index.view(store, self.rules, self.calendar, key, months, pending_only, narrow or index.EVERYTHING)

    def notes(self, complaints: Iterable[Complaint]) -> list[Problem]:
        """Values rules.yaml does not know (a hand edit, or rules.yaml changed since): warnings,
        not errors: the records are still processed, and the exit status is not changed."""
        return [p for c in complaints for p in rule_problems(c, self.rules)]

    def findings(self, complaints: Iterable[Complaint]) -> list[Problem]:
        """What `tousu check` finds beyond the notes (seals, steps, assessments): warnings as well."""
        from tousu.storage import findings

        return findings.of_all(complaints, self.rules)

    @cached_property
    def calendar(self) -> WorkCalendar:
        return WorkCalendar(self.rules.holidays, self.rules.workdays)
