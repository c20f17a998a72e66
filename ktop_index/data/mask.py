"""Masking personal data in what leaves the committee: business numbers, people's names,
phone numbers, e-mail addresses and street addresses.

A copy shared outside the committee (a published result, a report mailed to a ministry)
needs the decision, not the identities behind it. :func:`mask_frame` masks a table in the
contract's canonical names; the rules, one function per kind of value:

=================  ==========================  ===========================================
kind               example                     rule
=================  ==========================  ===========================================
business number    ``124-81-00998``            ``124-81-*****``: the tax office (3 digits)
                                               and the taxpayer type (2 digits: 81 a
                                               corporation, 01-79 an individual) stay; the
                                               serial and check digit, which name the firm,
                                               go
person's name      ``김철수`` ``이영``          ``김*수`` ``이*``: a Korean name keeps its
                   ``남궁민수`` ``John Smith``  first and last syllable (``남**수``), two
                                               syllables the first; a Latin name the first
                                               letter of each word (``J*** S****``)
phone number       ``010-1234-5678``           ``010-****-5678``: the middle group
e-mail             ``kim@example.com``         ``k**@example.com``: the local part but its
                                               first letter
address            ``제주특별자치도 제주시      ``제주특별자치도 제주시 ***``: 시도 and 시군구
                   오라로 175``                stay (region series still work); a 10-digit
                                               region code keeps its 5-digit 시군구 part
=================  ==========================  ===========================================

Masks are deterministic (no salt, no random draw): the same value always gives the same mask,
so a masked file is byte-reproducible and one firm has one mask everywhere in it. Masks are
not unique: two firms of one tax office and type share ``124-81-*****`` — by design, since a
unique code would be a pseudonym a reader could link across files. Rows stay apart by rank and
firm name, which are kept: a selection's result is public, the people behind a firm are not.

Free text (notes, reasons, an audit's lists) is scrubbed of every business number it holds
(:func:`mask_text`). Values already masked are left as they are (masking twice is masking
once), and :func:`is_masked_brn` tells a masked number, so an import can refuse a masked copy.

Example
-------
>>> mask_brn("124-81-00998"), mask_name("김철수"), mask_phone("010-1234-5678")
('124-81-*****', '김*수', '010-****-5678')
>>> mask_text("fragile: 124-81-00998 (rank 3)")
'fragile: 124-81-***** (rank 3)'
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable

import pandas as pd

from ktop_index.data.brn import format_brn, is_valid_brn, normalise_brn
from ktop_index.data.contract import header_key

STAR = "*"
#: What :func:`mask_frame` records of itself (an audit's ``masked.rule``).
RULE = ("business numbers keep the tax office and taxpayer type (124-81-*****); names keep "
        "the first and last syllable (김*수, 이*) or each word's first letter (J*** S****); "
        "phones the first and last group (010-****-5678); e-mail the first letter (k**@...); "
        "addresses the 시도 and 시군구")

# a number with separators is masked as it stands; ten bare digits only when they are a valid
# number (a sum of money or a digest's digits are not); never inside a word or a hex digest
_BRN_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])([0-9]{3})([-\s]?)([0-9]{2})([-\s]?)([0-9]{5})"
                          r"(?![0-9A-Za-z])")
_MASKED_BRN = re.compile(r"^[0-9]{3}-[0-9]{2}-\*{5}$")
_HANGUL = re.compile(r"^[\uac00-\ud7a3]+$")

#: Headers of columns holding people's data (after :func:`header_key`), by kind. The data
#: contract has none of them (an input's such columns are ignored as unknown), but a table
#: that carries one — the evaluators of a committee file, a column passed through — has it
#: masked by name.
PERSONAL_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("representative", "ceo", "ceoname", "대표", "대표자", "대표자명", "대표자성명",
             "대표이사", "성명", "이름", "담당자", "담당자명", "contact", "contactname",
             "evaluator", "평가위원", "위원", "심사위원"),
    "phone": ("phone", "tel", "telephone", "mobile", "전화", "전화번호", "연락처", "휴대폰",
              "휴대전화", "핸드폰", "대표전화", "담당자연락처", "fax", "팩스"),
    "email": ("email", "mail", "이메일", "전자우편", "메일", "담당자이메일"),
    "address": ("address", "주소", "소재지주소", "도로명주소", "상세주소"),
}
#: The contract's own fields that :func:`mask_frame` masks, by kind.
CONTRACT_FIELDS = {"brn": "brn", "firm_id": "firm_id", "region": "address"}


def mask_brn(value: object) -> str:
    """``124-81-00998`` -> ``124-81-*****`` (any form of a 10-digit number; other text has
    every digit starred).

    >>> mask_brn("1248100998"), mask_brn("F-0012")
    ('124-81-*****', 'F-****')
    """
    text = str(value)
    if is_masked_brn(text):
        return text
    digits = normalise_brn(text)
    if re.fullmatch(r"[0-9]{10}", digits):
        return format_brn(digits)[:7] + STAR * 5
    return re.sub(r"[0-9]", STAR, text)


def is_masked_brn(value: object) -> bool:
    """True for a business number as :func:`mask_brn` writes it (``124-81-*****``)."""
    return bool(_MASKED_BRN.match(str(value).strip()))


def mask_firm_id(value: object) -> str:
    """A firm_id that is a business number is masked as one; another key (a panel's own
    ``F0001``) names no person and is kept.

    >>> mask_firm_id("124-81-00998"), mask_firm_id("F0001")
    ('124-81-*****', 'F0001')
    """
    text = str(value)
    return mask_brn(text) if re.fullmatch(r"[0-9]{10}", normalise_brn(text)) else text


def mask_name(value: object) -> str:
    """A person's name: ``김철수`` -> ``김*수``, ``이영`` -> ``이*``, ``남궁민수`` -> ``남**수``,
    ``John Smith`` -> ``J*** S****``.

    >>> mask_name("김철수"), mask_name("이영"), mask_name("John Smith")
    ('김*수', '이*', 'J*** S****')
    """
    text = unicodedata.normalize("NFC", str(value)).strip()
    if STAR in text or not text:
        return text
    joined = text.replace(" ", "")
    if _HANGUL.match(joined):
        if len(joined) <= 2:
            return joined[0] + STAR * (len(joined) - 1)
        return joined[0] + STAR * (len(joined) - 2) + joined[-1]
    return " ".join(word[0] + STAR * (len(word) - 1) for word in text.split())


def mask_phone(value: object) -> str:
    """``010-1234-5678`` -> ``010-****-5678``; ``01012345678`` -> ``010****5678``; a short
    number keeps its last two digits.

    >>> mask_phone("02 123 4567"), mask_phone("01012345678")
    ('02 *** 4567', '010****5678')
    """
    text = str(value).strip()
    if STAR in text:
        return text
    groups = re.split(r"([^0-9]+)", text)  # separators kept at odd positions
    numbers = [k for k in range(0, len(groups), 2) if groups[k]]
    if len(numbers) >= 3:
        for k in numbers[1:-1]:
            groups[k] = STAR * len(groups[k])
        return "".join(groups)
    digits = re.sub(r"[^0-9]", "", text)
    if len(digits) >= 9:
        return digits[:3] + STAR * (len(digits) - 7) + digits[-4:]
    return re.sub(r"[0-9]", STAR, text[:-2]) + text[-2:] if len(text) > 2 else STAR * len(text)


def mask_email(value: object) -> str:
    """``kim@example.com`` -> ``k**@example.com`` (text without ``@`` is masked as a name).

    >>> mask_email("kim@example.com")
    'k**@example.com'
    """
    text = str(value).strip()
    local, at, domain = text.rpartition("@")
    if not at:
        return mask_name(text)
    return (local[:1] + STAR * (len(local) - 1) if STAR not in local else local) + at + domain


def mask_address(value: object) -> str:
    """Keep the 시도 and 시군구 of an address (its first two words), or the 시군구 part (5
    digits) of a 10-digit region code; a shorter region stays.

    >>> mask_address("제주특별자치도 제주시 오라로 175"), mask_address("5011025021")
    ('제주특별자치도 제주시 ***', '50110*****')
    """
    text = str(value).strip()
    if re.fullmatch(r"[0-9]{10}", text):
        return text[:5] + STAR * 5
    words = text.split()
    if len(words) <= 2 or words[2:] == [STAR * 3]:
        return text
    return " ".join(words[:2]) + " " + STAR * 3


def mask_text(value: object) -> str:
    """Free text with every business number in it masked (``124-81-00998``, ``1248100998``).

    >>> mask_text("124-81-00998, 1248100998; 2024")
    '124-81-*****, 124-81-*****; 2024'
    """
    return _BRN_IN_TEXT.sub(_masked_match, str(value))


def _masked_match(match: re.Match) -> str:
    head, sep1, kind, sep2, tail = match.groups()
    if not (sep1 or sep2) and not is_valid_brn(head + kind + tail):
        return match.group(0)
    return f"{head}-{kind}-{STAR * 5}"


MASKS = {"brn": mask_brn, "firm_id": mask_firm_id, "name": mask_name, "phone": mask_phone,
         "email": mask_email, "address": mask_address, "text": mask_text}

_PERSONAL_KIND = {header_key(h): kind for kind, names in PERSONAL_HEADERS.items()
                  for h in names}


def column_kind(name: object) -> str:
    """How :func:`mask_frame` masks a column: 'brn', 'firm_id', 'name', 'phone', 'email',
    'address', or 'text' (any other text column: business numbers in it are masked).

    >>> column_kind("brn"), column_kind("대표자 성명"), column_kind("notes")
    ('brn', 'name', 'text')
    """
    text = str(name)
    return CONTRACT_FIELDS.get(text) or _PERSONAL_KIND.get(header_key(text), "text")


def mask_values(values: list, kind: str) -> list:
    """``values`` masked by ``kind`` (:data:`MASKS`); None and NaN stay missing."""
    mask = MASKS[kind]
    return [v if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else mask(v)
            for v in values]


def mask_frame(frame: pd.DataFrame, free_text: bool = True) -> pd.DataFrame:
    """A copy of ``frame`` with its personal data masked; numbers and row order untouched.

    Columns are found by name (:func:`column_kind`): the contract's ``brn``, ``firm_id`` and
    ``region``, and the personal headers of :data:`PERSONAL_HEADERS`; every other text column
    has the business numbers in it masked (unless ``free_text`` is False: a table whose free
    text is known to hold none, such as scores and their reasons). The column names
    themselves are kept.

    >>> mask_frame(pd.DataFrame({"brn": ["124-81-00998"], "score": [1.5]})).iat[0, 0]
    '124-81-*****'
    """
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(
                column.dtype):
            continue
        kind = column_kind(name)
        if kind == "text" and not free_text:
            continue
        masked = mask_values(column.tolist(), kind)
        out[name] = pd.Series(masked, index=column.index, dtype=column.dtype)
    return out


def personal_columns(frame: pd.DataFrame | Iterable[str]) -> dict[str, str]:
    """The columns of ``frame`` (or these column names) :func:`mask_frame` masks as personal
    data, with their kind (free-text columns, scrubbed of business numbers only, are not
    listed).

    >>> personal_columns(pd.DataFrame({"brn": [], "notes": [], "연락처": []}))
    {'brn': 'brn', '연락처': 'phone'}
    """
    names = frame.columns if isinstance(frame, pd.DataFrame) else frame
    return {str(c): column_kind(c) for c in names if column_kind(c) != "text"}


def mask_record(value: object) -> object:
    """A JSON-like record (an audit) with every business number in its strings masked.

    >>> mask_record({"fragile": ["124-81-00998"], "seed": 7})
    {'fragile': ['124-81-*****'], 'seed': 7}
    """
    if isinstance(value, dict):
        out: dict = {}
        for key, item in value.items():
            masked = mask_text(key) if isinstance(key, str) else key
            # two numbers may share a mask: keep both entries (counts stay right)
            masked, n = (masked, 1) if masked not in out else (masked, 2)
            while n > 1 and f"{masked} #{n}" in out:
                n += 1
            out[masked if n == 1 else f"{masked} #{n}"] = mask_record(item)
        return out
    if isinstance(value, (list, tuple)):
        return [mask_record(item) for item in value]
    if isinstance(value, str):
        return mask_text(value)
    return value
