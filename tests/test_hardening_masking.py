"""Issue #14 §6: masking that cannot leak — the customer's data however free text writes it, in every
masked output (bulletin JSON, terminal, xlsx, docx; export --mask), while staff names, amounts, dates
and counts stay readable."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

from conftest import Cli
from tousu.domain.model import Complaint, Customer, Event
from tousu.domain.privacy import Masker, address_parts, given_name, phone_digits
from tousu.timeutil import parse_datetime

NAME, PHONE, ACCOUNT, ADDRESS = "王小明", "13912345678", "0301234567", "城关镇解放路18号"
CORPUS = ("电话139-1234-5678、139 1234 5678、+86-139-1234-5678、139.1234.5678、１３９１２３４５６７８、"
          "+86 13912345678；户号0301 2345 67、0301-234-567；住解放路18号（解放路 18 号）；小明说邻居"
          "13800001111也停电，邻居户号0301999888；11月18号上门3次，2026-11-05 16:00答复，赔偿300元")
# What must never be readable: the digits of every phone or 户号 above, the address without its town, the given name.
SECRETS = ("1391234", "12345678", "030123", "2345", "8000011", "0301999", "解放路", "小明", "王小明")
KEPT = ("李四", "11月18号", "3次", "2026-11-05 16:00", "300元")


def _joined(text: str) -> str:
    """Text as the eye reads digits: width normalised, separators between digits gone."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"(?<=\d)[\s\-.·()（）+]+(?=\d)", "", text)


def _assert_masked(text: str, where: str) -> None:
    joined = _joined(text)
    for secret in SECRETS:
        assert secret not in joined, (where, secret)


def _complaint() -> Complaint:
    at = parse_datetime("2026-11-02 09:00")
    return Complaint(id="TS202611020001", received_at=at, channel="来电", received_by="张三",
                     customer=Customer(NAME, PHONE, ADDRESS, ACCOUNT), category="服务规范类", item="服务态度",
                     content=CORPUS, history=(Event(action="add", at=at, by="张三"),
                                              Event(action="contact", at=at, by="李小明", note="李小明联系了小明")))


def test_the_masker_hides_every_form_of_the_customers_data() -> None:
    m = Masker(_complaint(), unmask=False)
    got = m.text(CORPUS)
    _assert_masked(got, "Masker.text")
    for kept in KEPT[1:]:
        assert kept in got, kept
    assert "139****5678" in got and "１３９****５６７８" in got  # the usual shape, in the width it was typed
    assert m.text("李小明联系了小明") == "李小明联系了**"  # a staff member's name is kept whole
    assert m.text("工单TS202611020001，95598工单") == "工单TS202611020001，95598工单"


def test_canonical_forms() -> None:
    assert phone_digits("+86-139-1234-5678") == phone_digits("００８６ １３９１２３４５６７８") == PHONE
    assert given_name("王小明") == given_name("欧阳小明") == "小明" and given_name("王明") == ""
    assert "解放路18号" in address_parts(ADDRESS) and "城关镇" not in "".join(address_parts(ADDRESS))


def test_a_fixed_line_is_masked_with_or_without_its_area_code() -> None:
    c = _complaint()
    c = Complaint(**{**c.__dict__, "customer": Customer(NAME, "0371-6612 3456", ADDRESS, ACCOUNT)})
    got = Masker(c, unmask=False).text("座机0371 66123456，或直接拨66123456")
    assert got == "座机037* ****3456，或直接拨********"  # the field's own shape; the local number alone: all hidden


def test_unmask_shows_everything() -> None:
    assert Masker(_complaint(), unmask=True).text(CORPUS) == CORPUS


@pytest.fixture
def case(cli: Cli) -> Cli:
    cid = cli.add(name=NAME, phone=PHONE, account=ACCOUNT, address=ADDRESS, content=CORPUS)
    for args in (("dispatch", cid, "--unit", "城关供电所", "--at", "2026-11-02 09:30"),
                 ("contact", cid, "--at", "2026-11-02 14:00", "--by", "李四", "--note", f"拨打139 1234 5678，小明接听"),
                 ("reply", cid, "--verified", "--responsible", "--cause", "户号0301 2345 67的电表接线错误",
                  "--process", "到解放路18号更换电表，向小明致歉", "--measures", "回访+86 139-1234-5678",
                  "--at", "2026-11-05 16:00", "--by", "李四"),
                 ("assess", cid, "--rule", "attitude.poor", "--person", "李四", "--amount", "300",
                  "--at", "2026-11-06 09:00")):
        r = cli(*args)
        assert r.exit_code == 0, (args, r.output)
    return cli


def _xlsx_text(path: Path) -> str:
    wb = load_workbook(path)
    return "\n".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None)


def test_every_masked_output_hides_the_corpus(case: Cli, tmp_path: Path) -> None:
    month = ("report", "--month", "2026-11", "--at", "2026-12-01 09:00")
    outputs = {"report json": case(*month, "--format", "json").stdout,
               "report table": case(*month).stdout}
    for suffix in ("xlsx", "docx"):
        path = tmp_path / f"通报.{suffix}"
        r = case(*month, "-o", str(path))
        assert r.exit_code == 0, r.output
        outputs[f"report -o .{suffix}"] = (_xlsx_text(path) if suffix == "xlsx" else
                                           "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
                                           + "\n".join(c.text for t in docx.Document(str(path)).tables
                                                       for row in t.rows for c in row.cells))
    exported = tmp_path / "台账.xlsx"
    assert case("export", "--mask", "-o", str(exported)).exit_code == 0
    outputs["export --mask"] = _xlsx_text(exported)
    for where, text in outputs.items():
        assert "赔偿300元" in text or "300" in text, where  # the case is there at all
        _assert_masked(text, where)
    assert "李四" in outputs["report json"] and "11月18号上门3次" in outputs["report json"]
    plain = tmp_path / "plain.xlsx"
    assert case("export", "-o", str(plain)).exit_code == 0
    assert "139-1234-5678" in _xlsx_text(plain)  # without --mask the 台账 is as typed


def test_an_address_is_masked_in_any_width_and_spacing_of_its_parts() -> None:
    """A text is searched for the address only when it holds a character a part can begin with: full-width
    digits and spaces between the characters are still found (domain/privacy._address_starts)."""
    c = _complaint()
    c = Complaint(**{**c.__dict__, "customer": Customer(NAME, PHONE, "幸福小区18号3栋", ACCOUNT)})
    m = Masker(c, unmask=False)
    assert [m.text(t) for t in ("到１８号 ３栋查看", "18号3栋漏电", "幸福 小区停电", "其他地方停电")] == [
        "到******查看", "*****漏电", "*****停电", "其他地方停电"]
