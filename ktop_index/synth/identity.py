"""Who a synthetic firm is: its 사업자등록번호 (BRN) and its Korean company name.

BRNs are unique and carry a valid check digit (computed by :func:`ktop_index.data.brn.make_brn`,
the project's one implementation); corporations get type codes 81/86/87/88, sole proprietors
01-79. Names combine a core word (generic, or local to Jeju or Sejong), a word for the industry
and sometimes an extra word, then a legal form (주식회사, 농업회사법인, 어업회사법인); they are
unique without the legal form and sole proprietors have none.

Example
-------
>>> import numpy as np
>>> from ktop_index.data.brn import is_valid_brn
>>> brns = draw_brns(np.random.default_rng(0), 5, np.zeros(5, bool))
>>> all(is_valid_brn(b) for b in brns), len(set(brns))
(True, 5)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ktop_index.data.brn import make_brn
from ktop_index.synth._draws import choice, pick
from ktop_index.synth.world import DIV, JEJU, RURAL_SIDO, SEJONG, SIDO

# ----------------------------------------------------------------------------------------
# Names
# ----------------------------------------------------------------------------------------

_CORE_GENERIC = (
    "한빛", "대성", "우진", "신우", "태영", "제일", "한성", "동양", "삼우", "성진", "대원", "세진",
    "영진", "한울", "누리", "미래", "다온", "가온", "새롬", "바른", "으뜸", "한결", "해솔", "푸른",
    "늘품", "그린", "에코", "케이", "에이스", "하이", "스마트", "유니", "넥스", "코어", "아이",
    "제이", "엠", "에스", "티에스", "디에이치", "비앤씨", "씨엔티", "지엔에스", "엘림", "정우",
    "동진", "신성", "대한", "광명", "태광", "서진", "진성", "일신", "한신", "유진", "명성",
    "보성", "하늘", "참", "청솔", "소담", "온", "라온", "마루", "빛나", "별", "해온", "이음",
    "나래", "다인", "예담", "도원", "한솔", "수림", "창성", "경원", "우성", "세원", "금성",
    "동인", "남경", "청우", "비전", "프라임", "퓨처", "인텍", "엔텍", "큐브", "노바", "루트",
)  # fmt: skip
_CORE_JEJU = (
    "한라", "탐라", "삼다", "오름", "올레", "제주", "서귀", "감귤", "성산", "애월", "한림", "우도",
    "곶자왈", "용암", "비자림", "돌담", "하르방", "귤빛", "바당", "수눌음", "협재", "표선", "중문",
    "산방", "청정제주", "제주감귤", "한라산", "섭지", "구좌", "송악",
)  # fmt: skip
_CORE_SEJONG = (
    "세종", "금강", "조치원", "부강", "연기", "전의", "도담", "나성", "어진", "보람", "아름",
    "고운", "세종로컬", "금남", "연서", "장군", "소정",
)  # fmt: skip
_EXTRA = ("코리아", "글로벌", "플러스", "인터내셔널", "앤코")
_INDUSTRY_WORDS = {
    "10": ("식품", "푸드", "푸드텍", "바이오", "에프앤비"),
    "11": ("주조", "양조", "음료", "브루어리", "농산"),
    "13": ("섬유", "텍스타일", "화섬"),
    "14": ("어패럴", "패션", "섬유"),
    "20": ("화학", "케미칼", "코스메틱", "화장품", "뷰티", "바이오", "켐"),
    "21": ("제약", "바이오", "팜", "바이오텍", "메디칼"),
    "22": ("산업", "플라스틱", "화학", "폴리텍"),
    "23": ("산업", "세라믹", "레미콘", "건재"),
    "24": ("금속", "스틸", "메탈", "제강"),
    "25": ("정밀", "금속", "산업", "메탈", "기공"),
    "26": ("전자", "테크", "일렉트로닉스", "반도체", "디스플레이", "시스템"),
    "27": ("메디칼", "정밀", "메디텍", "옵틱스", "계측"),
    "28": ("전기", "일렉트릭", "에너지", "파워", "전기산업"),
    "29": ("기계", "정밀", "엔지니어링", "기공", "오토메이션", "로보틱스"),
    "30": ("오토텍", "모터스", "정공", "산업", "오토"),
    "32": ("가구", "퍼니처", "리빙"),
    "33": ("산업", "광고", "스포츠", "디자인"),
    "41": ("건설", "종합건설", "개발"),
    "42": ("건설", "전기", "설비", "이엔씨", "공영"),
    "46": ("상사", "유통", "물산", "트레이딩", "무역", "인터내셔널"),
    "47": ("마트", "유통", "상회", "스토어", "커머스"),
    "49": ("운수", "물류", "로지스", "익스프레스", "교통"),
    "52": ("물류", "로지스틱스", "창고"),
    "55": ("호텔", "리조트", "펜션", "스테이"),
    "56": ("식당", "푸드", "키친", "카페", "다이닝"),
    "58": ("소프트", "게임즈", "소프트웨어", "에듀"),
    "62": ("정보통신", "소프트", "시스템즈", "아이티", "데이터", "솔루션"),
    "63": ("네트웍스", "플랫폼", "데이터", "미디어"),
    "70": ("바이오", "연구소", "랩", "사이언스", "테크"),
    "71": ("컨설팅", "애드", "기획", "파트너스", "마케팅"),
    "72": ("엔지니어링", "건축", "기술", "측량"),
    "73": ("디자인", "스튜디오", "크리에이티브"),
    "74": ("시설관리", "환경", "클린"),
    "75": ("여행사", "투어", "트래블", "관광", "이벤트"),
    "01": ("농원", "농장", "팜", "영농", "농산"),
    "03": ("수산", "양식", "어장"),
    "85": ("에듀", "아카데미", "교육"),
    "91": ("레저", "골프", "마린", "리조트"),
}
# Words for some KSIC subclass prefixes (checked before the division's words)
_SUBCLASS_WORDS = {
    "101": ("축산", "미트", "식품"),
    "102": ("수산", "씨푸드", "식품"),
    "103": ("농산", "식품", "푸드"),
    "1060": ("제과", "베이커리", "식품"),
    "1089": ("식품", "바이오", "헬스케어", "푸드텍"),
    "111": ("주조", "양조", "브루어리", "증류소"),
    "112": ("음료", "워터", "식품"),
    "20423": ("코스메틱", "화장품", "뷰티", "바이오"),
    "5510": ("호텔", "리조트", "스테이"),
    "55104": ("펜션", "스테이", "민박"),
    "752": ("여행사", "투어", "트래블", "관광"),
}
# (prefix, suffix) around the base name
_CORP_FORMS = (("(주)", ""), ("", "(주)"), ("주식회사 ", ""), ("㈜", ""), ("", " 주식회사"))
_CORP_FORM_P = (0.45, 0.22, 0.15, 0.10, 0.08)
_AGRI_FORMS = (("농업회사법인 ", "(주)"), ("농업회사법인 (주)", ""), ("", "농업회사법인"))
_FISH_FORMS = (("어업회사법인 ", "(주)"), ("", "어업회사법인"))


# ----------------------------------------------------------------------------------------
# Drawing a BRN and a name per firm
# ----------------------------------------------------------------------------------------


def draw_brns(rng, n, individual):
    """Unique valid BRNs: corporations 81/86/87/88, sole proprietors 01-79."""
    corp_type = np.array([81, 86, 87, 88])[choice(rng, n, (0.6, 0.25, 0.1, 0.05))]
    type_code = np.where(individual, rng.integers(1, 80, n), corp_type)
    prefix = rng.integers(101, 1000, n)
    serial = rng.integers(1, 10000, n)
    key = prefix * 1_000_000 + type_code * 10_000 + serial
    for _ in range(50):  # redraw collisions (rounds, not rows)
        dup = pd.Series(key).duplicated().to_numpy()
        if not dup.any():
            break
        m = int(dup.sum())
        prefix[dup] = rng.integers(101, 1000, m)
        serial[dup] = rng.integers(1, 10000, m)
        key = prefix * 1_000_000 + type_code * 10_000 + serial
    else:  # pragma: no cover - needs ~10^8 firms
        raise RuntimeError("could not draw unique BRNs")
    # one make_brn call per firm (the project's single check-digit rule); ~40 ms per 20k firms
    brn = np.array(
        [make_brn(int(p), int(t), int(s)) for p, t, s in zip(prefix, type_code, serial)],
        dtype=object,
    )
    return brn


# Every industry word in one flat array: group g (a division of DIV, then each prefix of
# _SUBCLASS_WORDS) owns the words _WORD_OFFSETS[g] to _WORD_OFFSETS[g + 1] - 1.
_WORD_GROUPS = [_INDUSTRY_WORDS[d] for d in DIV] + list(_SUBCLASS_WORDS.values())
_WORD_OFFSETS = np.cumsum([0] + [len(g) for g in _WORD_GROUPS])
_WORD_COUNTS = np.diff(_WORD_OFFSETS)
_WORDS = np.array([w for g in _WORD_GROUPS for w in g], dtype=object)
# no "글로벌"-style extra after a word that already ends a name (…여행사, …연구소, …농원)
_EXTRA_OK = np.array([w[-1] not in "사소원" for w in _WORDS], dtype=bool)


def draw_names(rng, sido, div, ksic, individual):
    """Plausible unique Korean company names (unique on the name without the legal form).

    ``sido`` and ``div`` are indices into :data:`SIDO` and :data:`DIV`; sole proprietors
    (``individual``) get no legal form. Draws from ``rng``: the base names (with redraws of
    duplicates), then the legal forms.
    """
    jeju, sejong = sido == SIDO.index(JEJU), sido == SIDO.index(SEJONG)
    base = _draw_base_names(rng, jeju, sejong, _word_group(div, ksic))
    pre, suf = _draw_legal_forms(rng, sido, div, jeju)
    pre = np.where(individual, "", pre)
    suf = np.where(individual, "", suf)
    return pre + base + suf


def _word_group(div, ksic):
    """Each firm's industry-word group: its division, or the longest matching subclass prefix
    of :data:`_SUBCLASS_WORDS`."""
    grp = div.copy()
    ks = pd.Series(ksic, dtype=object)
    for j, pre in sorted(enumerate(_SUBCLASS_WORDS), key=lambda x: len(x[1])):
        grp[ks.str.startswith(pre).to_numpy()] = len(DIV) + j
    return grp


def _draw_base_name_once(rng, js, ss, dv):
    """One name without legal form per firm: core word(s) + industry word + rare extra.

    ``js``/``ss`` mark Jeju and Sejong firms (who often get a local core word), ``dv`` their
    word groups.
    """
    m = len(dv)
    generic = pick(rng, _CORE_GENERIC, m)
    local = np.where(js, pick(rng, _CORE_JEJU, m), pick(rng, _CORE_SEJONG, m))
    use_local = (js & (rng.random(m) < 0.6)) | (ss & (rng.random(m) < 0.5))
    core = np.where(use_local, local, generic)
    two = rng.random(m) < 0.25
    core = np.where(two, core + pick(rng, _CORE_GENERIC, m), core)
    wi = _WORD_OFFSETS[dv] + (rng.random(m) * _WORD_COUNTS[dv]).astype(int)
    extra = np.where((rng.random(m) < 0.15) & _EXTRA_OK[wi], pick(rng, _EXTRA, m), "")
    return core + _WORDS[wi] + extra


def _draw_base_names(rng, jeju, sejong, grp):
    """Unique names without legal form: draw one per firm, then redraw the duplicates."""
    base = _draw_base_name_once(rng, jeju, sejong, grp)
    for _ in range(40):  # redraw collisions (rounds, not rows)
        dup = pd.Series(base).duplicated().to_numpy()
        if not dup.any():
            break
        base[dup] = _draw_base_name_once(rng, jeju[dup], sejong[dup], grp[dup])
    else:  # pragma: no cover - fallback for very large panels
        dup = pd.Series(base).duplicated().to_numpy()
        base[dup] = base[dup] + np.char.mod("%d", np.arange(int(dup.sum())) + 2).astype(object)
    return base


def _draw_legal_forms(rng, sido, div, jeju):
    """The (prefix, suffix) of each firm's legal form: a 주식회사 form, or for some farming,
    food and beverage firms 농업회사법인, for some fishing firms 어업회사법인."""
    n = len(div)
    form = choice(rng, n, _CORP_FORM_P)
    pre = np.array([f[0] for f in _CORP_FORMS], dtype=object)[form]
    suf = np.array([f[1] for f in _CORP_FORMS], dtype=object)[form]
    agri_div = np.isin(np.array(DIV)[div], ("01", "10", "11"))
    agri = agri_div & (
        rng.random(n)
        < np.where(jeju | np.isin(sido, [SIDO.index(s) for s in RURAL_SIDO]), 0.35, 0.12)
    )
    ai = rng.integers(0, len(_AGRI_FORMS), n)
    pre = np.where(agri, np.array([f[0] for f in _AGRI_FORMS], dtype=object)[ai], pre)
    suf = np.where(agri, np.array([f[1] for f in _AGRI_FORMS], dtype=object)[ai], suf)
    fish = (np.array(DIV)[div] == "03") & (rng.random(n) < 0.4)
    fi = rng.integers(0, len(_FISH_FORMS), n)
    pre = np.where(fish, np.array([f[0] for f in _FISH_FORMS], dtype=object)[fi], pre)
    suf = np.where(fish, np.array([f[1] for f in _FISH_FORMS], dtype=object)[fi], suf)
    return pre, suf
