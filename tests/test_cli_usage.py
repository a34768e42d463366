"""Usage errors from the option parser are said in Chinese, exit 2 (through `main`, as installed)."""

from __future__ import annotations

import pytest

from tousu.cli import main


def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    monkeypatch.setattr("sys.argv", ["tousu", *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    return exit_info.value.code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("dispatch", "TS202611020001"), "错误：缺少必填选项「--unit」"),
        (("show",), "错误：缺少参数「编号」"),
        (("lisst",), "错误：没有命令「lisst」，您是不是想用「list」"),
        (("list", "--foo"), "错误：没有选项「--foo」"),
        (("reply", "TS202611020001", "--verified", "maybe"), "错误：多余的参数：maybe"),
        (("list", "--month"), "错误：选项「--month」后面缺少值"),
        (("list", "--overdue=3"), "错误：选项「--overdue」是开关，不带值（直接写 --overdue）"),
    ],
)
def test_usage_errors_are_chinese(monkeypatch, capsys, tmp_path, args, message) -> None:
    monkeypatch.chdir(tmp_path)
    code, err = run_main(monkeypatch, capsys, *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err and "Error" not in err


def test_main_passes_exit_codes_through(monkeypatch, capsys, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    code, err = run_main(monkeypatch, capsys, "show", "TS202611020001")
    assert code == 2
    assert "数据目录「data」不存在；用 tousu init data 创建" in err


def test_help_is_chinese(monkeypatch, capsys, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", ["tousu", "dispatch", "-h"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "显示本帮助并退出" in out and "[必填]" in out
    assert "Show this message" not in out


def test_help_shows_value_kinds_in_chinese(monkeypatch, capsys, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", ["tousu", "add", "-h"])
    with pytest.raises(SystemExit):
        main()
    out = capsys.readouterr().out
    assert "<文字>" in out and "<文字，可重复>" in out
    assert "<str>" not in out and "<bool>" not in out


def test_yaml_syntax_errors_are_explained_in_chinese() -> None:
    from tousu.config import yamlio

    with pytest.raises(yamlio.YamlProblem) as info:
        yamlio.loads("units:\n  - name: 城关供电所\n   kind: 基层单位\n", "org.yaml")
    assert str(info.value).startswith("org.yaml:3: YAML 格式错误：列表项应以「- 」开头，多半是缩进不对")
