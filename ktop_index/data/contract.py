"""The firm-year data contract: every field, its Korean label, type, unit, range and meaning.

One declarative table (``FIELDS``) drives validation, the data dictionary (``ktop schema``),
the fill-in template (``ktop template``) and the Korean column labels of every output.

Header matching
---------------
A header matches a field when, after NFKC normalisation, lower-casing and removing spaces,
underscores and hyphens, it equals the field's English name, its Korean label or one of its
aliases. A unit may follow in brackets: ``매출액(백만원)``, ``매출액 (천원)``,
``revenue [KRW million]``. For money fields that unit converts the values to KRW thousand
(천원), the contract's internal unit.

Money units are never guessed: a money header must carry its unit, or the caller passes
``money_unit`` (``--money-unit`` on the command line). The one exception is a bare canonical
English name (``revenue``), which by definition of the contract is in 천원 — that is how the
project writes its own files.

Example
-------
>>> match_header("매출액 (백만원)")
('revenue', 1000.0)
>>> match_header("Employees")
('employees', None)
>>> FIELD_BY_NAME["revenue"].unit
'KRW thousand'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# kinds: id (text key), text, year, int (count), float (measure), money, code (KSIC),
# region, yesno
MONEY = "money"

#: Magnitude bounds beyond any firm's figures, so a unit slip, an overflow or a number pasted
#: into the wrong column is reported instead of scored: money at most 10^12 천원 (1,000조원,
#: above the largest Korean firm's revenue, about 300조원) either way; persons and counts at
#: most 1,000,000 (the largest employer has about 130,000; a business number is 10 digits).
MONEY_LIMIT = 1e12
COUNT_LIMIT = 1e6


@dataclass(frozen=True)
class Field:
    """One column of the firm-year contract."""

    name: str
    label_ko: str
    kind: str
    unit: str
    unit_ko: str
    meaning: str
    meaning_ko: str
    group: str
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    aliases: tuple[str, ...] = field(default_factory=tuple)

    @property
    def allowed(self) -> str:
        """The allowed range in words, for the data dictionary."""
        if self.kind == "yesno":
            return "Y/N"
        if self.name == "rnd_org":
            return "0, 1, 2"
        if self.minimum is None and self.maximum is None:
            return "any" if self.kind in (MONEY, "int", "float") else ""
        if self.minimum is not None and self.minimum == -(self.maximum or 0) < 0:
            return f"±{bound_text(self.maximum)}"  # a magnitude bound, either sign
        low = "" if self.minimum is None else bound_text(self.minimum)
        high = "" if self.maximum is None else bound_text(self.maximum)
        return f"{low} .. {high}".strip()


def bound_text(value: float) -> str:
    """A bound as people read it: large whole numbers with thousands commas, years without.

    >>> bound_text(2100), bound_text(1e6), bound_text(-1e12), bound_text(0.5)
    ('2100', '1,000,000', '-1,000,000,000,000', '0.5')
    """
    if float(value).is_integer() and abs(value) >= 10_000:
        return f"{int(value):,}"
    return f"{value:g}"


def _f(*args, **kwargs) -> Field:
    return Field(*args, **kwargs)


FIELDS: tuple[Field, ...] = (
    # identity
    _f("firm_id", "기업ID", "id", "", "", "Firm key; defaults to the business number",
       "기업 식별자 (없으면 사업자등록번호)", "identity", aliases=("기업id", "기업코드", "firm")),
    _f("brn", "사업자등록번호", "id", "", "", "Business registration number, 10 digits, "
       "hyphens allowed; check digit verified", "사업자등록번호 10자리 (하이픈 허용, 검증번호 확인)",
       "identity", aliases=("사업자번호", "business_number", "bizno", "사업자등록 번호")),
    _f("firm_name", "기업명", "text", "", "", "Firm name", "기업(상호)명", "identity",
       aliases=("회사명", "업체명", "상호", "기업체명", "name", "company")),
    _f("year", "기준연도", "year", "year", "년", "Fiscal year of the figures", "재무·실적 기준 회계연도",
       "identity", required=True, minimum=1950, maximum=2100,
       aliases=("연도", "결산연도", "회계연도", "사업연도", "fiscal_year")),
    _f("ksic", "업종코드", "code", "", "", "Main industry, KSIC 10th or 11th revision code "
       "(2 to 5 digits; a leading section letter is allowed)", "주업종 한국표준산업분류 코드 (10·11차)",
       "identity", aliases=("업종", "표준산업분류", "산업분류코드", "ksic코드", "industry")),
    _f("region", "소재지", "region", "", "", "Location: 시군구 name, 5- or 10-digit code, or the "
       "address", "소재지 (시군구명, 5·10자리 코드 또는 주소)", "identity",
       aliases=("주소", "지역", "본사소재지", "소재지주소", "address", "location")),
    _f("founded", "설립연도", "year", "year", "년", "Year founded (a date is accepted)",
       "설립연도 (설립일자 입력 가능)", "identity", minimum=1900, maximum=2100,
       aliases=("설립일", "설립일자", "설립년도", "창업연도", "founded_year")),
    # the ten quantitative fields
    _f("firm_age", "업력", "float", "years", "년", "Years since founding at the fiscal year "
       "(year - founded); derived when founded is given", "설립 후 경과 연수 (기준연도 - 설립연도)",
       "quantitative", minimum=0, maximum=200, aliases=("기업업력", "age")),
    _f("ceo_industry_years", "대표자 동업종 경력", "float", "years", "년", "CEO's years of "
       "experience in the same industry", "대표자의 동일 업종 경력 연수", "quantitative", minimum=0,
       maximum=80, aliases=("동업종경력", "대표자경력", "대표자동업종경력연수", "ceo_experience")),
    _f("employees", "상시근로자 수", "float", "persons", "명", "Regular employees (annual average)",
       "상시근로자 수 (연평균)", "quantitative", minimum=0, maximum=COUNT_LIMIT,
       aliases=("상시근로자", "종업원수", "직원수", "근로자수", "고용인원", "staff")),
    _f("rnd_staff", "연구개발인력", "float", "persons", "명", "R&D staff (at most employees)",
       "연구개발 전담 인력 수 (상시근로자 수 이하)", "quantitative", minimum=0,
       maximum=COUNT_LIMIT, aliases=("연구인력", "연구개발인력수", "연구원수", "기술인력", "rd_staff")),
    _f("rnd_org", "연구조직", "int", "code", "코드", "R&D organisation: 0 none, 1 dedicated R&D "
       "department, 2 corporate R&D institute", "연구조직: 0 없음, 1 연구개발전담부서, 2 기업부설연구소",
       "quantitative", minimum=0, maximum=2,
       aliases=("연구소", "연구조직구분", "기업부설연구소", "rd_org")),
    _f("certifications", "인증 수", "int", "count", "건", "Certifications held (venture, "
       "INNOBIZ, MAINBIZ and the like)", "벤처·이노비즈·메인비즈 등 보유 인증 수", "quantitative",
       minimum=0, maximum=50, aliases=("인증", "인증수", "보유인증수", "기업인증")),
    _f("patents", "등록 특허 수", "int", "count", "건", "Registered patents held",
       "보유 등록 특허 수", "quantitative", minimum=0, maximum=COUNT_LIMIT,
       aliases=("특허", "특허수", "등록특허", "보유특허", "특허보유수")),
    _f("ip_filings", "지재권 출원 수", "int", "count (3 years)", "건 (최근 3년)", "IP filings in "
       "the last 3 years (patents, utility models, designs, trademarks)", "최근 3년 지식재산권 출원 수",
       "quantitative", minimum=0, maximum=COUNT_LIMIT,
       aliases=("지재권출원", "지식재산권출원수", "출원수", "ip")),
    _f("rnd_projects", "정부 R&D 과제 수", "int", "count (3 years)", "건 (최근 3년)",
       "Government R&D projects carried out in the last 3 years", "최근 3년 정부 R&D 과제 수행 수",
       "quantitative", minimum=0, maximum=COUNT_LIMIT,
       aliases=("rd과제", "정부과제", "r&d과제수", "정부r&d과제수행수")),
    _f("commercialized", "사업화 건수", "int", "count (3 years)", "건 (최근 3년)",
       "Commercialisations in the last 3 years", "최근 3년 사업화 실적 건수", "quantitative",
       minimum=0, maximum=COUNT_LIMIT, aliases=("사업화", "사업화실적", "commercialisations")),
    # financial fields, KRW thousand
    _f("revenue", "매출액", MONEY, "KRW thousand", "천원", "Revenue (sales)", "매출액", "financial",
       minimum=0, maximum=MONEY_LIMIT, aliases=("매출", "sales")),
    _f("operating_profit", "영업이익", MONEY, "KRW thousand", "천원", "Operating profit "
       "(negative for a loss)", "영업이익 (손실은 음수)", "financial",
       minimum=-MONEY_LIMIT, maximum=MONEY_LIMIT, aliases=("영업손익", "영업이익(손실)")),
    _f("net_income", "당기순이익", MONEY, "KRW thousand", "천원", "Net income (negative for a "
       "loss)", "당기순이익 (손실은 음수)", "financial", minimum=-MONEY_LIMIT, maximum=MONEY_LIMIT,
       aliases=("순이익", "당기순손익", "당기순이익(손실)")),
    _f("total_assets", "자산총계", MONEY, "KRW thousand", "천원", "Total assets at year end",
       "기말 자산총계", "financial", minimum=0, maximum=MONEY_LIMIT,
       aliases=("총자산", "자산", "자산총액")),
    _f("total_equity", "자본총계", MONEY, "KRW thousand", "천원", "Total equity at year end "
       "(zero or negative: capital impairment)", "기말 자본총계 (0 이하이면 자본잠식)", "financial",
       minimum=-MONEY_LIMIT, maximum=MONEY_LIMIT, aliases=("자본", "총자본", "자기자본")),
    _f("rnd_expense", "연구개발비", MONEY, "KRW thousand", "천원", "R&D expense of the year",
       "연간 연구개발비", "financial", minimum=0, maximum=MONEY_LIMIT,
       aliases=("개발비", "r&d비용", "연구비")),
    _f("salaries", "급여총액", MONEY, "KRW thousand", "천원", "Total salaries of the year",
       "연간 급여 총액", "financial", minimum=0, maximum=MONEY_LIMIT,
       aliases=("급여", "인건비", "총급여", "임금총액")),
    _f("export_revenue", "수출액", MONEY, "KRW thousand", "천원", "Export revenue (part of "
       "revenue)", "수출액 (매출액의 일부)", "financial", minimum=0,
       maximum=MONEY_LIMIT, aliases=("수출", "수출실적", "수출매출", "exports")),
    # application fields (an applicants file of a call)
    _f("requested", "신청금액", MONEY, "KRW thousand", "천원", "Support requested in the "
       "application", "지원 신청금액", "application", minimum=0,
       maximum=MONEY_LIMIT, aliases=("신청액", "지원신청금액", "requested_amount")),
    _f("letter_of_intent", "참여의향서", "yesno", "Y/N", "Y/N", "Letter of intent submitted",
       "기업 참여의향서 제출 여부", "application", aliases=("참여의향서제출", "의향서", "loi")),
    _f("sme_confirmed", "중소기업확인서", "yesno", "Y/N", "Y/N", "SME confirmation certificate "
       "(중소기업확인서) submitted", "중소기업확인서 제출 여부", "application",
       aliases=("중소기업확인", "중기확인서", "sme_certificate")),
)

FIELD_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
QUANTITATIVE = tuple(f.name for f in FIELDS if f.group == "quantitative")
FINANCIAL = tuple(f.name for f in FIELDS if f.group == "financial")
MONEY_FIELDS = tuple(f.name for f in FIELDS if f.kind == MONEY)
TEXT_KINDS = ("id", "text", "code", "region", "yesno")

# Money units accepted in headers and on the command line, as factors to KRW thousand.
MONEY_UNITS: dict[str, float] = {
    "원": 0.001, "krw": 0.001, "won": 0.001,
    "천원": 1.0, "krwthousand": 1.0, "thousandkrw": 1.0, "krw1000": 1.0, "000krw": 1.0,
    "백만원": 1000.0, "krwmillion": 1000.0, "millionkrw": 1000.0, "mkrw": 1000.0,
    "억원": 100000.0, "억": 100000.0, "krw100million": 100000.0,
}

_UNIT_SUFFIX = re.compile(r"^(.*?)\s*[\(\[（［]([^\)\]）］]*)[\)\]）］]\s*$")
_DROP = re.compile(r"[\s_\-·ㆍ./]+")


def header_key(text: str) -> str:
    """A header as it is compared: NFKC-normalised, lower case, without spaces, brackets,
    units and punctuation, so ``매출액 (천원)`` and ``매출액`` meet.

    >>> header_key(" Firm_Name ") == header_key("firm name")
    True
    """
    return _DROP.sub("", unicodedata.normalize("NFKC", str(text)).lower())


def _build_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for f in FIELDS:
        for name in (f.name, f.label_ko, *f.aliases):
            lookup[header_key(name)] = f.name
    return lookup


_LOOKUP = _build_lookup()


def money_factor(unit: str) -> float | None:
    """The factor that converts an amount in ``unit`` to KRW thousand, or None if unknown.

    >>> money_factor("백만원"), money_factor("KRW thousand"), money_factor("원")
    (1000.0, 1.0, 0.001)
    """
    return MONEY_UNITS.get(header_key(unit).replace(",", ""))


def split_unit(header: str) -> tuple[str, str | None]:
    """Split ``'매출액 (백만원)'`` into ``('매출액', '백만원')``; no unit gives None."""
    text = unicodedata.normalize("NFKC", str(header)).strip()
    match = _UNIT_SUFFIX.match(text)
    if match and match.group(1):
        return match.group(1), match.group(2).strip()
    return text, None


def match_header(header: str) -> tuple[str | None, float | None]:
    """Map a header to ``(field name, money factor to 천원 or None)``; unknown gives (None, None).

    The factor is given only when the header names a money unit. A bracketed text that is
    not a money unit (``상시근로자 수(명)``) is taken as a plain unit label and ignored; the
    whole header is tried first so a name that itself ends in brackets (``영업이익(손실)``)
    still matches.
    """
    whole = _LOOKUP.get(header_key(header))
    if whole is not None:
        return whole, None
    base, unit = split_unit(header)
    name = _LOOKUP.get(header_key(base))
    if name is None:
        return None, None
    factor = money_factor(unit) if unit else None
    return name, factor


def known_headers() -> list[str]:
    """Every name a header may take (English names, Korean labels, aliases), for did-you-mean."""
    names: list[str] = []
    for f in FIELDS:
        names.extend((f.name, f.label_ko, *f.aliases))
    return names


def header_for(name: str, lang: str = "en", with_unit: bool = False) -> str:
    """The column header of field ``name`` in ``lang`` ('en' or 'ko').

    >>> header_for("revenue", "ko", with_unit=True)
    '매출액(천원)'
    """
    f = FIELD_BY_NAME[name]
    label = f.label_ko if lang == "ko" else f.name
    if with_unit and f.kind == MONEY:
        return f"{label}({f.unit_ko})"
    return label


def dictionary(lang: str = "en") -> list[dict[str, str]]:
    """The data dictionary as rows: name, Korean label, type, unit, allowed, required, meaning."""
    rows = []
    for f in FIELDS:
        required = "yes" if f.required else ("one of firm_id/brn" if f.name in ("firm_id", "brn")
                                             else "no")
        if lang == "ko":
            required = {"yes": "필수", "no": "선택"}.get(required, "기업ID·사업자등록번호 중 하나")
        rows.append({
            "name": f.name,
            "label_ko": f.label_ko,
            "type": f.kind,
            "unit": f.unit_ko if lang == "ko" else f.unit,
            "allowed": f.allowed,
            "required": required,
            "group": f.group,
            "meaning": f.meaning_ko if lang == "ko" else f.meaning,
        })
    return rows
