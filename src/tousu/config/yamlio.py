"""YAML in and out: safe loading that keeps line numbers, stable dumps, atomic writes.

PyYAML's `safe_load` turns `2026-13-01` into a bare ValueError with no line;
here timestamps stay strings (the caller parses them and names the line), and
every mapping and sequence remembers the line of each key and item.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tousu.errors import Problem, shown

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~8× faster
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class LDict(dict):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int = 0
    lines: dict


class LList(list):
    """A sequence that knows its own line and the line of each item (1-based)."""

    line: int = 0
    lines: list


_STR_TAG = "tag:yaml.org,2002:str"


class _Loader(_Base):  # type: ignore[misc, valid-type]
    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # Most nodes of a record are text, which SafeConstructor turns into
        # node.value after a round of bookkeeping (alias table, recursion
        # guard, three calls deep) that a scalar never needs: skip it. Loading
        # a record is ~2× faster; the result is the same object.
        if node.tag == _STR_TAG and type(node) is yaml.ScalarNode:
            return node.value
        return super().construct_object(node, deep)


# Keep timestamps as text: the caller parses them and can name the line.
_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in _Base.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> LDict:
    loader.flatten_mapping(node)
    out = LDict()
    out.line = node.start_mark.line + 1
    out.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) or key is None:
            raise yaml.constructor.ConstructorError(
                None, None, "键必须是文字", key_node.start_mark
            )
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"键「{key}」重复", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> LList:
    out = LList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.lines = [child.start_mark.line + 1 for child in node.value]
    return out


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


class YamlProblem(Exception):
    """A file that is not valid YAML; carries the located problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


# PyYAML's problems, said in Chinese (the original follows in brackets for whoever searches it).
_YAML_ZH = (
    ("mapping values are not allowed", "这里不能出现「键: 值」，多半是缩进不对或值里的冒号后少了引号"),
    ("did not find expected key", "缺少应有的键，多半是缩进不对"),
    ("did not find expected '-' indicator", "列表项应以「- 」开头，多半是缩进不对"),
    ("could not find expected ':'", "缺少冒号「:」"),
    ("cannot start any token", "有不能出现在这里的字符（如制表符 Tab，请改用空格缩进）"),
    ("found unexpected end of stream", "文件意外结束，多半是引号或括号没有配对"),
    ("did not find expected ',' or ']'", "方括号 [ ] 没有配对，或列表项之间缺少逗号"),
    ("did not find expected ',' or '}'", "花括号 { } 没有配对，或各项之间缺少逗号"),
    ("did not find expected node content", "缺少值"),
    ("found undefined alias", "引用了未定义的锚点（*名称）"),
    ("found unknown escape character", "双引号中有无效的转义字符（反斜杠）"),
    ("expected a single document", "文件中只能有一个文档（去掉多余的「---」）"),
    ("could not determine a constructor", "不支持的标签（!开头的写法）"),
    ("found unhashable key", "键不能是列表或键值表"),
)


def _yaml_zh(what: str) -> str:
    for english, chinese in _YAML_ZH:
        if english in what:
            return f"{chinese}（{what}）"
    return what


MAX_DEPTH = 64
"""Nesting deeper than this is no record or rules file anyone wrote (and would overflow the stack)."""
MAX_ALIAS_NODES = 100_000
"""How many values aliases (*name) may add to a rules or org file when expanded: far more than any
real file repeats, far less than an alias bomb (8 levels of 10 make 10^8)."""
MAX_CONFIG_BYTES = 4 * 1024 * 1024
"""rules.yaml, org.yaml and mapping files are read only up to this size."""


def _scan(text: str, path: Path | str, aliases: bool) -> None:
    """Walk the event stream (linear in the text: nothing is expanded) before anything is built.

    Refuses anchors and aliases where `aliases` is False (record files: tousu never writes them), else
    bounds what aliases add when expanded; bounds nesting depth. Raises YamlProblem at the line."""
    sizes: dict[str, int] = {}
    stack: list[list[Any]] = []  # [anchor, expanded size] of each open collection
    added = 0
    for ev in yaml.parse(text, Loader=_Base):
        if isinstance(ev, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentStartEvent,
                           yaml.DocumentEndEvent)):
            continue
        line = ev.start_mark.line + 1
        anchor = getattr(ev, "anchor", None)
        if not aliases and anchor is not None:
            what = f"别名 *{shown(anchor, 20)}" if isinstance(ev, yaml.AliasEvent) else f"锚点 &{shown(anchor, 20)}"
            raise YamlProblem(Problem(path, line, f"记录文件中不能使用 YAML 锚点或别名（这里是{what}），"
                                                  "tousu 写的记录从不使用它们；请写出完整的值"))
        if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            stack.append([anchor, 1])
            if len(stack) > MAX_DEPTH:
                raise YamlProblem(Problem(path, line, f"嵌套超过 {MAX_DEPTH} 层，不像是手写的文件，未读取"))
            continue
        if isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            anchor, size = stack.pop()
        elif isinstance(ev, yaml.AliasEvent):
            size = sizes.get(anchor, 1)
            added += size
            if added > MAX_ALIAS_NODES:
                raise YamlProblem(Problem(path, line, f"别名 *{shown(anchor, 20)} 展开后超过 {MAX_ALIAS_NODES} 个值"
                                                      "（疑似「别名炸弹」），未读取；请写出完整的值"))
            anchor = None
        else:  # a scalar
            size = 1
        if anchor is not None:
            sizes[anchor] = size
        if stack:
            stack[-1][1] += size


