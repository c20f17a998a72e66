"""ktop_index.data.template: the empty file an officer fills in, never written over a filled one."""

from __future__ import annotations

import pytest

from ktop_index.data.io import read_table
from ktop_index.data.template import template_headers, write_template
from ktop_index.errors import UsageError


def test_a_filled_in_file_is_not_replaced_without_overwrite(tmp_path):
    filled = tmp_path / "filled.csv"
    filled.write_text("사업자등록번호,기업명\n124-81-00998,한라식품\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"filled\.csv: exists .*--force"):
        write_template(filled, lang="ko")
    assert "한라식품" in filled.read_text(encoding="utf-8")
    write_template(filled, lang="ko", overwrite=True)
    assert read_table(filled).frame.columns.tolist() == template_headers("ko")
