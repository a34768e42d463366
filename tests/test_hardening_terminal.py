"""Issue #14 §4: escape sequences typed into a record are shown, never sent raw to the terminal."""

from __future__ import annotations

import json
import re

from tousu.terminal.console import visible, visible_json

TITLE = "\x1b]0;pwned\x07"          # window title
CLIP = "\x1b]52;c;ZXZpbA==\x07"      # clipboard write (OSC 52)
CLEAR = "\x1b[2J\x1b[H"              # clear the screen
HIDE = "\x1b[8m"                     # concealed text
C1 = "\x9b31m"                       # 8-bit CSI
RTL = "\u202e"                       # right-to-left override
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _hostile(cli) -> str:
    cid = cli.add(name=f"王{TITLE}小明", address=f"解放路{HIDE}12号", content=f"态度生硬{CLEAR}{CLIP}{C1}{RTL}abc")
    r = cli("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 09:30", "--by", f"张三{TITLE}",
            "--note", f"已派发{CLEAR}")
    assert r.exit_code == 0, r.output
    return cid


def test_visible_writes_out_every_control_character_and_keeps_line_breaks() -> None:
    assert visible("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert visible("\x07\x00\x7f\x9b\u202e") == "\\x07\\x00\\x7f\\x9b\\u202e"
    assert visible("第一行\n第二行\t完") == "第一行\n第二行\t完"
    assert visible("王小明") == "王小明"


def test_show_renders_escapes_visibly_in_every_field(cli) -> None:
    cid = _hostile(cli)
    r = cli("show", cid, "--at", "2026-11-02 10:00")
    assert r.exit_code == 0, r.output
    assert not RAW.search(r.output), repr(RAW.search(r.output))
    for shown in ("王\\x1b]0;pwned\\x07小明", "解放路\\x1b[8m12号", "\\x1b[2J\\x1b[H", "\\x1b]52;c;ZXZpbA==\\x07",
                  "\\x9b31m", "\\u202eabc", "张三\\x1b]0;pwned\\x07", "已派发\\x1b[2J"):
        assert shown in r.output, shown


def test_list_and_check_overdue_render_escapes_visibly(cli) -> None:
    _hostile(cli)
    listed = cli("list", "--at", "2026-11-02 10:00")
    assert not RAW.search(listed.output) and "王\\x1b]0;pwned\\x07小明" in listed.output
    checked = cli("check-overdue", "--at", "2026-12-01 10:00")
    assert not RAW.search(checked.output)


def test_json_is_still_the_same_data_with_no_raw_control_characters(cli) -> None:
    cid = _hostile(cli)
    r = cli("show", cid, "--format", "json", "--at", "2026-11-02 10:00")
    assert not RAW.search(r.stdout)
    assert json.loads(r.stdout)["content"] == f"态度生硬{CLEAR}{CLIP}{C1}{RTL}abc"  # stored as typed
    assert visible_json('"\x9b\u202e"') == '"\\u009b\\u202e"'


def test_an_argument_echoed_in_a_message_is_shown_visibly(cli) -> None:
    r = cli("show", f"TS{CLEAR}1")
    assert r.exit_code == 2
    assert not RAW.search(r.output) and "TS\\x1b[2J\\x1b[H1" in r.output
    bad_unit = cli("list", "--unit", f"城关{TITLE}")
    assert bad_unit.exit_code == 2 and not RAW.search(bad_unit.output)
    bad_option = cli("list", f"--month={HIDE}2026")
    assert bad_option.exit_code == 2 and not RAW.search(bad_option.output)


def test_the_stored_record_keeps_what_was_typed(cli) -> None:
    from tousu.storage.store import Store

    c = Store(cli.data).load(_hostile(cli))
    assert c.customer.name == f"王{TITLE}小明" and c.history[-1].by == f"张三{TITLE}"


def test_every_xlsx_and_docx_output_holds_typed_control_characters(cli, tmp_path) -> None:
    cid = _hostile(cli)
    for args in (("contact", cid, "--at", "2026-11-02 10:00", "--note", f"打电话{HIDE}"),
                 ("reply", cid, "--verified", "--responsible", "--cause", f"原因{CLEAR}", "--process", "p",
                  "--measures", "m", "--at", "2026-11-03 10:00")):
        assert cli(*args).exit_code == 0
    for name in ("通报.xlsx", "通报.docx"):
        r = cli("report", "--month", "2026-11", "--at", "2026-12-01 09:00", "-o", str(tmp_path / name))
        assert r.exit_code == 0, r.output
    assert cli("export", "--month", "2026-11", "-o", str(tmp_path / "台账.xlsx")).exit_code == 0
    from openpyxl import load_workbook

    texts = [str(v) for ws in load_workbook(tmp_path / "通报.xlsx") for row in ws.iter_rows(values_only=True)
             for v in row if v is not None]
    assert any("态度生硬" in t for t in texts) and not any("\x1b" in t for t in texts)
