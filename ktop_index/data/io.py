"""Reading and writing tables: CSV (UTF-8, UTF-8 with BOM, CP949/EUC-KR, UTF-16), XLSX, Parquet.

Readers return a :class:`RawTable`: the cells as the file holds them (text columns as text,
columns that are wholly numeric as numbers), for every record the row number a spreadsheet
shows, and the reader's own problems (a duplicated header, a column without one, which sheet
was read). Interpreting the cells against the contract is the job of
:mod:`ktop_index.data.validate`, which reports the reader's problems with its own.

What a reader knows of the files officers get (docs/errors.md lists every message):

- the type is judged by the first bytes, not the name: an ``.xls``, an encrypted workbook,
  an ``.xlsb``, a CSV or an empty file named ``.xlsx``, a workbook named ``.csv`` each get one
  line saying what the file is and what to do;
- the header is the first of the first 30 rows that holds at least two of the contract's
  headers (title rows above it are skipped), or the row ``header_row`` names;
- XLSX: the active, visible sheet is read unless ``sheet`` names one (a hidden sheet of old
  data never is), and a warning names it when other sheets hold data too (unless the
  active sheet is read and no other holds the contract's headers); formula cells saved
  without their values, and links to other workbooks without them, stop the read (they
  would read as blank); a merged or empty header over a column holding data is
  reported, never dropped silently; a year typed into a date-formatted cell is read as the
  year;
- CSV: CR-only line ends, UTF-16 ("Unicode text", tab separated), Excel's ``sep=;`` first
  line, comma, tab or semicolon delimiters; a file mixing two encodings is named by line;
- sizes are checked against :class:`ReadLimits` before memory is spent.

Writers are atomic: the file is written beside its destination under a temporary name and
moved into place, so a reader never sees half a file and a crash leaves the old file intact.
CSV is written as UTF-8 with a byte-order mark, which Excel needs to show Korean correctly;
text cells that Excel would run as formulas are escaped with a leading apostrophe.

Example
-------
>>> import pandas as pd, tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "x.csv")
>>> write_table(pd.DataFrame({"기업명": ["한라"], "매출액(천원)": [1200]}), path)
>>> read_table(path).frame.columns.tolist()
['기업명', '매출액(천원)']
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io as _io
import os
import queue
import re
import threading
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ktop_index._files import DiskWriter, atomic_write
from ktop_index._threads import stage_threads
from ktop_index.data.contract import FIELD_BY_NAME, TEXT_KINDS, match_header
from ktop_index.data.problems import Problem
from ktop_index.errors import InputError, UsageError


class _Pandas:
    """pandas, imported at its first use: ``ktop score`` opens and starts reading a CSV
    (:meth:`TableStream.start`) while pandas is still loading, a second core parsing the
    first blocks meanwhile."""

    def __getattr__(self, name: str):
        import pandas

        globals()["pd"] = pandas  # from here on the module itself
        return getattr(pandas, name)


pd = _Pandas()

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
CSV_READ_BLOCK = 1 << 24  # bytes per block of pyarrow's parallel CSV reader
CSV_WRITE_BATCH = 4096  # rows pyarrow's CSV writer formats at once (1024, its default: 5 % slower)
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
OTHER_SHEET_SUFFIXES = (".xls", ".xlsb", ".ods")  # not read; sniffed to say what to do
PARQUET_SUFFIXES = (".parquet", ".pq")
HEADER_SEARCH_ROWS = 30  # rows searched for the header (title rows above it are skipped)
HEAD_BYTES = 1 << 16  # the first bytes every check looks at


@dataclass(frozen=True)
class ReadLimits:
    """How large a file may be before it is read; each is checked before memory is spent.

    ``xlsx_bytes`` is the uncompressed size of a workbook's parts (from its zip directory, so
    a 1 MB zip bomb that inflates to 1 GiB stops at once), ``xlsx_rows`` the rows of a sheet
    (from its stated dimension, then as read), ``columns`` the columns of a table (a CSV's
    header is counted first). :meth:`from_env` reads the environment variables that raise or
    lower them: ``KTOP_MAX_XLSX_MB``, ``KTOP_MAX_ROWS``, ``KTOP_MAX_COLUMNS``.

    >>> ReadLimits().xlsx_bytes // 2**20, ReadLimits().xlsx_rows, ReadLimits().columns
    (200, 2000000, 1000)
    """

    xlsx_bytes: int = 200 * 2**20
    xlsx_rows: int = 2_000_000
    columns: int = 1_000

    @classmethod
    def from_env(cls, environ: dict | None = None) -> ReadLimits:
        """The defaults, with any of ``KTOP_MAX_XLSX_MB``, ``KTOP_MAX_ROWS`` and
        ``KTOP_MAX_COLUMNS`` set in the environment taking their place.

        >>> ReadLimits.from_env({"KTOP_MAX_ROWS": "5000000"}).xlsx_rows
        5000000
        """
        environ = os.environ if environ is None else environ
        values = {}
        for name, (variable, scale) in _LIMIT_VARIABLES.items():
            text = str(environ.get(variable, "")).strip()
            if not text:
                continue
            number = int(text) if text.isdigit() else 0
            if number < 1:
                raise UsageError(f"{variable}={text!r}: expected a whole number of at least 1",
                                 ko=f"{variable}={text!r}: 1 이상의 정수가 필요합니다")
            values[name] = number * scale
        return cls(**values)


_LIMIT_VARIABLES = {"xlsx_bytes": ("KTOP_MAX_XLSX_MB", 2**20), "xlsx_rows": ("KTOP_MAX_ROWS", 1),
                    "columns": ("KTOP_MAX_COLUMNS", 1)}


@dataclass
class RawTable:
    """Cells of a table as read, with the spreadsheet row number of each record.

    ``problems`` are the reader's (:class:`~ktop_index.data.problems.Problem`, errors and
    warnings), which :func:`ktop_index.data.validate.validate` reports first; ``header_row``
    is the row that held the headers (1 unless title rows stood above them); ``sheet`` the
    XLSX sheet read.
    """

    frame: pd.DataFrame
    rows: np.ndarray
    source: str
    encoding: str | None = None
    problems: list = field(default_factory=list)
    header_row: int = 1
    sheet: str | None = None


def _error(en: str, ko: str) -> InputError:
    return InputError(en, ko=ko)


# ---------------------------------------------------------------------------- reading

def read_table(path: str | os.PathLike, sheet: str | int | None = None,
               header_row: int | None = None, limits: ReadLimits | None = None) -> RawTable:
    """Read a CSV, XLSX or Parquet file into a :class:`RawTable`.

    Parameters
    ----------
    path : file to read; the format follows the suffix, and the first bytes must agree.
    sheet : XLSX sheet name or 0-based index; by default the active sheet if it is visible
        and holds the contract's headers, else the first visible sheet that does.
    header_row : the row (1 = the first) that holds the headers; by default the first of
        the first 30 rows holding at least two of the contract's headers, else the first
        row that is not empty.
    limits : sizes refused before reading; :meth:`ReadLimits.from_env` when None.

    Raises
    ------
    InputError
        One line, in English and Korean (``exc.message('ko')``), naming the file and what to
        do: missing, of another type than its name says, undecodable, over a limit.
    """
    path = Path(path)
    source = path.name
    if not path.exists():
        raise InputError(f"{path}: no such file", ko=f"{path}: 파일이 없습니다")
    if path.is_dir():
        raise InputError(f"{path}: is a folder (expected a file)",
                         ko=f"{path}: 폴더입니다 (파일이 필요합니다)")
    if header_row is not None and (isinstance(header_row, bool) or int(header_row) < 1):
        raise UsageError(f"header row {header_row}: expected a row number of 1 or more",
                         ko=f"머리글 행 {header_row}: 1 이상의 행 번호가 필요합니다")
    limits = limits or ReadLimits.from_env()
    suffix = path.suffix.lower()
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEAD_BYTES)
        kind = _sniff(path, head)
        if kind == "zip":
            kind = _zip_kind(path)
        if suffix in CSV_SUFFIXES:
            _expect(kind, ("text", "empty"), suffix)
            return _read_csv(path, source, head, header_row, limits)
        if suffix in EXCEL_SUFFIXES + OTHER_SHEET_SUFFIXES:
            _expect(kind, ("xlsx",) if suffix in EXCEL_SUFFIXES else (), suffix)
            _check_inflated(path, limits)
            return _read_excel(path, source, sheet, header_row, limits)
        if suffix in PARQUET_SUFFIXES:
            _expect(kind, ("parquet",), suffix)
            return _read_parquet(path, source)
    except InputError as exc:
        raise InputError(f"{path}: {exc}", ko=f"{path}: {exc.message('ko')}") from None
    except (pa.ArrowException, OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: cannot read the file ({first})",
                         ko=f"{path}: 파일을 읽을 수 없습니다 ({first})") from None
    raise InputError(f"{path}: unknown file type '{suffix}' (expected .csv, .xlsx or .parquet)",
                     ko=f"{path}: 알 수 없는 파일 형식 '{suffix}' (.csv, .xlsx 또는 .parquet 필요)")


# ---------------------------------------------------------------------------- streaming

STREAM_ROWS = 131_072  # records per batch of a streamed read


class TypesChanged(Exception):
    """A streamed CSV column typed from the first block met a value of another type later
    (a '-' or '1,234' among numbers): read it again with every column as text, as
    :func:`read_table` then does."""


@dataclass
class TableStream:
    """A CSV or Parquet file read as consecutive :class:`RawTable` batches of ``rows``
    records (iterate it; each batch's ``rows`` are the spreadsheet rows of the whole file),
    the same cells :func:`read_table` gives: made by :func:`stream_table`. The reader's
    problems (none, for a streamable file) are on the first batch."""

    path: Path
    source: str
    rows: int
    layout: _CsvLayout | None = None
    encoding: str | None = None
    strings: bool = False
    size: int = 0
    _early: _Early | None = field(default=None, init=False, repr=False, compare=False)

    def start(self) -> TableStream:
        """Begin reading now, in a thread: the first :data:`EARLY_BLOCKS` blocks of a CSV
        are parsed (by arrow, without Python's lock) while the caller goes on, say, importing
        pandas; the first iteration takes them, a later one reads afresh. Returns the stream.

        >>> stream = stream_table("panel.csv").start()               # doctest: +SKIP
        """
        if self.layout is not None and self._early is None:
            self._early = _Early(self._tables())
        return self

    def __iter__(self) -> Iterator[RawTable]:
        first = self.layout.header_row + 1 if self.layout else 2
        done = 0
        for frame in _read_ahead(self._frames()):
            for start in range(0, len(frame), self.rows):
                part = frame.iloc[start:start + self.rows].reset_index(drop=True)
                rows = np.arange(len(part), dtype=np.int64) + first + done
                done += len(part)
                yield _with_rows(part, self.source, self.encoding, rows, [],
                                 self.layout.header_row if self.layout else 1)

    def _frames(self) -> Iterator[pd.DataFrame]:
        if self.layout is None:
            for batch in pq.ParquetFile(self.path).iter_batches(batch_size=self.rows):
                yield pa.Table.from_batches([batch]).to_pandas()
            return
        early, self._early = self._early, None  # begun by start(): taken once
        for table in early.tables() if early is not None else self._tables():
            yield table.to_pandas()

    def _tables(self) -> Iterator[pa.Table]:
        """A CSV's blocks as arrow tables, each block's columns typed as the first's."""
        layout = self.layout
        types = {n: pa.string() for n, h in zip(layout.names, layout.headers)
                 if self.strings or not h or h in _text_columns([h])}
        parse = pacsv.ParseOptions(delimiter=layout.delimiter, ignore_empty_lines=False)
        convert = pacsv.ConvertOptions(column_types=types, strings_can_be_null=True,
                                       quoted_strings_can_be_null=True)
        for k, chunk in enumerate(_csv_chunks(self.path, self.encoding)):
            read = pacsv.ReadOptions(block_size=CSV_READ_BLOCK, use_threads=True,
                                     skip_rows=layout.skip if k == 0 else 0,
                                     column_names=layout.names)
            try:
                table = pacsv.read_csv(pa.py_buffer(chunk), read_options=read,
                                       parse_options=parse, convert_options=convert)
            except pa.ArrowInvalid as exc:
                if "conversion error" in str(exc).lower() and not self.strings:
                    raise TypesChanged(str(exc)) from None
                raise
            if k == 0:
                if any(pa.types.is_binary(f.type) for f in table.schema):
                    raise pa.ArrowInvalid("invalid UTF8 in a column")
                # the types the first block gave: a later block is read as them, or fails
                convert.column_types = {f.name: f.type for f in table.schema}
            yield table

    def estimated_rows(self) -> int:
        """The records of the file: exact for Parquet, from the first 64 KiB for a CSV."""
        if self.layout is None:
            return pq.ParquetFile(self.path).metadata.num_rows
        with open(self.path, "rb") as handle:
            head = handle.read(HEAD_BYTES)
        lines = max(1, head.count(b"\n") + head.count(b"\r") // 2 - self.layout.skip)
        return lines if len(head) >= self.size else int(self.size / len(head) * lines)

    def as_text(self) -> TableStream:
        """The same stream with every column read as text (after :class:`TypesChanged`)."""
        return replace(self, strings=True)


def written_in_blocks(path: str | os.PathLike) -> bool:
    """Whether a table written to ``path`` is written block by block, as it is made (a CSV
    or Parquet file: :func:`write_csv_blocks`, :func:`write_parquet_blocks`), so that a file
    scored into it can be streamed.

    >>> written_in_blocks("scores.csv"), written_in_blocks("scores.xlsx")
    (True, False)
    """
    return os.path.splitext(path)[1].lower() in CSV_SUFFIXES + PARQUET_SUFFIXES


EARLY_BLOCKS = 4  # CSV blocks TableStream.start parses ahead (16 MiB each: about 90,000 rows)


class _Early:
    """The first :data:`EARLY_BLOCKS` tables of ``tables`` parsed in a thread from now on;
    :meth:`tables` gives them as they come, then the rest of ``tables`` in the caller's
    thread. What the reading raises is raised where it happened."""

    def __init__(self, tables: Iterator[pa.Table]):
        self.source = tables
        self.parsed: queue.Queue = queue.Queue()
        threading.Thread(target=self._parse, name="ktop-early-read", daemon=True).start()

    def _parse(self) -> None:
        try:
            for _ in range(EARLY_BLOCKS):
                table = next(self.source, None)
                self.parsed.put(("table", table) if table is not None else ("end", None))
                if table is None:
                    return
            self.parsed.put(("more", None))
        except BaseException as exc:  # noqa: BLE001 - raised in the reader's thread
            self.parsed.put(("error", exc))

    def tables(self) -> Iterator[pa.Table]:
        while True:
            kind, value = self.parsed.get()
            if kind == "table":
                yield value
            elif kind == "error":
                raise value
            else:
                if kind == "more":  # the thread is done with the source: go on here
                    yield from self.source
                return


def _read_ahead(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """``frames``, the next one read in a thread while the caller works on this one (arrow
    parses outside Python's lock: reading then costs next to nothing on a second core)."""
    with ThreadPoolExecutor(max_workers=1) as reader:
        upcoming = reader.submit(next, frames, None)
        while (frame := upcoming.result()) is not None:
            upcoming = reader.submit(next, frames, None)
            yield frame


def _csv_chunks(path: Path, encoding: str | None, size: int | None = None) -> Iterator:
    """The file as UTF-8 pieces of about ``size`` bytes, each ending at a line end outside a
    quoted value (an even count of quotes before it), so that each piece holds whole
    records; a file in CP949 or UTF-16 is transcoded on the way. A UTF-8 file's pieces are
    views of one buffer, read into again for the next piece once the caller asks for it
    (arrow copies the cells out as it parses): a fresh buffer for each piece would cost the
    system a page fault per 4 KiB. ``size`` defaults to :data:`CSV_READ_BLOCK`."""
    size = size or CSV_READ_BLOCK
    if encoding in ("cp949", "utf-16"):
        yield from _transcoded_chunks(path, encoding, size)
        return
    buffer, held = bytearray(size), 0  # held: the bytes of a record the last piece left
    with open(path, "rb") as handle:
        while True:
            if held == len(buffer):  # a record longer than the buffer: a bigger one
                buffer = buffer[:held] + bytearray(len(buffer))
            read = handle.readinto(memoryview(buffer)[held:])
            end = held + read
            cut = end if not read else _record_end(buffer, end)
            if cut:
                yield memoryview(buffer)[:cut]  # no copy: arrow reads the view
            if not read:
                return
            buffer[:end - cut] = buffer[cut:end]  # the same length: in place
            held = end - cut


def _transcoded_chunks(path: Path, encoding: str, size: int) -> Iterator[bytes]:
    decoder = codecs.getincrementaldecoder(encoding)()
    rest = b""
    with open(path, "rb") as handle:
        while True:
            raw = handle.read(size)
            buffer = rest + decoder.decode(raw, final=not raw).encode("utf-8")
            if not raw:
                if buffer:
                    yield buffer
                return
            cut = _record_end(buffer)
            if cut > 0:
                yield memoryview(buffer)[:cut]
            rest = buffer[cut:]


def _record_end(buffer, end: int | None = None) -> int:
    """The end of the last whole record in ``buffer[:end]`` (0: none yet): just after its
    last line end (LF; CR in a file of old Mac line ends, but not a CR the window ends
    with) that has an even number of quotes before it."""
    end = len(buffer) if end is None else end
    newline = b"\n" if buffer.find(b"\n", 0, end) >= 0 else b"\r"
    # a CR as the last byte may be the first half of a CRLF: not a line end until known
    position = buffer.rfind(newline, 0, end if newline == b"\n" else end - 1)
    # numpy counts 10x bytes.count
    quotes = np.frombuffer(buffer, dtype=np.uint8, count=end) == ord('"')
    while position >= 0:
        if np.count_nonzero(quotes[:position]) % 2 == 0:
            return position + 1
        position = buffer.rfind(newline, 0, position)
    return 0


def stream_table(path: str | os.PathLike, rows: int = STREAM_ROWS,
                 header_row: int | None = None) -> TableStream | None:
    """The file as a :class:`TableStream` of ``rows``-record batches, or None when it must be
    read whole by :func:`read_table`: an XLSX; a CSV whose header :func:`read_table` would
    not find by itself, or that has an empty or a repeated header (whether such a column is
    kept depends on every row), or that is empty; a Parquet file with a stored index. A
    stream raises what reading it meets (:class:`TypesChanged`, or any reader error: the
    caller then reads the file with :func:`read_table`, which names the problem).

    >>> stream = stream_table("panel.csv")                       # doctest: +SKIP
    >>> sum(len(batch.frame) for batch in stream)                # doctest: +SKIP
    1000000
    """
    try:
        return _stream_table(Path(path), rows, header_row)
    except (InputError, UnicodeError, ValueError, OSError, pa.ArrowException):
        return None  # read_table says what is wrong, naming the file


def _stream_table(path: Path, rows: int, header_row: int | None) -> TableStream | None:
    suffix = path.suffix.lower()
    if not path.is_file() or suffix not in CSV_SUFFIXES + PARQUET_SUFFIXES:
        return None
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
    kind = _sniff(path, head)
    size = path.stat().st_size
    if suffix in PARQUET_SUFFIXES:
        if kind != "parquet" or _parquet_index(path):
            return None
        return TableStream(path, path.name, rows, size=size)
    if kind != "text":
        return None
    limits = ReadLimits.from_env()
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _detect_head(head) == "cp949":
        # the first 64 KiB of the text as UTF-8, as read_table judges them after transcoding
        encoding = "utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else "cp949"
        with open(path, "rb") as handle:
            more = handle.read(4 * HEAD_BYTES)
        text = codecs.getincrementaldecoder(encoding)(errors="ignore").decode(more)
        text = text.encode("utf-8")[:HEAD_BYTES]
    else:
        encoding = _detect_head(head)
        text = _wide_head(path, head, limits)
    layout = _csv_layout(text, header_row, limits)
    if (layout is None or not (layout.found or header_row is not None)
            or layout.names != layout.headers):
        return None
    return TableStream(path, path.name, rows, layout, encoding, size=size)


def _parquet_index(path: Path) -> bool:
    """Whether a Parquet file written from pandas stored an index as columns."""
    meta = pq.read_schema(path).pandas_metadata or {}
    return any(not isinstance(k, dict) for k in meta.get("index_columns", []))


# ---------------------------------------------------------------------------- file types

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 compound file: .xls, .doc, encrypted
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")  # the stream of an encrypted OOXML file
_HWP = "HwpSummaryInformation".encode("utf-16-le")  # a Hangul word processor document
_OLE_WORKBOOK = ("Workbook".encode("utf-16-le"), "Book\x00".encode("utf-16-le"))

#: kind -> (what it is, in English and Korean; the suffixes it rightly carries)
_KINDS = {
    "empty": ("an empty file (0 bytes)", "빈 파일(0바이트)", ()),
    "text": ("a text (CSV) file", "텍스트(CSV) 파일", CSV_SUFFIXES),
    "xlsx": ("an Excel workbook (.xlsx)", "Excel 통합 문서(.xlsx)", EXCEL_SUFFIXES),
    "parquet": ("a Parquet file", "Parquet 파일", PARQUET_SUFFIXES),
    "xls": ("an Excel 97-2003 workbook (.xls)", "Excel 97-2003 통합 문서(.xls)", (".xls",)),
    "encrypted": ("a password-protected (encrypted) Excel workbook",
                  "암호로 보호된(암호화된) Excel 통합 문서", EXCEL_SUFFIXES + (".xls",)),
    "xlsb": ("an Excel binary workbook (.xlsb)", "Excel 바이너리 통합 문서(.xlsb)", (".xlsb",)),
    "ods": ("an OpenDocument spreadsheet (.ods)", "OpenDocument 스프레드시트(.ods)", (".ods",)),
    "ole": ("an Office 97-2003 file that is not a workbook (a .doc or .ppt?)",
            "통합 문서가 아닌 Office 97-2003 파일(.doc 또는 .ppt?)", ()),
    "hwp": ("a Hangul (HWP) document, not a table", "표가 아닌 한글(HWP) 문서", (".hwp",)),
    "docx": ("a Word document", "Word 문서", ()),
    "pptx": ("a PowerPoint presentation", "PowerPoint 프레젠테이션", ()),
    "zip": ("a zip archive holding no workbook", "통합 문서가 없는 zip 압축 파일", (".zip",)),
    "pdf": ("a PDF document", "PDF 문서", ()),
    "html": ("a web page (HTML), as the 'Excel download' of many web systems is",
             "웹 페이지(HTML) (웹 시스템의 '엑셀 다운로드'가 흔히 이렇습니다)", ()),
    "xml": ("an XML file (Excel's old 'XML Spreadsheet 2003'?)",
            "XML 파일 (Excel의 옛 'XML 스프레드시트 2003'?)", ()),
    "binary": ("a binary file, not text", "텍스트가 아닌 이진 파일", ()),
}
_SAVE_AS_XLSX = ("open it in Excel and save it as .xlsx (File > Save As > Excel Workbook)",
                 "Excel에서 열어 .xlsx로 저장하세요 (파일 > 다른 이름으로 저장 > Excel 통합 문서)")
_GIVE_A_TABLE = ("give the table as .xlsx or .csv (Excel: Save As > CSV UTF-8)",
                 "표를 .xlsx 또는 .csv로 주세요 (Excel: 다른 이름으로 저장 > CSV UTF-8)")
#: kind -> what to do, in English and Korean
_TO_DO = {
    "empty": ("it was not saved or downloaded completely: get the file again",
              "저장이나 다운로드가 끝나지 않은 파일입니다: 파일을 다시 받으세요"),
    "text": ("rename it to .csv", "확장자를 .csv로 바꾸세요"),
    "xlsx": ("rename it to .xlsx", "확장자를 .xlsx로 바꾸세요"),
    "parquet": ("rename it to .parquet", "확장자를 .parquet로 바꾸세요"),
    "xls": _SAVE_AS_XLSX, "xlsb": _SAVE_AS_XLSX, "ods": _SAVE_AS_XLSX, "html": _SAVE_AS_XLSX,
    "xml": _SAVE_AS_XLSX,
    "encrypted": (("open it in Excel, remove the password (File > Info > Protect Workbook > "
                   "Encrypt with Password: clear it) and save it"),
                  ("Excel에서 열어 암호를 지우고 (파일 > 정보 > 통합 문서 보호 > 암호 설정: 비우기) "
                   "저장하세요")),
    "zip": ("unzip it and give the table inside", "압축을 풀고 안에 든 표 파일을 주세요"),
}


def _sniff(path: Path, head: bytes) -> str:
    """What the first bytes say a file is: a key of :data:`_KINDS` ('zip' for any zip)."""
    if not head:
        return "empty"
    if head.startswith(_OLE_MAGIC):
        return _ole_kind(path)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 with its byte-order mark: Excel's "Unicode text"
    start = head[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")):
        return "html"
    if start.startswith(b"<?xml"):
        return "html" if b"<html" in head[:4096].lower() else "xml"
    # text holding a stray NUL (a CSV export of a cell with one) is still text
    return "binary" if head.count(b"\x00") * 10 > len(head) else "text"


def _ole_kind(path: Path) -> str:
    """An OLE2 file: 'encrypted' (an OOXML workbook with a password), 'xls' or 'ole'. The
    stream names are looked for in the file, a block at a time."""
    found = "ole"
    tail = b""
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            data = tail + block
            if _ENCRYPTED in data:
                return "encrypted"
            if _HWP in data:
                return "hwp"
            if any(name in data for name in _OLE_WORKBOOK):
                found = "xls"
            tail = data[-64:]
    return found


def _zip_kind(path: Path) -> str:
    """What a zip holds: 'xlsx', 'xlsb', 'ods', 'docx', 'pptx', or 'zip' (something else)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
        raise _error("the workbook is damaged (its zip directory cannot be read: a download or "
                     "copy cut short?): get the file again, or open it in Excel, which may "
                     "repair it, and save it",
                     "통합 문서가 손상되었습니다 (zip 목록을 읽을 수 없음: 다운로드나 복사가 중간에 "
                     "끊겼나요?): 파일을 다시 받거나, Excel에서 열어 복구한 뒤 저장하세요") from None
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "xl/workbook.xml" not in names:
        if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            return "ods"
        return ("docx" if "word/document.xml" in names else
                "pptx" if "ppt/presentation.xml" in names else "zip")
    return "xlsx"


def _check_inflated(path: Path, limits: ReadLimits) -> None:
    """The workbook's uncompressed size, from its zip directory, against the limit (Python's
    zip reader never inflates an entry beyond the size its directory states)."""
    with zipfile.ZipFile(path) as archive:
        inflated = sum(info.file_size for info in archive.infolist())
    if inflated > limits.xlsx_bytes:
        mb, limit = inflated / 2**20, limits.xlsx_bytes / 2**20
        raise _error(f"the workbook inflates to {mb:,.0f} MB, more than the limit of "
                     f"{limit:,.0f} MB (a damaged file or a zip bomb?); if it is genuine, raise "
                     f"the limit: KTOP_MAX_XLSX_MB={int(mb) + 1}",
                     f"통합 문서의 압축을 풀면 {mb:,.0f} MB로 한도 {limit:,.0f} MB를 넘습니다 "
                     f"(손상된 파일 또는 zip 폭탄?); 정상 파일이면 한도를 올리세요: "
                     f"KTOP_MAX_XLSX_MB={int(mb) + 1}")


def _expect(kind: str, wanted: tuple[str, ...], suffix: str) -> None:
    """Refuse a file whose content is not what its name says, in one line: what it is and
    what to do."""
    if kind in wanted:
        return
    what, what_ko, suffixes = _KINDS[kind]
    todo, todo_ko = _TO_DO.get(kind, _GIVE_A_TABLE)
    if kind != "empty" and suffix not in suffixes:  # named as what it is not
        raise _error(f"this {suffix} file is {what}: {todo}",
                     f"이 {suffix} 파일은 {what_ko}입니다: {todo_ko}")
    raise _error(f"this is {what}: {todo}", f"{what_ko}입니다: {todo_ko}")


# ---------------------------------------------------------------------------- headers

def _hits(cells) -> int:
    """How many cells are headers of the contract."""
    return sum(1 for v in cells if isinstance(v, str) and v.strip()
               and match_header(v.strip())[0] is not None)


def _filled(cells) -> bool:
    return any(v is not None and (not isinstance(v, str) or v.strip()) for v in cells)


def _find_header(rows: list) -> tuple[int, bool]:
    """(index of the header row, whether it was found by the contract's headers): the first
    row with at least two contract headers, else the first row that is not empty."""
    for k, cells in enumerate(rows):
        if _hits(cells) >= 2:
            return k, True
    return next((k for k, cells in enumerate(rows) if _filled(cells)), 0), False


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index.

    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(16383)
    ('A', 'Z', 'AA', 'XFD')
    """
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _header_names(headers: list[str], has_data, source: str, header_row: int,
                  merged: dict[int, tuple[int, int]] | None = None
                  ) -> tuple[dict[int, str], list[Problem]]:
    """The columns kept (index -> header) and the problems of the others: a column holding
    data under an empty or merged header, a header that appears twice.

    ``has_data(i)`` says whether column ``i`` holds any value; ``merged`` maps a column to
    the (first, last) columns of a merged header cell it is part of.
    """
    kept: dict[int, str] = {}
    first: dict[str, int] = {}
    problems = []
    for i, header in enumerate(headers):
        letter = column_letter(i)
        if not header:
            span = (merged or {}).get(i)
            if span and span[0] < i and has_data(i):
                problems.append(Problem(source, header_row, letter, "merged_header", "error", {
                    "letter": letter, "header": headers[span[0]],
                    "span": f"{column_letter(span[0])}:{column_letter(span[1])}"}))
            elif has_data(i):
                problems.append(Problem(source, header_row, letter, "unnamed_column", "warning",
                                        {"letter": letter}))
            continue
        if header in first:
            known = match_header(header)[0] is not None
            problems.append(Problem(source, header_row, header, "duplicate_header",
                                    "error" if known else "warning",
                                    {"first": column_letter(first[header]), "second": letter}))
            continue
        first[header] = i
        kept[i] = header
    return kept, problems


def _sheets_hint(names: list[str]) -> dict[str, str]:
    shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
    return {"sheets": f" (sheets: {shown})" if len(names) > 1 else "",
            "sheets_ko": f" (시트: {shown})" if len(names) > 1 else ""}


def _header_not_found(source: str, row: int, names: list[str]) -> Problem:
    return Problem(source, row, "-", "header_not_found", "warning",
                   {"rows": HEADER_SEARCH_ROWS, "row": row, **_sheets_hint(names)})


def _text_columns(headers: list[str]) -> set[str]:
    """Headers to read as text whatever they look like (codes keep their leading zeros)."""
    text = set()
    for header in headers:
        name, _ = match_header(header)
        if name is None or FIELD_BY_NAME[name].kind in TEXT_KINDS:
            text.add(header)
    return text


def _too_wide(columns: int, limits: ReadLimits, where: str, where_ko: str) -> InputError:
    return _error(f"{where} has {columns:,} columns, more than the limit of {limits.columns:,}; "
                  "delete the columns that are not data (Ctrl+End shows the last cell), or "
                  f"raise the limit: KTOP_MAX_COLUMNS={columns}",
                  f"{where_ko}의 열이 {columns:,}개로 한도 {limits.columns:,}개를 넘습니다; 데이터가 "
                  "아닌 열을 지우거나 (Ctrl+End로 마지막 셀 확인) 한도를 올리세요: "
                  f"KTOP_MAX_COLUMNS={columns}")


# ---------------------------------------------------------------------------- CSV

def detect_encoding(data: bytes) -> str:
    """'utf-8-sig' (BOM), 'utf-8', or 'cp949' (what Korean Excel writes; a superset of EUC-KR).

    Text that is neither raises an :class:`InputError` naming the line: the first line
    that is not UTF-8 after UTF-8 lines (or not CP949 after CP949 lines) is a file mixing
    two encodings.

    >>> detect_encoding("매출".encode("cp949")), detect_encoding("매출".encode("utf-8"))
    ('cp949', 'utf-8')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        body, prefix = data[3:], "utf-8-sig"
    else:
        body, prefix = data, "utf-8"
    try:
        body.decode("utf-8")
        return prefix
    except UnicodeDecodeError as exc:
        bad = exc.start
    line_start = body.rfind(b"\n", 0, bad) + 1 or body.rfind(b"\r", 0, bad) + 1
    if not body[:line_start].isascii():  # UTF-8 lines, then one that is not
        raise _mixed(body, bad, "UTF-8", "CP949/EUC-KR", "cp949")
    try:
        body.decode("cp949")
        return "cp949"
    except UnicodeDecodeError as exc:
        raise _mixed(body, exc.start, "CP949/EUC-KR", "UTF-8", "utf-8") from None


def _line_of(data: bytes, position: int) -> int:
    ends = b"\n" if b"\n" in data[:position + 1] else b"\r"
    return data.count(ends, 0, position) + 1


def _mixed(data: bytes, position: int, before: str, other: str, other_codec: str) -> InputError:
    """The error for a byte that the encoding of the lines before it cannot decode."""
    line = _line_of(data, position)
    start = max(data.rfind(b"\n", 0, position), data.rfind(b"\r", 0, position)) + 1
    end = min([k for k in (data.find(b"\n", position), data.find(b"\r", position)) if k >= 0]
              or [len(data)])
    try:
        data[start:end].decode(other_codec)
        is_other = line > 1 and not data[:start].isascii()
    except UnicodeDecodeError:
        is_other = False
    if is_other:
        return _error(f"line {line} is {other} but the lines before it are {before}: the file "
                      "mixes two encodings (two files pasted together?); open it in Excel or a "
                      "text editor and save it once as UTF-8 (Excel: Save As > CSV UTF-8)",
                      f"{line}번째 줄은 {other}인데 앞의 줄은 {before}입니다: 한 파일에 두 인코딩이 "
                      "섞였습니다 (두 파일을 이어 붙였나요?); Excel이나 텍스트 편집기에서 UTF-8로 한 번 "
                      "저장하세요 (Excel: 다른 이름으로 저장 > CSV UTF-8)")
    return _error(f"cannot decode the text at line {line} (expected UTF-8 or CP949/EUC-KR; "
                  "Excel: Save As > CSV UTF-8)",
                  f"{line}번째 줄의 글자를 읽을 수 없습니다 (UTF-8 또는 CP949/EUC-KR 필요; "
                  "Excel: 다른 이름으로 저장 > CSV UTF-8)")


def _decode(data: bytes, encoding: str) -> str:
    """The whole file as text; an undecodable byte is an InputError naming its line."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding == "cp949":
            detect_encoding(data)  # raises, naming the line
        line = data[:exc.start].decode(encoding, errors="replace").count("\n") + 1
        raise _error(f"cannot decode the {encoding.upper()} text at line {line}; save the file "
                     "again as UTF-8 (Excel: Save As > CSV UTF-8)",
                     f"{line}번째 줄의 {encoding.upper()} 글자를 읽을 수 없습니다; UTF-8로 다시 "
                     "저장하세요 (Excel: 다른 이름으로 저장 > CSV UTF-8)") from None


def _read_csv(path: Path, source: str, head: bytes, header_row: int | None,
              limits: ReadLimits) -> RawTable:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _read_csv_as(path, source, head, "utf-16", header_row, limits)
    encoding = _detect_head(head)
    try:
        return _read_csv_as(path, source, head, encoding, header_row, limits)
    except pa.ArrowInvalid as exc:
        if encoding == "cp949" or "UTF8" not in str(exc).upper().replace("-", ""):
            raise
        # a large file whose first 64 KiB looked like UTF-8 but is not: read it whole
        return _read_csv_as(path, source, head, detect_encoding(path.read_bytes()), header_row,
                            limits)


def _detect_head(head: bytes) -> str:
    """The encoding judged from the first bytes (a character cut at the end is allowed)."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return detect_encoding(head if len(head) < HEAD_BYTES else head[:-1])


@dataclass
class _CsvLayout:
    """Where a CSV's table starts: its delimiter, the header (as read and as named for
    pyarrow, unique), the lines before the first record, the header's spreadsheet row."""

    delimiter: str
    headers: list[str]
    names: list[str]
    skip: int
    header_row: int
    found: bool


_LINE_END = re.compile(r"\r\n|\r|\n")  # the line ends pyarrow knows (CR alone: old Mac Excel)
_SEP_LINE = re.compile(r'"?sep=(.)"?[,;\t|]*')  # Excel's first line naming the delimiter
_DELIMITERS = (",", "\t", ";")


def _split(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _csv_layout(head: bytes, header_row: int | None,
                limits: ReadLimits) -> _CsvLayout | None:
    """Find the delimiter and the header row from the first bytes (a ``sep=`` line first,
    title rows above the header); None when the file holds no text."""
    text = head.decode("utf-8-sig", errors="replace")
    lines = _LINE_END.split(text)
    cut = len(head) >= HEAD_BYTES and len(lines) > 1  # the last line may be cut short
    lines = lines[:-1] if cut else lines
    sep = _SEP_LINE.fullmatch(lines[0].strip()) if lines else None
    offset = 1 if sep else 0  # Excel hides the sep= line: the next line is its row 1
    delimiters = (sep.group(1),) if sep else _DELIMITERS
    search = lines[offset:offset + HEADER_SEARCH_ROWS]
    if header_row is not None:
        k = header_row - 1
        if k >= len(lines) - offset or not lines[offset + k].strip():
            raise _error(f"row {header_row} is empty or past the first 64 KiB (expected the "
                         "column headers there: give the right --header-row)",
                         f"{header_row}행이 비었거나 처음 64KiB 밖입니다 (그 행에 열 머리글이 있어야 "
                         "합니다: --header-row를 바르게 주세요)")
        found = True
    else:
        k, found = _find_csv_header(search, delimiters)
        if not search or not search[k].strip():
            return None
    line = lines[offset + k]
    delimiter = max(delimiters, key=lambda d: (_hits(_split(line, d)), line.count(d)))
    headers = [h.strip() for h in _split(line, delimiter)]
    if len(headers) > limits.columns:
        raise _too_wide(len(headers), limits, "the header", "머리글")
    names = [h if h and h not in headers[:i] else f"\x00{i}" for i, h in enumerate(headers)]
    return _CsvLayout(delimiter, headers, names, offset + k + 1, k + 1, found)


def _find_csv_header(lines: list[str], delimiters: tuple[str, ...]) -> tuple[int, bool]:
    """The header's index among the first lines, and whether the contract found it."""
    for k, line in enumerate(lines):
        if line.strip() and max(_hits(_split(line, d)) for d in delimiters) >= 2:
            return k, True
    return next((k for k, line in enumerate(lines) if line.strip()), 0), False


def _wide_head(path: Path, head: bytes, limits: ReadLimits) -> bytes:
    """The first bytes, extended to hold the whole header line when it is longer than them,
    after checking the fields counted so far against the column limit."""
    while not re.search(rb"[\r\n]", head) and len(head) % HEAD_BYTES == 0:
        fields = max(head.count(d.encode()) for d in _DELIMITERS) + 1
        if fields > limits.columns:
            raise _too_wide(fields, limits, "the header", "머리글")
        with open(path, "rb") as handle:
            handle.seek(len(head))
            more = handle.read(HEAD_BYTES)
        if not more:
            break
        head += more
    return head


def _read_csv_as(path: Path, source: str, head: bytes, encoding: str,
                 header_row: int | None, limits: ReadLimits) -> RawTable:
    if encoding in ("cp949", "utf-16"):  # transcode for pyarrow, which reads UTF-8
        data: object = _io.BytesIO(_decode(path.read_bytes(), encoding).encode("utf-8"))
        head = data.getvalue()[:HEAD_BYTES]
    else:
        data = str(path)
        head = _wide_head(path, head, limits)
    layout = _csv_layout(head, header_row, limits)
    if layout is None:
        return RawTable(pd.DataFrame(), np.zeros(0, dtype=np.int64), source, encoding)
    text_types = {n: pa.string() for n, h in zip(layout.names, layout.headers)
                  if not h or h in _text_columns([h])}
    attempts = [  # (newlines inside quoted values, column types)
        # the fast parallel reader first: it fails, never misreads, when a block boundary
        # falls inside a quoted value that holds a line break (Alt+Enter in an Excel cell)
        (False, text_types), (True, text_types),
        # type inference looks at the first block only; a later '-' or '1,234' breaks it
        (True, {n: pa.string() for n in layout.names})]
    for number, (newlines, types) in enumerate(attempts):
        parse = pacsv.ParseOptions(delimiter=layout.delimiter, newlines_in_values=newlines,
                                   ignore_empty_lines=False)
        if hasattr(data, "seek"):
            data.seek(0)
        try:
            table = _arrow_csv(data, parse, types, layout)
            break
        except pa.ArrowInvalid as exc:
            if "UTF8" in str(exc).upper().replace("-", ""):
                raise
            if number == len(attempts) - 1:
                if "columns, got" in str(exc):
                    raise _ragged(data, layout) from None
                raise
    if encoding not in ("cp949", "utf-16") and any(pa.types.is_binary(f.type)
                                                   for f in table.schema):
        raise pa.ArrowInvalid("invalid UTF8 in a column")  # pyarrow typed it as bytes
    frame = table.to_pandas()
    kept, problems = _header_names(
        layout.headers, lambda i: bool(frame[layout.names[i]].notna().any()), source,
        layout.header_row)
    if len(kept) < len(layout.names):
        frame = frame[[layout.names[i] for i in kept]]
    if not layout.found and header_row is None and len(frame.columns):
        problems.append(_header_not_found(source, layout.header_row, []))
    rows = np.arange(len(frame), dtype=np.int64) + layout.header_row + 1
    return _with_rows(frame, source, encoding, rows, problems, layout.header_row)


def _ragged(data, layout: _CsvLayout) -> InputError:
    """The error for a record whose fields do not match the header's, naming its row (an
    error path: the text is read again, record by record)."""
    raw = data.getvalue() if hasattr(data, "getvalue") else Path(data).read_bytes()
    text = raw.decode("utf-8-sig", errors="replace")
    body = _LINE_END.split(text, maxsplit=layout.skip)[-1]
    width = len(layout.headers)
    row, fields = layout.header_row + 1, width
    for k, record in enumerate(csv.reader(_io.StringIO(body, newline=""),
                                          delimiter=layout.delimiter)):
        if record and len(record) != width:
            row, fields = layout.header_row + 1 + k, len(record)
            break
    hint = "" if layout.found else "; if the header is lower, give --header-row N"
    hint_ko = "" if layout.found else "; 머리글이 더 아래 있으면 --header-row N을 주세요"
    return _error(f"row {row} has {fields} fields but the header (row {layout.header_row}) "
                  f"has {width} (expected as many in every row{hint})",
                  f"{row}행의 칸이 {fields}개인데 머리글({layout.header_row}행)은 {width}개입니다 "
                  f"(모든 행의 칸 수가 같아야 합니다{hint_ko})")


def _arrow_csv(data, parse: pacsv.ParseOptions, types: dict, layout: _CsvLayout) -> pa.Table:
    convert = pacsv.ConvertOptions(column_types=types, strings_can_be_null=True,
                                   quoted_strings_can_be_null=True)
    read = pacsv.ReadOptions(block_size=CSV_READ_BLOCK, use_threads=True,
                             skip_rows=layout.skip, column_names=layout.names)
    return pacsv.read_csv(data, read_options=read, parse_options=parse,
                          convert_options=convert)


def _with_rows(frame: pd.DataFrame, source: str, encoding: str | None,
               rows: np.ndarray | None = None, problems: list | None = None,
               header_row: int = 1, sheet: str | None = None) -> RawTable:
    """Attach spreadsheet row numbers and drop records that are wholly empty."""
    if rows is None:
        rows = np.arange(len(frame), dtype=np.int64) + header_row + 1
    if len(frame.columns) and len(frame):
        empty = frame.isna().all(axis=1).to_numpy()
        if empty.any():
            frame = frame.loc[~empty].reset_index(drop=True)
            rows = rows[~empty]
    return RawTable(frame, rows, source, encoding, list(problems or []), header_row, sheet)


# ---------------------------------------------------------------------------- XLSX

def _cell_text(value: object) -> object:
    """An XLSX cell as the text a user sees, for columns that are not wholly numeric."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _read_excel(path: Path, source: str, sheet: str | int | None, header_row: int | None,
                limits: ReadLimits) -> RawTable:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a malformed part can raise anything in openpyxl
        raise _unreadable(exc) from None
    try:
        ws, k, found, problems = _choose_sheet(book, source, sheet, header_row, limits)
        first_row = k + 1
        _check_size(ws, limits)
        with zipfile.ZipFile(path) as archive:
            scan = _scan_sheet(archive, getattr(ws, "_worksheet_path", None), first_row)
            externals = _external_files(archive)
        problems += _formula_problems(scan, ws.title, source, externals)
        numbers, records = _sheet_records(ws, first_row, limits)
        epoch = book.epoch
    except (InputError, UsageError):
        raise
    except Exception as exc:  # noqa: BLE001 - as above
        raise _unreadable(exc) from None
    finally:
        book.close()
    if not records and header_row is None:
        return RawTable(pd.DataFrame(), np.zeros(0, dtype=np.int64), source, sheet=ws.title)
    if not records or numbers[0] != first_row:
        raise _error(f"sheet '{ws.title}': row {first_row} is empty (expected the column "
                     "headers there: give the right --header-row)",
                     f"'{ws.title}' 시트: {first_row}행이 비었습니다 (그 행에 열 머리글이 있어야 "
                     "합니다: --header-row를 바르게 주세요)")
    if not found and header_row is None:
        problems.append(_header_not_found(source, first_row, book.sheetnames))
    frame, rows, found_problems = _excel_frame(records, numbers, source, first_row, scan.merged,
                                               epoch)
    return _with_rows(frame, source, None, rows, problems + found_problems, first_row,
                      ws.title)


def _unreadable(exc: Exception) -> InputError:
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    return _error(f"the workbook cannot be read ({type(exc).__name__}: {first}); open it in "
                  "Excel and save it again as .xlsx",
                  f"통합 문서를 읽을 수 없습니다 ({type(exc).__name__}: {first}); Excel에서 열어 "
                  ".xlsx로 다시 저장하세요")


def _peek(ws, limits: ReadLimits) -> list:
    """The first rows of a sheet (at most the column limit wide)."""
    width = min(ws.max_column or limits.columns, limits.columns)
    return list(ws.iter_rows(max_row=HEADER_SEARCH_ROWS, max_col=width, values_only=True))


def _choose_sheet(book, source: str, sheet, header_row: int | None, limits: ReadLimits):
    """(sheet, header index, header found, problems): the sheet asked for, else the active
    visible sheet if its first rows hold the contract's headers, else the first visible
    sheet whose do; a warning names it when other visible sheets hold data and either the
    active sheet was passed over or another sheet holds the contract's headers too."""
    sheets = book.worksheets
    if not sheets:
        raise _error("the workbook has no worksheets", "통합 문서에 워크시트가 없습니다")
    if sheet is not None:
        ws = _named_sheet(book, sheet)
        k, found = _header_at(_peek(ws, limits), header_row)
        return ws, k, found, []
    active = book.active if book.active in sheets else None
    visible = [ws for ws in sheets if ws.sheet_state == "visible"] or sheets
    if active not in visible:
        active = None
    order = ([active] if active is not None else []) + [ws for ws in visible if ws is not active]
    peeks = []
    for ws in order:
        rows = _peek(ws, limits)
        peeks.append((ws, *_header_at(rows, header_row), _filled_rows(rows)))
    chosen = next((p for p in peeks if p[2]), peeks[0])
    others = [p[0].title for p in peeks if p[3] and p[0] is not chosen[0]]
    # no doubt to name when the active sheet is read and no other holds the contract's
    # headers (a template's instructions sheet, an annotated workbook's list of problems)
    doubt = chosen[0] is not active or any(p[2] for p in peeks if p[0] is not chosen[0])
    problems = []
    if others and doubt:
        why = ("the active sheet", "활성 시트") if chosen[0] is active else (
            "the first visible sheet holding the contract's headers", "계약 머리글이 있는 첫 시트")
        problems.append(Problem(source, chosen[1] + 1, "-", "sheet_chosen", "warning", {
            "sheet": chosen[0].title, "why": why[0], "why_ko": why[1],
            "others": ", ".join(f"'{t}'" for t in others)}))
    return chosen[0], chosen[1], chosen[2], problems


def _filled_rows(rows: list) -> bool:
    return any(_filled(r) for r in rows)


def _header_at(rows: list, header_row: int | None) -> tuple[int, bool]:
    if header_row is None:
        return _find_header(rows)
    k = header_row - 1
    return k, k < len(rows) and _hits(rows[k]) >= 2


def _named_sheet(book, sheet):
    """The sheet of that name (a sheet named '2024' too), else of that 0-based number."""
    names = ", ".join(book.sheetnames)
    if isinstance(sheet, str) and sheet in book.sheetnames and book[sheet] in book.worksheets:
        return book[sheet]
    if isinstance(sheet, int) or str(sheet).strip().isdigit():
        number = int(sheet)
        if not 0 <= number < len(book.worksheets):
            raise _error(f"no sheet number {sheet} (sheets, from 0: {names})",
                         f"{sheet}번 시트가 없습니다 (0부터 센 시트: {names})")
        return book.worksheets[number]
    if sheet not in book.sheetnames or book[sheet] not in book.worksheets:
        raise _error(f"no sheet '{sheet}' (sheets: {names})",
                     f"'{sheet}' 시트가 없습니다 (시트: {names})")
    return book[sheet]


def _check_size(ws, limits: ReadLimits) -> None:
    """The sheet's stated size against the limits, before any row is read."""
    rows, columns = ws.max_row, ws.max_column
    if columns and columns > limits.columns:
        raise _too_wide(columns, limits, f"sheet '{ws.title}' (its last cell is "
                        f"{column_letter(columns - 1)}{rows or ''})",
                        f"'{ws.title}' 시트 (마지막 셀 {column_letter(columns - 1)}{rows or ''})")
    if rows and rows > limits.xlsx_rows + 1:
        raise _too_long(ws.title, rows, limits)


def _too_long(title: str, rows: int, limits: ReadLimits) -> InputError:
    return _error(f"sheet '{title}' has {rows:,} rows, more than the limit of "
                  f"{limits.xlsx_rows:,}; delete the rows that are not data, or raise the "
                  f"limit: KTOP_MAX_ROWS={rows}",
                  f"'{title}' 시트의 행이 {rows:,}개로 한도 {limits.xlsx_rows:,}개를 넘습니다; "
                  f"데이터가 아닌 행을 지우거나 한도를 올리세요: KTOP_MAX_ROWS={rows}")


def _sheet_records(ws, first_row: int, limits: ReadLimits) -> tuple[list[int], list[tuple]]:
    """The rows from the header down that hold a value, with their row numbers. Empty rows
    cost nothing (a stray cell at A1048576 leaves a million of them), and reading stops one
    row past the limit."""
    stop = first_row + limits.xlsx_rows + 1
    last = min(ws.max_row, stop) if ws.max_row else stop
    numbers, records = [], []
    empty = None
    for number, values in enumerate(ws.iter_rows(min_row=first_row, max_row=last,
                                                 max_col=ws.max_column, values_only=True),
                                    start=first_row):
        if values is empty or values.count(None) == len(values):
            empty = values  # openpyxl fills gaps with one shared tuple
            continue
        if len(values) > limits.columns:
            raise _too_wide(len(values), limits, f"sheet '{ws.title}' row {number}",
                            f"'{ws.title}' 시트 {number}행")
        numbers.append(number)
        records.append(values)
    if len(records) > limits.xlsx_rows + 1:
        raise _too_long(ws.title, numbers[-1], limits)
    return numbers, records


def _excel_frame(records: list[tuple], numbers: list[int], source: str, first_row: int,
                 merged: dict[int, tuple[int, int]], epoch) -> tuple[pd.DataFrame, np.ndarray,
                                                                       list[Problem]]:
    """The header row and the records below it as columns: wholly numeric columns as
    numbers, the others (and codes) as the text a user sees."""
    width = max(len(r) for r in records)
    data = records[1:]
    headers = [("" if v is None else str(_cell_text(v))).strip() for v in records[0]]
    headers += [""] * (width - len(headers))

    def has_data(i: int) -> bool:
        return any(i < len(r) and r[i] is not None for r in data)

    kept, problems = _header_names(headers, has_data, source, first_row, merged)
    rows = np.asarray(numbers[1:], dtype=np.int64)
    text = _text_columns(list(kept.values()))
    columns = {}
    for i, header in kept.items():
        values = [row[i] if i < len(row) else None for row in data]
        values = _years_from_dates(values, header, rows, source, epoch, problems)
        numeric = all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
                      for v in values)
        if numeric and header not in text:
            columns[header] = pd.array([np.nan if v is None else float(v) for v in values],
                                       dtype="float64")
        else:
            columns[header] = pd.array([_cell_text(v) for v in values], dtype="str")
    return pd.DataFrame(columns), rows, problems


def _years_from_dates(values: list, header: str, rows: np.ndarray, source: str, epoch,
                      problems: list[Problem]) -> list:
    """A year typed into a date-formatted cell shows as a date in 1905 (the serial number
    2024 is 1905-07-16): in a year column such a date is read as the year its serial number
    is, with one warning for the column. Other dates keep their own year."""
    name = match_header(header)[0]
    if name is None or FIELD_BY_NAME[name].kind != "year":
        return values
    out, shown = [], []
    for k, v in enumerate(values):
        if isinstance(v, dt.datetime) and epoch is not None:
            serial = (v - epoch).days
            if 1900 <= serial <= 2100:
                shown.append((k, v, serial))
                v = serial
        out.append(v)
    if shown:
        k, v, serial = shown[0]
        problems.append(Problem(source, int(rows[k]), header, "year_as_date", "warning", {
            "count": len(shown), "date": v.strftime("%Y-%m-%d"), "year": serial}))
    return out


# ---------------------------------------------------------------------------- sheet XML

@dataclass
class _Scan:
    """What a sheet's XML holds beyond openpyxl's values: formula cells without a saved
    value, cells linked to other workbooks, merged header cells."""

    uncached: list = field(default_factory=list)  # cell references
    linked_uncached: list = field(default_factory=list)
    linked: list = field(default_factory=list)  # linked cells with a saved value
    merged: dict = field(default_factory=dict)  # column -> (first, last) of a merged header


_F_OPEN = re.compile(rb"<(?:\w+:)?f(?=[\s>/])([^>]*)>")
_C_CLOSE = re.compile(rb"</(?:\w+:)?c>")
_V_OPEN = re.compile(rb"<(?:\w+:)?v[\s>/]")
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]{1,3})([0-9]+):([A-Z]{1,3})([0-9]+)"')
_LINK = re.compile(rb"\[\d+\]")  # a formula's reference to an external workbook: [1]Sheet1!A1
_ROW_CLOSE = re.compile(rb"</(?:\w+:)?row>")


def _scan_sheet(archive: zipfile.ZipFile, member: str | None, first_row: int) -> _Scan:
    """Stream the sheet's XML once, a block at a time (cut after a whole row), looking only
    at formulas and merged cells from the header row down."""
    scan = _Scan()
    if not member or member not in archive.namelist():
        return scan
    tail = b""
    with archive.open(member) as stream:
        while True:
            block = stream.read(1 << 22)
            buffer = tail + block
            cut = _last_row_end(buffer) if block else len(buffer)
            if cut <= 0:
                tail = buffer
                continue
            _scan_part(buffer[:cut], first_row, scan)
            tail = buffer[cut:]
            if not block:
                return scan


def _last_row_end(buffer: bytes) -> int:
    plain = buffer.rfind(b"</row>")
    if plain >= 0 or b":row>" not in buffer:
        return plain + 6 if plain >= 0 else -1
    ends = list(_ROW_CLOSE.finditer(buffer))
    return ends[-1].end() if ends else -1


def _scan_part(part: bytes, first_row: int, scan: _Scan) -> None:
    if b"<f" in part or b":f" in part:
        for match in _F_OPEN.finditer(part):
            _formula_cell(part, match, first_row, scan)
    if b"mergeCell" in part:
        for match in _MERGE.finditer(part):
            c0, r0, c1, r1 = (_column_index(match.group(1)), int(match.group(2)),
                              _column_index(match.group(3)), int(match.group(4)))
            if r0 <= first_row <= r1 and c1 > c0:
                for c in range(c0, c1 + 1):
                    scan.merged[c] = (c0, c1)


def _formula_cell(part: bytes, match: re.Match, first_row: int, scan: _Scan) -> None:
    opening = part.rfind(b"<", 0, match.start())
    ref = _CELL_REF.search(part, max(opening, 0), match.start())
    if ref and int(ref.group(2)) < first_row:
        return  # a title row above the table
    close = _C_CLOSE.search(part, match.end())
    value = _V_OPEN.search(part, match.end(), close.start() if close else len(part))
    # an empty <v/> is a value only for a text result (t="str": a formula giving ""); scripts
    # that do not calculate write the empty element for every formula
    cached = value is not None and (_value_text(part, value.start()) != b""
                                    or b't="str"' in part[max(opening, 0):match.start()])
    body = b"" if match.group(1).endswith(b"/") else part[match.end():part.find(b"<",
                                                                                match.end())]
    where = (ref.group(1) + ref.group(2)).decode() if ref else "?"
    if _LINK.search(body):
        (scan.linked if cached else scan.linked_uncached).append(where)
    elif not cached:
        scan.uncached.append(where)


def _value_text(part: bytes, start: int) -> bytes:
    end = part.find(b">", start)
    if end < 0 or part[end - 1:end] == b"/":
        return b""
    return part[end + 1:part.find(b"<", end)]


def _column_index(letters: bytes) -> int:
    index = 0
    for c in letters:
        index = index * 26 + (c - 64)
    return index - 1


def _external_files(archive: zipfile.ZipFile) -> list[str]:
    """The file names of the workbooks this one links to, in the order [1], [2], ..."""
    found = []
    for name in archive.namelist():
        number = re.fullmatch(r"xl/externalLinks/_rels/externalLink(\d+)\.xml\.rels", name)
        if number:
            target = re.search(rb'Target="([^"]+)"', archive.read(name))
            shown = target.group(1).decode("utf-8", "replace") if target else "?"
            found.append((int(number.group(1)), re.split(r"[/\\]", shown)[-1]))
    return [name for _, name in sorted(found)]


def _formula_problems(scan: _Scan, title: str, source: str, externals: list[str]) -> list:
    """Formula cells without a saved value stop the read (they would read as blank); cells
    linked to another workbook with one give a warning (the value may be out of date)."""
    files = ", ".join(externals) or "another workbook"
    files_ko = ", ".join(externals) or "다른 통합 문서"
    if scan.linked_uncached:
        cells, n = ", ".join(scan.linked_uncached[:3]), len(scan.linked_uncached)
        raise _error(f"sheet '{title}': {n} cells take their values from {files} and have no "
                     f"saved value (e.g. {cells}), so they would read as blank: open both "
                     "files in Excel, update the links and save, or paste the values (Paste "
                     "Special > Values)",
                     f"'{title}' 시트: 셀 {n}개가 {files_ko}의 값을 가져오는데 저장된 값이 없어 "
                     f"빈칸으로 읽힙니다 (예: {cells}): 두 파일을 Excel에서 열어 연결을 업데이트하고 "
                     "저장하거나, 값으로 붙여넣기 하세요 (선택하여 붙여넣기 > 값)")
    if scan.uncached:
        cells, n = ", ".join(scan.uncached[:3]), len(scan.uncached)
        raise _error(f"sheet '{title}': {n} formula cells have no saved value (e.g. {cells}), "
                     "so they would read as blank; the file was saved by a program that does "
                     "not calculate: open it in Excel and save it, or paste the values (Paste "
                     "Special > Values)",
                     f"'{title}' 시트: 수식 셀 {n}개에 저장된 값이 없어 빈칸으로 읽힙니다 (예: "
                     f"{cells}); 계산하지 않는 프로그램이 저장한 파일입니다: Excel에서 열어 "
                     "저장하거나, 값으로 붙여넣기 하세요 (선택하여 붙여넣기 > 값)")
    if not scan.linked:
        return []
    first = scan.linked[0]
    row = int(re.sub(r"\D", "", first) or 1)
    return [Problem(source, row, re.sub(r"\d", "", first), "linked_cells", "warning", {
        "count": len(scan.linked), "files": files, "files_ko": files_ko,
        "cells": ", ".join(scan.linked[:3])})]


# ---------------------------------------------------------------------------- Parquet

def _read_parquet(path: Path, source: str) -> RawTable:
    frame = pq.read_table(path).to_pandas()
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index(drop=True)
    return _with_rows(frame, source, None)


# ---------------------------------------------------------------------------- writing

def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix every text cell that a spreadsheet would run as a formula (:data:`FORMULA_START`)
    with an apostrophe; other cells and the frame itself are left as they are."""
    out = frame
    for column in frame.columns:
        series = frame[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            categories = series.cat.categories.astype("str")
            risky = formula_like(categories)
            if risky.any():
                if out is frame:
                    out = frame.copy()
                out[column] = series.cat.rename_categories(
                    categories.where(~risky, "'" + categories))
        elif series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            text = series.astype("str")
            risky = formula_like(text)
            if risky.any():
                if out is frame:
                    out = frame.copy()
                out[column] = text.where(~risky, "'" + text)
    return out


#: OWASP's rule for CSV and spreadsheet exports: a text cell starting with one of these is
#: run as a formula by Excel (``-2+3+cmd|' /C calc'!A0`` too), so every export prefixes it
#: with an apostrophe (CSV) or stores it as quoted text (XLSX). The full-width forms (＝ ＋ － ＠)
#: are there because Korean and Japanese input methods type them and Excel reads them as the
#: ASCII ones. A text that is wholly a plain number (``-5000``, ``+1.5``) is left alone: a
#: spreadsheet reads it as that number, never as a formula, and an apostrophe would turn a
#: value into text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_FORMULA = "^[" + "".join("\\" + c if c == "-" else c for c in FORMULA_START) + "]"
_PLAIN_NUMBER = r"^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$"
_FORMULA_RE, _PLAIN_NUMBER_RE = re.compile(_FORMULA), re.compile(_PLAIN_NUMBER)


def is_formula_like(text: str) -> bool:
    """Whether one text cell would run as a formula (the rule of :data:`FORMULA_START`).

    >>> [is_formula_like(t) for t in ("=1+1", "-2+3+cmd|' /C calc'!A0", "-5000", "한라", "＝A1")]
    [True, True, False, False, True]
    """
    return bool(_FORMULA_RE.match(text)) and not _PLAIN_NUMBER_RE.match(text)


def formula_like(text) -> np.ndarray:
    """:func:`is_formula_like` of every text (missing: False), vectorised.

    >>> formula_like(["=1+1", "-2+3+cmd|' /C calc'!A0", "-5", "@x", "한라", None]).tolist()
    [True, True, False, True, False, False]
    """
    array = pa.array(pd.Series(text, dtype="str"), from_pandas=True).cast(pa.string())
    return _formula_mask(array).fill_null(False).to_numpy(zero_copy_only=False)


def _formula_mask(array):
    """The rule on a pyarrow text array (RE2 reads both patterns as Python's re does)."""
    starts = pa.compute.match_substring_regex(array, _FORMULA)
    number = pa.compute.match_substring_regex(array, _PLAIN_NUMBER)
    return pa.compute.and_(starts, pa.compute.invert(number))


def write_table(frame: pd.DataFrame, path: str | os.PathLike, sheet_name: str = "data",
                encoding: str = "utf-8-sig") -> None:
    """Write ``frame`` atomically as CSV, XLSX or Parquet, by suffix.

    CSV is UTF-8 with a BOM unless ``encoding`` says otherwise (``'cp949'`` writes what an
    older Korean Excel saves). The same frame always gives the same bytes (CSV and Parquet),
    so outputs can be compared in an audit.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        if encoding == "utf-8-sig":
            write_csv_blocks(_slices(frame, CSV_BLOCK_ROWS), path)
        else:
            data = escape_formulas(frame)
            atomic_write(path, lambda tmp: data.to_csv(tmp, index=False, encoding=encoding,
                                                  lineterminator="\r\n"))
    elif suffix in EXCEL_SUFFIXES:
        data = xlsx_safe(escape_formulas(frame))
        atomic_write(path, lambda tmp: _write_excel(data, tmp, sheet_name))
    elif suffix in PARQUET_SUFFIXES:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        atomic_write(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))
    else:
        raise InputError(f"{path}: unknown file type '{suffix}' "
                         "(expected .csv, .xlsx or .parquet)")


#: The characters an XLSX cell cannot hold (XML 1.0 forbids the C0 controls but tab, LF and
#: CR; openpyxl raises IllegalCharacterError on them). XLSX exports show each as U+FFFD, so a
#: NUL or ESC in a firm's name is visible and the export never fails; CSV keeps them as
#: they are, inside quotes.
XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xlsx_text(text: str) -> str:
    r"""A text as an XLSX cell can hold it: :data:`XLSX_ILLEGAL` characters shown as U+FFFD.

    >>> xlsx_text("한라\x00식품\x1b") == "한라\ufffd식품\ufffd", xlsx_text("탭\t줄\n")
    (True, '탭\t줄\n')
    """
    return XLSX_ILLEGAL.sub("\ufffd", text)


def xlsx_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with :func:`xlsx_text` applied to its headers and text cells (categories
    too); the frame itself when nothing needs it."""
    out = frame
    for column in frame.columns:
        series = frame[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            categories = series.cat.categories.astype("str")
            bad = categories.str.contains(XLSX_ILLEGAL.pattern, regex=True)
            if bad.any():
                out = out.copy() if out is frame else out
                out[column] = series.cat.rename_categories(
                    categories.str.replace(XLSX_ILLEGAL.pattern, "\ufffd", regex=True))
        elif series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            text = series.astype("str")
            bad = text.str.contains(XLSX_ILLEGAL.pattern, regex=True, na=False)
            if bad.any():
                out = out.copy() if out is frame else out
                out[column] = text.where(~bad, text.str.replace(XLSX_ILLEGAL.pattern, "\ufffd",
                                                                regex=True))
    names = [xlsx_text(c) if isinstance(c, str) else c for c in out.columns]
    if names != list(out.columns):
        out = out.set_axis(names, axis=1)
    return out


CSV_BLOCK_ROWS = 131_072  # rows formatted per task when writing CSV


def write_csv_blocks(blocks: Iterable[pd.DataFrame | pa.Table], path: str | os.PathLike) -> None:
    """Write consecutive DataFrames (same columns) as one CSV, UTF-8 with BOM, atomically.

    Each block is escaped and formatted to bytes in a worker thread while the caller makes the
    next one (pyarrow formats without holding the GIL), and the bytes are written in order: the
    same bytes as :func:`write_table` of the blocks' concatenation. A block may also be a
    pyarrow Table whose text columns hold what the DataFrame's would (strings, or
    dictionaries of strings for categoricals); it skips the conversion from pandas.
    """
    def write(tmp: str) -> None:
        formatted: queue.Queue = queue.Queue(maxsize=3)  # bounds the memory held in flight
        failed: list[BaseException] = []
        buffers = _Buffers()

        def write_in_order(handle) -> None:  # so the caller never waits on the disk
            disk, futures = DiskWriter(handle), iter(formatted.get, None)
            try:
                disk.write(b"\xef\xbb\xbf")
                for future in futures:
                    data = future.result()
                    disk.write(data)
                    buffers.give_back(data)
                disk.close()
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
                failed.append(exc)
                for _ in futures:  # up to the end the caller puts, once it sees the failure
                    pass

        with (open(tmp, "wb") as handle,
              ThreadPoolExecutor(max_workers=stage_threads(most=2)) as formatters,
              ThreadPoolExecutor(max_workers=1) as disk):
            writer = disk.submit(write_in_order, handle)
            try:
                for number, block in enumerate(blocks):
                    if failed:
                        break
                    formatted.put(formatters.submit(_csv_bytes, block, number == 0, buffers))
            finally:
                formatted.put(None)
                writer.result()
        if failed:
            raise failed[0]

    atomic_write(Path(path), write)


class _Buffers:
    """The buffers the CSV formatters write into, each used again once its bytes are on
    their way to the disk. A fresh buffer per block would cost the operating system a page
    fault per 4 KiB, and a virtual machine's host one more for a page it has taken back: as
    slow as formatting the bytes. A block that does not fit is formatted again into a
    buffer twice as big (kept for the blocks after it)."""

    def __init__(self):
        self.free: list[pa.Buffer] = []
        self.lock = threading.Lock()
        self.per_row = 0.0  # the most bytes per row a block has taken so far

    def format(self, table: pa.Table, options: pacsv.WriteOptions) -> pa.Buffer:
        """The CSV bytes of ``table``: the start of a buffer of these (its ``parent``)."""
        need = max(1 << 16, int(table.num_rows * self.per_row * 1.25) or 3 * table.nbytes)
        with self.lock:
            buffer = self.free.pop() if self.free else None
        while True:
            if buffer is None or buffer.size < need:
                buffer = pa.allocate_buffer(need)
            sink = pa.FixedSizeBufferWriter(buffer)
            try:
                pacsv.write_csv(table, sink, write_options=options)
                break
            except OSError:  # out of room: arrow says "Write out of bounds"
                need = 2 * buffer.size
        self.per_row = max(self.per_row, sink.tell() / max(1, table.num_rows))
        return buffer.slice(0, sink.tell())

    def give_back(self, data) -> None:
        """Take back the buffer of bytes :meth:`format` gave, once they are written (the
        bytes of pandas' writer are no such slice)."""
        if isinstance(data, pa.Buffer):
            with self.lock:
                self.free.append(data.parent)


PARQUET_GROUP_ROWS = 131_072  # rows per row group of a Parquet file written block by block


def write_parquet_blocks(blocks: Iterable[pa.Table], path: str | os.PathLike,
                         group_rows: int = PARQUET_GROUP_ROWS) -> None:
    """Write consecutive pyarrow Tables (same columns) as one Parquet file (zstd), atomically.

    Row groups hold ``group_rows`` rows whatever the blocks' sizes, so the bytes depend on
    the rows alone (a file scored whole and one scored in batches are the same file); a
    dictionary column is written as its text, as in a CSV, and all text as ``large_string``.
    Memory holds one row group.
    """
    def write(tmp: str) -> None:
        writer, pending, held = None, [], 0
        try:
            for block in blocks:
                block = _large_text(_plain_text(block))
                if writer is None:
                    writer = pq.ParquetWriter(tmp, block.schema, compression="zstd")
                pending.append(block)
                held += block.num_rows
                while held >= group_rows:
                    table = pa.concat_tables(pending)
                    writer.write_table(table.slice(0, group_rows), row_group_size=group_rows)
                    pending, held = [table.slice(group_rows)], held - group_rows
            if writer is not None and held:
                writer.write_table(pa.concat_tables(pending), row_group_size=group_rows)
        finally:
            if writer is not None:
                writer.close()

    atomic_write(Path(path), write)


def _large_text(table: pa.Table) -> pa.Table:
    """Text columns as one type (``large_string``), however the table was made."""
    return table.cast(pa.schema([pa.field(f.name, pa.large_string()) if pa.types.is_string(f.type)
                                 else f for f in table.schema]))


def _plain_text(table: pa.Table) -> pa.Table:
    """Dictionary (categorical) columns as their text."""
    return table.cast(pa.schema([pa.field(f.name, f.type.value_type)
                                 if pa.types.is_dictionary(f.type) else f
                                 for f in table.schema]))


def _csv_bytes(block: pd.DataFrame | pa.Table, header: bool,
               buffers: _Buffers) -> pa.Buffer | bytes:
    """One block of CSV: pyarrow's writer (fast, shortest round-trip floats) into one of
    ``buffers``, pandas as fallback for what arrow cannot hold."""
    if isinstance(block, pa.Table):
        table = _escape_table(block)
    else:
        frame = escape_formulas(block)
        try:
            table = pa.Table.from_pandas(frame, preserve_index=False)
        except (pa.ArrowException, TypeError, ValueError):
            return frame.to_csv(index=False, header=header,
                                lineterminator="\r\n").encode("utf-8")
    table = _plain_text(table)  # dictionary (categorical) columns are written as their text
    return buffers.format(table, pacsv.WriteOptions(
        quoting_style="needed", include_header=header, batch_size=CSV_WRITE_BATCH))


def _escape_table(table: pa.Table) -> pa.Table:
    """:func:`_escape_formulas` for a pyarrow Table: text and dictionary-of-text columns."""
    for k, column in enumerate(table.columns):
        kind = column.type
        if pa.types.is_dictionary(kind) and _is_text(kind.value_type):
            chunks = [pa.DictionaryArray.from_arrays(chunk.indices, _escape_text(chunk.dictionary))
                      for chunk in column.chunks]
            table = table.set_column(k, table.field(k), pa.chunked_array(chunks, kind))
        elif _is_text(kind):
            table = table.set_column(k, table.field(k), _escape_text(column))
    return table


_FIRST_BYTES = np.zeros(256, dtype=bool)  # the first bytes _FORMULA can match
_FIRST_BYTES[sorted({c.encode("utf-8")[0] for c in FORMULA_START})] = True


def _may_start_a_formula(array) -> bool:
    """Whether a value of a text array starts with a byte a formula can start with: a look at
    the first bytes in numpy, a tenth of the regular expression's time on the usual text."""
    for chunk in array.chunks if isinstance(array, pa.ChunkedArray) else [array]:
        offsets, data = chunk.buffers()[1:3]
        if not len(chunk) or data is None:
            continue
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(offsets, dtype=width, count=chunk.offset + len(chunk) + 1)
        offsets = offsets[chunk.offset:]
        starts = offsets[:-1][offsets[1:] > offsets[:-1]]  # of the values that are not empty
        if _FIRST_BYTES[np.frombuffer(data, dtype=np.uint8)[starts]].any():
            return True
    return False


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _escape_text(array):
    """Prefix an apostrophe to formula-like text; nulls stay null."""
    if not _may_start_a_formula(array):
        return array
    risky = _formula_mask(array)
    if not pa.compute.any(risky).as_py():
        return array
    escaped = pa.compute.binary_join_element_wise(pa.scalar("'", array.type), array,
                                                  pa.scalar("", array.type))
    return pa.compute.if_else(risky.fill_null(False), escaped, array)


def _slices(frame: pd.DataFrame, rows: int) -> Iterator[pd.DataFrame]:
    for start in range(0, max(len(frame), 1), rows):
        yield frame.iloc[start:start + rows]


def _write_excel(frame: pd.DataFrame, tmp: str, sheet_name: str) -> None:
    with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet_name)
        ws = writer.sheets[sheet_name]
        ws.freeze_panes = "A2"
        for i, column in enumerate(frame.columns, start=1):
            width = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)])
            ws.column_dimensions[ws.cell(1, i).column_letter].width = min(4 + width * 1.3, 60)
    pin_xlsx_times(tmp)


_FIXED_TIME = b"2000-01-01T00:00:00Z"


def pin_xlsx_times(path: str) -> None:
    """Pin the workbook's created/modified stamps and the zip entry times, so the same table
    always gives the same XLSX bytes (an audit compares files)."""
    with zipfile.ZipFile(path) as book:
        entries = [(info, book.read(info.filename)) for info in book.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                              lambda m: m.group(1) + _FIXED_TIME, data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            book.writestr(fixed, data)

