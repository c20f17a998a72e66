"""A file's type is judged by its first bytes, not its name: each file that is not what its
name says gets one line saying what it is and what to do, in English and Korean."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest

from ktop_index.data.io import InputError, read_table, write_table

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def ole(*streams: str) -> bytes:
    """The first bytes of an OLE2 compound file and directory entries naming ``streams``
    (a .xls holds 'Workbook'; a password-protected .xlsx 'EncryptedPackage')."""
    entries = b"".join((name + "\0").encode("utf-16-le").ljust(128, b"\0") for name in streams)
    return OLE + b"\0" * 504 + entries


def zipped(*names: str) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as z:
        for name in names:
            z.writestr(name, b"x")
    return data.getvalue()


def xlsx_bytes(tmp_path) -> bytes:
    write_table(pd.DataFrame({"기업명": ["한라"]}), tmp_path / "real.xlsx")
    return (tmp_path / "real.xlsx").read_bytes()


CSV = "사업자등록번호,기업명\n124-81-00998,한라\n".encode()
CASES = [  # (file name, content, English, Korean)
    ("old.xls", ole("Root Entry", "Workbook"), ("this is an Excel 97-2003 workbook (.xls): "
     "open it in Excel and save it as .xlsx"), "Excel 97-2003 통합 문서(.xls)입니다"),
    ("renamed.xlsx", ole("Root Entry", "Workbook"),
     "this .xlsx file is an Excel 97-2003 workbook (.xls)", "이 .xlsx 파일은 Excel 97-2003"),
    ("locked.xlsx", ole("Root Entry", "EncryptionInfo", "EncryptedPackage"),
     "password-protected (encrypted) Excel workbook: open it in Excel, remove the password",
     "암호로 보호된"),
    ("report.xlsx", ole("Root Entry", "HwpSummaryInformation", "BodyText"),
     "this .xlsx file is a Hangul (HWP) document", "한글(HWP) 문서"),
    ("book.xlsb", zipped("[Content_Types].xml", "xl/workbook.bin"),
     "this is an Excel binary workbook (.xlsb): open it in Excel and save it as .xlsx",
     "바이너리 통합 문서"),
    ("calc.xlsx", zipped("mimetype", "content.xml"), ("this .xlsx file is a zip archive holding "
     "no workbook: unzip it"), "통합 문서가 없는 zip"),
    ("a.xlsx", CSV, "this .xlsx file is a text (CSV) file: rename it to .csv",
     "이 .xlsx 파일은 텍스트(CSV) 파일입니다: 확장자를 .csv로 바꾸세요"),
    ("a.xlsx", b"", "this is an empty file (0 bytes)", "빈 파일(0바이트)입니다"),
    ("a.xls", b"<html><body><table><tr><td>x</td></tr></table></body></html>",
     "this .xls file is a web page (HTML)", "웹 페이지(HTML)"),
    ("a.xlsx", b"%PDF-1.7\n", "this .xlsx file is a PDF document", "PDF 문서"),
    ("a.xlsx", zipped("a.txt")[:40], "the workbook is damaged", "통합 문서가 손상되었습니다"),
    ("a.csv", zipped("[Content_Types].xml", "xl/workbook.xml"),
     "this .csv file is an Excel workbook (.xlsx): rename it to .xlsx", "확장자를 .xlsx로"),
    ("a.csv", ole("Root Entry", "Workbook"), "this .csv file is an Excel 97-2003 workbook",
     "Excel에서 열어 .xlsx로 저장하세요"),
    ("a.csv", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "this .csv file is a binary file, not text",
     "이진 파일"),
    ("a.parquet", CSV, "this .parquet file is a text (CSV) file: rename it to .csv",
     "텍스트(CSV) 파일"),
]


@pytest.mark.parametrize(("name", "content", "english", "korean"), CASES,
                         ids=[f"{c[0]}-{k}" for k, c in enumerate(CASES)])
def test_what_the_file_is(tmp_path, name, content, english, korean):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert english in str(caught.value)
    assert korean in caught.value.message("ko")
    assert str(caught.value).startswith(str(path)) and "\n" not in str(caught.value)


def test_a_real_workbook_named_xls_is_named(tmp_path):
    """An .xlsx renamed .xls (as people do to 'make it Excel'): rename it back."""
    path = tmp_path / "a.xls"
    path.write_bytes(xlsx_bytes(tmp_path))
    with pytest.raises(InputError, match=r"this \.xls file is an Excel workbook \(\.xlsx\): rename"):
        read_table(path)


def test_an_encrypted_package_far_into_the_file(tmp_path):
    """The directory of a large encrypted file may lie past its first blocks."""
    path = tmp_path / "big.xlsx"
    path.write_bytes(OLE + b"\0" * (3 << 20) + "EncryptedPackage".encode("utf-16-le"))
    with pytest.raises(InputError, match="password-protected"):
        read_table(path)


def test_a_stray_nul_in_a_csv_is_still_text(tmp_path):
    """A CSV export of a cell holding a NUL reads back (only mostly-NUL bytes are binary)."""
    path = tmp_path / "a.csv"
    write_table(pd.DataFrame({"기업명": ["한라\x00식품"], "n": [1]}), path)
    assert read_table(path).frame["기업명"].tolist() == ["한라\x00식품"]


def test_a_folder_is_not_a_file(tmp_path):
    (tmp_path / "x.csv").mkdir()
    with pytest.raises(InputError, match="is a folder"):
        read_table(tmp_path / "x.csv")