def loads(text: str, path: Path | str = "<text>", *, aliases: bool = False) -> Any:
    """Parse YAML text into LDict/LList/scalars; raise YamlProblem with path:line.

    Anchors and aliases are refused unless `aliases` (rules, org and mapping files), and then bounded."""
    try:
        if aliases or "&" in text or "*" in text:  # no anchor or alias can be written without them
            _scan(text, path, aliases)
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        what = shown(exc.problem or exc.context or "格式错误", 120)  # a tag or key quoted from the file: cut short
        raise YamlProblem(Problem(path, line, f"YAML 格式错误：{_yaml_zh(what)}")) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Problem(path, 0, f"YAML 格式错误：{_yaml_zh(shown(str(exc), 200))}")) from None
    except RecursionError:
        raise YamlProblem(Problem(path, 0, "嵌套层数过多，未读取")) from None


class Unreadable(Exception):
    """A file refused before (or while) reading it: not a regular file, too big, unreadable."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def read_bounded(path: Path, limit: int, limit_hint: str = "") -> bytes:
    """The bytes of a regular file of at most `limit` bytes; Unreadable otherwise.

    A FIFO never blocks (opened non-blocking and refused), a device is never opened, and the size is
    checked before reading and again while reading (a file that grows is cut off, not read to the end)."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise Unreadable(Problem(path, 0, "不是普通文件（目录、命名管道或设备），未读取"))
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags)
    except OSError as exc:
        raise Unreadable(Problem(path, 0, f"无法读取：{exc.strerror}")) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # replaced between the two looks
            raise Unreadable(Problem(path, 0, "不是普通文件（目录、命名管道或设备），未读取"))
        if st.st_size > limit:
            raise Unreadable(Problem(path, 0, f"文件超过 {limit} 字节的上限{limit_hint}，未读取"))
        chunks, got = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
            if got > limit:
                raise Unreadable(Problem(path, 0, f"文件超过 {limit} 字节的上限{limit_hint}，未读取"))
        return b"".join(chunks)
    except OSError as exc:
        raise Unreadable(Problem(path, 0, f"无法读取：{exc.strerror}")) from None
    finally:
        os.close(fd)


def load(path: Path, *, aliases: bool = False) -> Any:
    """Read and parse a UTF-8 YAML file (a regular file of at most MAX_CONFIG_BYTES)."""
    try:
        raw = read_bounded(path, MAX_CONFIG_BYTES)
    except Unreadable as exc:
        raise YamlProblem(exc.problem) from None
    return load_bytes(raw, path, aliases=aliases)


def load_or_raise(path: Path, what: str) -> Any:
    """`load` of a rules, org or mapping file (aliases allowed, bounded), with a broken file raised as
    the one user-facing error naming it and the line."""
    from tousu.errors import TousuError

    try:
        return load(path, aliases=True)
    except YamlProblem as exc:
        raise TousuError(f"{what} {path} 无法读取", (exc.problem,)) from None


def load_bytes(raw: bytes, path: Path | str, *, aliases: bool = False) -> Any:
    """Parse the bytes of a UTF-8 YAML file (as read once by the caller)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlProblem(Problem(path, 0, f"不是 UTF-8 编码的文本（{exc.reason}）")) from None
    return loads(text, path, aliases=aliases)


def line_of(container: Any, key: Any, default: int = 0) -> int:
    """The line of `key` in an LDict (or index in an LList), else the container's own."""
    lines = getattr(container, "lines", None)
    if isinstance(container, LDict) and key in lines:
        return lines[key]
    if isinstance(container, LList) and isinstance(key, int) and 0 <= key < len(lines):
        return lines[key]
    return getattr(container, "line", default) or default


def dumps(data: Any) -> str:
    """Dump plain data with the key order given (stable), block style, UTF-8 text."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )


def _write_temp(path: Path, text: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        os.unlink(tmp)
        raise
    return Path(tmp)


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` so a reader sees the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _write_temp(path, text)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def create_exclusive(path: Path, text: str) -> bool:
    """Create `path` with `text` atomically, only if it does not exist yet.

    The content is written to a temporary file first and then hard-linked into
    place: the link fails if the name is taken, so two writers racing for the
    same name never both win and nobody ever sees a half-written file.
    Returns False when the name was taken.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _write_temp(path, text)
    try:
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
