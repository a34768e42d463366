"""Typer's help and click's usage errors said in Chinese.

Both lean on typer internals (panel titles, the help option, type labels);
where a typer version names them differently, help stays in English rather than failing.
"""

from __future__ import annotations

import re

import typer

from tousu.errors import choices


def _rich_labels() -> None:
    """The panel titles and markers of typer's rich help, in Chinese (module constants of typer.rich_utils,
    which imports rich's Markdown: only a help page pays for it, not every command's start-up)."""
    try:
        from typer import rich_utils
    except ImportError:  # pragma: no cover - typer without rich help
        return
    for name, text in (("ARGUMENTS_PANEL_TITLE", "参数"), ("OPTIONS_PANEL_TITLE", "选项"),
                       ("COMMANDS_PANEL_TITLE", "命令"), ("REQUIRED_LONG_STRING", "[必填]"),
                       ("DEFAULT_STRING", "[默认：{}]"), ("ENVVAR_STRING", "[环境变量：{}]")):
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, text)


def help_in_chinese() -> None:
    """Say typer's own help labels in Chinese.

    These are module constants of typer's rich help (set when a help page is made), the type
    labels and the text of the help option; where a typer version names them differently,
    help stays in English rather than failing.
    """
    _TYPE_LABELS = {"<str>": "<文字>", "<bool>": None, "<path>": "<路径>", "<int>": "<整数>",
                    "<list[str]>": "<文字，可重复>"}
    for cls in (getattr(typer.core, "TyperOption", None), getattr(typer.core, "TyperArgument", None)):
        shown = getattr(cls, "display_type_rich", None)
        if shown is None or getattr(shown, "_tousu", False):
            continue

        def display_type_rich(self, ctx, _shown=shown):  # noqa: ANN001, ANN202 - typer's signature
            label = _shown(self, ctx)
            return _TYPE_LABELS.get(label, label) if isinstance(label, str) else label

        display_type_rich._tousu = True  # type: ignore[attr-defined]
        cls.display_type_rich = display_type_rich
    core = getattr(getattr(typer, "_click", None), "core", None)
    command_cls = getattr(core, "Command", None)
    get_help = getattr(command_cls, "get_help", None)
    if get_help is None:
        _rich_labels()  # no hook for "a help page is being made": set them now
    elif not getattr(get_help, "_tousu", False):
        def get_help_zh(self, ctx, _get_help=get_help):  # noqa: ANN001, ANN202 - click's signature
            _rich_labels()
            return _get_help(self, ctx)

        get_help_zh._tousu = True  # type: ignore[attr-defined]
        command_cls.get_help = get_help_zh
    original = getattr(command_cls, "get_help_option", None)
    if original is None or getattr(original, "_tousu", False):
        return

    def get_help_option(self, ctx):  # noqa: ANN001, ANN202 - typer's signature
        opt = original(self, ctx)
        if opt is not None:
            opt.help = "显示本帮助并退出"
        return opt

    get_help_option._tousu = True  # type: ignore[attr-defined]
    command_cls.get_help_option = get_help_option


def usage_zh(exc: Exception) -> str:
    """Click's English usage errors, said in Chinese (the names stay as typed)."""
    kind = type(exc).__name__
    param = getattr(exc, "param", None)
    if kind == "NoSuchOption":
        msg = f"没有选项「{exc.option_name}」"  # type: ignore[attr-defined]
        near = getattr(exc, "possibilities", None)
        return msg + (f"，您是不是想用：{choices(sorted(near))}" if near else "")
    if kind == "MissingParameter" and param is not None:
        opts = getattr(param, "opts", None) or [param.name]
        if getattr(param, "param_type_name", "") == "argument":
            return f"缺少参数「{getattr(param, 'metavar', None) or param.name}」"
        return f"缺少必填选项「{opts[0]}」"
    if kind == "BadParameter" and param is not None:
        opts = getattr(param, "opts", None) or [param.name]
        return f"「{opts[0]}」的值无效：{getattr(exc, 'message', exc)}"
    text = exc.format_message()  # type: ignore[attr-defined]
    m = re.match(r"No such command '(.+?)'\.(?: Did you mean '(.+?)'\?)?", text)
    if m:
        return f"没有命令「{m.group(1)}」" + (f"，您是不是想用「{m.group(2)}」" if m.group(2) else "")
    m = re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", text)
    if m:
        return f"多余的参数：{m.group(1)}"
    m = re.match(r"Option '(.+?)' does not take a value\.", text)
    if m:
        return f"选项「{m.group(1)}」是开关，不带值（直接写 {m.group(1)}）"
    m = re.match(r"Option '(.+?)' requires an argument\.", text)
    if m:
        return f"选项「{m.group(1)}」后面缺少值"
    return f"用法错误：{text}"
