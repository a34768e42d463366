"""Rows of the xlsx bulletin are tall enough for their wrapped text in print (issue #12 trial)."""

from __future__ import annotations

from tousu.excel.sheet import LINE_HEIGHT, lines_of

# The 经过 cell a trial print cut after its second line (…12398投诉（越级，第二 | 十五条）).
COURSE = ("2026-11-02 09:12 客户王*明通过来电投诉（服务规范类·服务态度）：抄表员上门抄表时态度生硬，"
          "客户询问电量时不耐烦。客户态度：不满。客户另向12398投诉（越级，第二十五条）")


def test_escalated_course_gets_three_lines_at_the_case_column() -> None:
    assert lines_of(COURSE, 92) >= 3


def test_one_short_line_stays_one_line() -> None:
    assert lines_of("客户态度：不满", 92) == 1
    assert LINE_HEIGHT >= 15
