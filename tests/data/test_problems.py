"""ktop_index.data.problems: every message code has both languages with the same details, and
docs/errors.md explains every one."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from ktop_index.data.problems import MESSAGES, Problem

DOCS = Path(__file__).resolve().parents[2] / "docs" / "errors.md"


# a Korean text may give a detail in its Korean form: {why_ko} for {why}, {label} (the field's
# Korean label) for {field}
_SAME = {"label": "field"}


def _fields(text: str) -> set[str]:
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return {_SAME.get(n.removesuffix("_ko"), n.removesuffix("_ko")) for n in names}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_korean_and_english_carry_the_same_details(code):
    """Every detail ({field}) of the English text is in the Korean one."""
    en, ko = MESSAGES[code]
    assert _fields(en) <= _fields(ko), code
    assert re.search("[가-힣]", ko), f"{code}: the Korean text has no Korean"


def test_a_problem_is_one_line_in_both_languages():
    p = Problem("a.csv", 7, "매출액(천원)", "negative", params={"value": "-5"})
    assert p.line() == "a.csv:7:매출액(천원): -5 is negative (expected 0 or more)"
    assert p.line("ko") == "a.csv:7:매출액(천원): -5: 음수입니다 (0 이상 필요)"


def test_docs_errors_explains_every_code():
    text = DOCS.read_text(encoding="utf-8")
    missing = [code for code in MESSAGES if f"`{code}`" not in text]
    assert not missing, f"docs/errors.md does not explain: {', '.join(missing)}"


def test_a_value_with_a_line_break_or_escape_stays_one_line():
    """Every checker's values go through Problem.message: a cell holding Alt+Enter or an ESC
    sequence is shown as \\xNN (Hypothesis found a committee message broken over two lines)."""
    p = Problem("s.csv", 2, "점수", "negative", params={"value": "-1\n\x1b[31m"})
    assert p.line() == "s.csv:2:점수: -1\\x0a\\x1b[31m is negative (expected 0 or more)"
    assert "\n" not in p.line("ko") and "\x1b" not in p.line("ko")
