"""Which module under tousu.cli holds each command, in help order, and the root group that imports them lazily.

`tousu add` imports cli/intake.py and not the report, Excel, assessment or lookup modules (start-up
within 1.5× of a minimal Typer app, issue #13). The root's own help lists every command by the summary
kept here, so `tousu --help` imports none of them either; tests/test_cli_registry.py checks that the
table names each module's commands in order and that the help it gives is the commands' own.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import Any

import typer

GROUPS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("intake", (("init", "新建数据目录（示例 org.yaml、rules.yaml）"), ("add", "受理新投诉，打印新编号"))),
    ("steps", (("dispatch", "派发（或再分发）投诉工单到责任单位（第十四条，1小时内）。"),
               ("contact", "登记首次联系客户（第十五条，1个工作日内）。"),
               ("return", "退回95598班：不属本单位，须说明理由（第十七条）"),
               ("extend", "登记经公司同意的答复期限延期（第十五条）。"),
               ("reply", "答复客户并回复95598班（第十五条，4个工作日内）。"),
               ("review", "营销部审核答复（第十六条）：默认通过，--reject 驳回。"),
               ("revisit", "回访客户；不满意则待再分发（第十六、二十一条）"),
               ("archive", "归档（回访满意之后）。"),
               ("grade", "设定或提高事件等级；严重/重大须当日上报营销部（第十九条）。"),
               ("notify", "登记严重/重大投诉事件已当日上报营销部（第十九条）。"))),
    ("corrections", (("undo", "撤销最近一步主线步骤（须说明理由）"), ("void", "作废误录或重复受理的投诉"),
                     ("correct", "更正一项受理信息（须说明理由）"), ("urge", "催办待办环节（旁路步骤）"))),
    ("looking", (("show", "查看一件投诉：内容、记录、时限与预警"), ("list", "按月份、单位、状态、分类或超期筛选投诉"),
                 ("check-overdue", "供 cron：超期与即将到期的环节（退出码 1 = 有超期）"),
                 ("calendar", "某月的工作日、节假日与调休"))),
    ("desk", (("find", "按电话、姓名、户号、工单编号、地址或内容查找投诉"),
              ("todo", "本单位（或95598班、营销部）的待办环节，按期限排序"))),
    ("check", (("check", "检查规则、组织与全部记录（无问题则无输出）"),)),
    ("assess", (("assess", "考核：按条款对责任人或单位登记罚款"), ("escalate", "登记越级投诉（第二十五条）"))),
    ("report", (("report", "月度通报（--month）与半年统计（--half）"),)),
    ("excel", (("export", "导出投诉台账（xlsx）"), ("import", "导入投诉台账（xlsx），先全部检查"))),
)
"""(module, ((command, the first paragraph of its help as the root's help lists it), …)), in help order."""


class Commands(Mapping[str, Any]):
    """The root's commands by name; a group's module is imported the first time one of its commands is asked for.

    While the root's own help page is made (`summaries`), a command not imported yet is a stand-in with
    its summary, which is all that page shows of it.
    """

    def __init__(self, rich_markup_mode: Any) -> None:
        self._markup = rich_markup_mode
        self._module = {name: module for module, names in GROUPS for name, _ in names}
        self._summary = {name: text for _, names in GROUPS for name, text in names}
        self._built: dict[str, Any] = {}
        self.summaries = False

    def __getitem__(self, name: str) -> Any:
        if name in self._built:
            return self._built[name]
        module = self._module[name]  # KeyError: no such command (Mapping.get says None)
        if self.summaries:
            return typer.core.TyperCommand(name=name, help=self._summary[name])
        short = importlib.import_module("tousu.cli").app.pretty_exceptions_short
        for info in importlib.import_module(f"tousu.cli.{module}").app.registered_commands:
            # as typer.main.get_group_from_info builds a nameless sub-app's commands for its parent
            cmd = typer.main.get_command_from_info(info, pretty_exceptions_short=short, rich_markup_mode=self._markup)
            self._built[cmd.name] = cmd
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._module)

    def __len__(self) -> int:
        return len(self._module)


class LazyGroup(typer.core.TyperGroup):
    """The root group: its commands are `Commands`; its own help page lists their summaries."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = Commands(self.rich_markup_mode)  # type: ignore[assignment]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        commands = self.commands
        commands.summaries = True  # type: ignore[attr-defined]
        try:
            super().format_help(ctx, formatter)
        finally:
            commands.summaries = False  # type: ignore[attr-defined]
