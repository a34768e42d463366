"""The monthly 通报 公文 as a Word document (python-docx), laid out after GB/T 9704 党政机关公文格式.

Renders `reports.notice.notice`'s dict and decides nothing. A4 portrait, margins 3.7/3.5/2.8/2.6 cm;
title 小标宋 (named 方正小标宋简体, falling back to 宋体) 22 pt, body 仿宋 16 pt, headings 黑体,
sub-headings 楷体, tables 宋体 10.5 pt (the 12-month trend 9 pt): every font is set for East-Asian text
too, so Word, WPS and LibreOffice pick the same family. Each case's title is kept with its text
(keep-with-next), and no table row splits across pages. Customer text goes in as plain runs: no field
is ever made from it (the only fields are the footer's page numbers); characters XML cannot hold are
shown as �. Only module that imports python-docx.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from tousu.files import save_atomic

TITLE_FONT, BODY_FONT, HEAD_FONT, SUB_FONT, TABLE_FONT = "方正小标宋简体", "仿宋", "黑体", "楷体", "宋体"
BODY_PT, TABLE_PT, SMALL_PT = 16, 10.5, 9
INTERNAL = "内部资料　未屏蔽客户信息，仅供市场营销部内部使用，不得外传"
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: Any) -> str:
    return _BAD_XML.sub("\ufffd", "" if text is None else str(text))


def _font(run: Any, name: str, size: float, *, bold: bool = False, color: RGBColor | None = None) -> Any:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:hAnsi"), name)
    return run


def _para(doc: Any, text: str, font: str = BODY_FONT, size: float = BODY_PT, *, bold: bool = False,
          align: Any = None, indent: bool = True, keep_next: bool = False, color: RGBColor | None = None) -> Any:
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing = Pt(28) if size >= BODY_PT else None
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align is not None:
        p.alignment = align
    fmt.keep_with_next = keep_next
    fmt.widow_control = True
    _font(p.add_run(_clean(text)), font, size, bold=bold, color=color)
    return p


def _labelled(doc: Any, label: str, text: str, *, keep_next: bool) -> Any:
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing, fmt.first_line_indent = Pt(28), Pt(BODY_PT * 2)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.keep_with_next, fmt.keep_together = keep_next, False
    _font(p.add_run(f"{label}："), BODY_FONT, BODY_PT, bold=True)
    _font(p.add_run(_clean(text)), BODY_FONT, BODY_PT)
    return p


def _field(paragraph: Any, code: str, size: float) -> None:
    """A PAGE / NUMPAGES field of our own (never from data)."""
    run = _font(paragraph.add_run(), TABLE_FONT, size)
    for kind, text in (("begin", None), (None, code), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == code:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {code} "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._element.append(el)


def _page_setup(doc: Any, unmasked: bool, company: str, month: str) -> None:
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(3.7), Cm(3.5)
    sec.left_margin, sec.right_margin = Cm(2.8), Cm(2.6)
    sec.header_distance = sec.footer_distance = Cm(1.5)
    head = sec.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(head.add_run(f"{company}　{month}客户投诉情况通报"), TABLE_FONT, SMALL_PT)
    if unmasked:
        _font(head.add_run(f"　{INTERNAL}"), HEAD_FONT, SMALL_PT, bold=True, color=RGBColor(0xC0, 0, 0))
    foot = sec.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(foot.add_run("第 "), TABLE_FONT, SMALL_PT)
    _field(foot, "PAGE", SMALL_PT)
    _font(foot.add_run(" 页 共 "), TABLE_FONT, SMALL_PT)
    _field(foot, "NUMPAGES", SMALL_PT)
    _font(foot.add_run(" 页"), TABLE_FONT, SMALL_PT)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)


KEEP_TOGETHER_ROWS = 12  # a table of at most this many rows (head included) is not split over two pages


def _table(doc: Any, head: list[str], rows: list[list[str]], widths: list[float] | None = None) -> Any:
    size = SMALL_PT if len(head) > 8 or (widths and min(widths) < 1.5) else TABLE_PT
    t = doc.add_table(rows=1, cols=len(head))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row_cells, values, bold in [(t.rows[0].cells, head, True)] + [(t.add_row().cells, r, False) for r in rows]:
        for cell, value in zip(row_cells, values):
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
            _font(p.add_run(_clean(value)), TABLE_FONT, size, bold=bold)
    if widths:  # the text width is 15.6 cm; Word and WPS honour the cells' widths, LibreOffice the grid's
        t.autofit = False
        for col, w in zip(t.columns, widths):
            col.width = Cm(w)
            for cell in col.cells:
                cell.width = Cm(w)
    short = len(t.rows) <= KEEP_TOGETHER_ROWS
    for i, row in enumerate(t.rows):
        props = row._tr.get_or_add_trPr()
        props.append(OxmlElement("w:cantSplit"))
        if i == 0:
            props.append(OxmlElement("w:tblHeader"))  # the head row repeats on each page
        if i < len(t.rows) - 1 and (short or i == 0):  # a short table on one page; the head never alone
            for cell in row.cells:
                for p in cell.paragraphs:
                    p.paragraph_format.keep_with_next = True
    doc.add_paragraph().paragraph_format.space_after = Pt(0)
    return t


def _blocks(doc: Any, blocks: list[dict[str, Any]]) -> None:
    for i, b in enumerate(blocks):
        kind = b["kind"]
        if kind == "para":
            is_sub = b["text"].startswith("（") and len(b["text"]) < 60
            nxt = blocks[i + 1]["kind"] if i + 1 < len(blocks) else None
            _para(doc, b["text"], SUB_FONT if is_sub else BODY_FONT, keep_next=is_sub or nxt == "table")
        elif kind == "note":
            _para(doc, b["text"], BODY_FONT, 12)
        elif kind == "table":
            _table(doc, b["head"], b["rows"], b.get("widths"))
        elif kind == "case":
            _para(doc, b["title"], SUB_FONT, keep_next=True, bold=True)
            fields = b["fields"]
            for n, (label, text) in enumerate(fields):
                _labelled(doc, label, text, keep_next=n == 0)  # the title stays with at least 经过
        elif kind == "blank":
            p = _para(doc, b["text"], BODY_FONT, color=RGBColor(0xC0, 0, 0))
            p.runs[0].font.highlight_color = WD_COLOR_INDEX.YELLOW


def write_notice(n: dict[str, Any], path: Path) -> None:
    """Write the 公文; the file appears whole or not at all."""
    doc = Document()
    _page_setup(doc, n["unmasked"], n["company"], n["month_zh"])
    if n["unmasked"]:
        _para(doc, INTERNAL, HEAD_FONT, 12, bold=True, indent=False, color=RGBColor(0xC0, 0, 0))
    if n["doc_number"]:
        _para(doc, n["doc_number"], BODY_FONT, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    title = _para(doc, n["title"], TITLE_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    title.paragraph_format.space_before = title.paragraph_format.space_after = Pt(16)
    title.paragraph_format.line_spacing = Pt(36)
    rfonts = title.runs[0]._element.rPr.rFonts
    rfonts.set(qn("w:ascii"), TABLE_FONT)  # 小标宋 where installed (eastAsia); 宋体 for the digits
    _para(doc, n["recipients"], BODY_FONT, indent=False)
    _para(doc, n["opening"])
    for sec in n["sections"]:
        _para(doc, sec["heading"], HEAD_FONT, keep_next=True)
        _blocks(doc, sec["blocks"])
    _para(doc, "", keep_next=True)  # 附件, 落款 and date move to a page together
    _para(doc, n["attachment"], keep_next=True)
    _para(doc, "", keep_next=True)
    _para(doc, n["issuer"], align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False, keep_next=True)
    _para(doc, n["date"], align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    doc.core_properties.title = n["title"]
    doc.core_properties.author = "tousu"
    save_atomic(doc, path)
