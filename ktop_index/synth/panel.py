"""A synthetic Korean SME firm-year panel whose growth is driven by a known latent capability.

There is no public K-TOP data, so the project tests its Tech-Index and its growth model on
a generated panel in which the truth is known. Every firm has four latent innovation
domain factors (infrastructure, input, activity, outcome), correlated through a common
capability factor. The factors drive the observed fields (the 10 quantitative fields and
the financial fields) through zero-inflated count and log-normal links, and their weighted
sum -- the *capability*, weights :data:`TRUE_GROWTH_WEIGHTS` -- drives the firm's LATER
revenue and employment growth and its survival. The model, its equations and its
parameters are documented in ``docs/synth.md``.

Everything is vectorised numpy; the only Python loop runs over years. The same seed gives
a byte-identical frame and byte-identical Parquet files.

Example
-------
>>> from ktop_index import synth
>>> sp = synth.generate(n_firms=300, years=(2020, 2024), seed=1)
>>> list(sp.panel.columns[:4])
['firm_id', 'brn', 'firm_name', 'year']
>>> bool((sp.panel["firm_age"] == sp.panel["year"] - sp.panel["founded"]).all())
True

Missing values: the financial fields and ``ceo_industry_years`` and ``rnd_staff`` are
missing completely at random at the rates of :data:`MISSING_RATES` (never depending on the
outcome); counts that come from registries are never missing.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ktop_index.data.brn import make_brn

__all__ = [
    "APPLICANT_EXTRA_COLUMNS",
    "CALLS",
    "DOMAINS",
    "MISSING_RATES",
    "PANEL_COLUMNS",
    "TRUE_GROWTH_WEIGHTS",
    "TRUTH_COLUMNS",
    "GenerativeParams",
    "SyntheticPanel",
    "generate",
    "generate_panel",
    "generate_truth",
    "make_applicants",
    "write",
]

# ----------------------------------------------------------------------------------------
# The known truth
# ----------------------------------------------------------------------------------------

DOMAINS = ("infrastructure", "input", "activity", "outcome")

#: Weights of the domain factors in the latent capability that drives later growth and
#: survival: capability_t = sum_d w_d * factor_{d,t}. Growth loads most on input and
#: activity. These are the weights an index built from the observed fields should recover
#: (up to scale) if it is to rank firms by growth potential.
TRUE_GROWTH_WEIGHTS = {"infrastructure": 0.15, "input": 0.35, "activity": 0.30, "outcome": 0.20}

PANEL_COLUMNS = (
    "firm_id", "brn", "firm_name", "year", "ksic", "region", "founded", "firm_age",
    # the 10 quantitative fields
    "ceo_industry_years", "employees", "rnd_staff", "rnd_org", "certifications",
    "patents", "ip_filings", "rnd_projects", "commercialized",
    # financial fields, KRW thousand (천원)
    "revenue", "operating_profit", "net_income", "total_assets", "total_equity",
    "rnd_expense", "salaries", "export_revenue",
)  # fmt: skip

TRUTH_COLUMNS = (
    "firm_id", "year", *DOMAINS, "capability", "capability_level", "rnd_propensity",
    "alive_next_year", "survives_3y", "revenue_growth_3y", "employment_growth_3y",
    "high_growth_3y", "high_growth_3y_oecd",
)  # fmt: skip

APPLICANT_EXTRA_COLUMNS = (
    "address",
    "letter_of_intent",
    "sme_confirmed",
    "requested",
    "_synthetic_note",
)

#: Share of cells set missing, completely at random (half of it persistent within a firm).
MISSING_RATES = {
    "ceo_industry_years": 0.08,
    "rnd_staff": 0.03,
    "revenue": 0.01,
    "operating_profit": 0.02,
    "net_income": 0.03,
    "total_assets": 0.02,
    "total_equity": 0.03,
    "rnd_expense": 0.10,
    "salaries": 0.05,
    "export_revenue": 0.12,
}

_INT_COLUMNS = (
    "year", "founded", "firm_age", "employees", "rnd_org", "certifications", "patents",
    "ip_filings", "rnd_projects", "commercialized",
)  # fmt: skip
_MONEY_COLUMNS = (
    "revenue", "operating_profit", "net_income", "total_assets", "total_equity",
    "rnd_expense", "salaries", "export_revenue",
)  # fmt: skip
_STR_COLUMNS = ("firm_id", "brn", "firm_name", "ksic", "region")
#: pandas 3 default string dtype (pyarrow-backed, NaN as missing marker).
_STR_DTYPE = "str"


@dataclass(frozen=True)
class GenerativeParams:
    """Parameters of the generative model (see ``docs/synth.md`` for the equations).

    Set ``beta_revenue = beta_employment = exit_capability = 0`` for a null world in which
    the capability does not drive growth or survival.
    """

    factor_common_share: float = 0.5  # corr between two domain-factor levels
    ar_phi: float = 0.8  # AR(1) coefficient of the yearly factor deviation
    ar_sd: float = 0.35  # stationary sd of the yearly factor deviation
    beta_revenue: float = 0.10  # log revenue growth per unit capability per year
    beta_employment: float = 0.05  # log employment growth per unit capability per year
    revenue_noise_sd: float = 0.16  # sd of the yearly revenue growth shock (mid-size firm)
    employment_noise_sd: float = 0.08
    transitory_sd: float = 0.06  # year-specific revenue shock that does not persist
    young_revenue_boost: float = 0.15  # extra growth at age 0, decaying exp(-age/2)
    young_employment_boost: float = 0.10
    size_reversion: float = 0.03  # slower growth of larger firms (keeps sizes stationary)
    exit_base: float = -3.6  # logit of the yearly exit hazard of a mid-size mature firm
    exit_capability: float = -0.9  # change in that logit per unit capability
    exit_micro: float = 0.6  # employees < 5
    exit_young: float = 0.8  # times exp(-age/2)
    exit_impaired: float = 0.8  # total_equity <= 0
    entrant_share: float = 0.30  # share of firms founded inside the panel years
    mean_age_at_start: float = 10.5  # mean age of the incumbents at the first panel year


# ----------------------------------------------------------------------------------------
# Regions: 17 시도 with real 시군구, weighted roughly by SME counts
# ----------------------------------------------------------------------------------------

JEJU = "제주특별자치도"
SEJONG = "세종특별자치시"
SEOUL = "서울특별시"
GYEONGGI = "경기도"

# (시도, weight ~ % of Korean SMEs; Jeju and Sejong oversampled ~3x, see docs/synth.md,
#  [(시군구, weight)])
_REGIONS = (
    (GYEONGGI, 26.0, (("화성시", 3), ("성남시", 2.5), ("수원시", 2), ("용인시", 2), ("안산시", 2),
                      ("시흥시", 1.8), ("부천시", 1.5), ("고양시", 1.3), ("김포시", 1.3),
                      ("평택시", 1.2), ("파주시", 1.2), ("안양시", 1.0), ("남양주시", 0.8),
                      ("이천시", 0.6))),
    (SEOUL, 21.5, (("강남구", 3), ("서초구", 2), ("송파구", 1.5), ("영등포구", 1.5), ("금천구", 1.5),
                   ("구로구", 1.5), ("마포구", 1.2), ("성동구", 1.2), ("중구", 1.5), ("강서구", 1.0),
                   ("종로구", 0.8))),
    ("부산광역시", 6.5, (("강서구", 1.5), ("사상구", 1.5), ("사하구", 1), ("해운대구", 1),
                    ("부산진구", 1), ("기장군", 0.7))),
    ("경상남도", 6.0, (("창원시", 3), ("김해시", 2.5), ("양산시", 1.2), ("진주시", 1.0),
                   ("거제시", 0.6), ("함안군", 0.5))),
    ("인천광역시", 5.6, (("남동구", 2.5), ("서구", 1.5), ("부평구", 1), ("연수구", 1), ("미추홀구", 1))),
    ("경상북도", 5.2, (("구미시", 2), ("포항시", 1.5), ("경산시", 1.2), ("경주시", 1.0),
                   ("칠곡군", 0.6), ("안동시", 0.5))),
    ("대구광역시", 4.7, (("달서구", 2), ("북구", 1.5), ("달성군", 1.5), ("동구", 0.8), ("서구", 0.7))),
    ("충청남도", 4.1, (("천안시", 3), ("아산시", 2), ("당진시", 1), ("서산시", 0.8), ("논산시", 0.5),
                   ("공주시", 0.4))),
    ("전라남도", 3.5, (("순천시", 1.2), ("여수시", 1.2), ("목포시", 1), ("나주시", 0.8),
                   ("광양시", 0.8), ("영암군", 0.5))),
    ("전북특별자치도", 3.4, (("전주시", 2.5), ("군산시", 1.3), ("익산시", 1.3), ("완주군", 0.9),
                      ("정읍시", 0.5))),
    ("충청북도", 3.1, (("청주시", 3), ("충주시", 1), ("음성군", 1), ("진천군", 0.8), ("제천시", 0.5))),
    ("강원특별자치도", 3.0, (("원주시", 1.5), ("춘천시", 1.5), ("강릉시", 1.0), ("횡성군", 0.4))),
    ("광주광역시", 3.0, (("광산구", 2), ("북구", 1.5), ("서구", 1))),
    ("대전광역시", 2.8, (("유성구", 2.5), ("대덕구", 1.5), ("서구", 1), ("중구", 0.7))),
    ("울산광역시", 1.9, (("울주군", 1.5), ("남구", 1.2), ("북구", 1), ("중구", 0.5))),
    (JEJU, 5.0, (("제주시", 3.0), ("서귀포시", 1.2))),
    (SEJONG, 3.0, ()),
)  # fmt: skip
_SIDO = tuple(r[0] for r in _REGIONS)
_INDUSTRIAL_SIDO = (
    "인천광역시",
    "울산광역시",
    "경상남도",
    "경상북도",
    "충청북도",
    "충청남도",
    "대구광역시",
)
_RURAL_SIDO = ("전라남도", "전북특별자치도", "강원특별자치도", "경상북도", "충청남도")

# ----------------------------------------------------------------------------------------
# Industries (KSIC 11th revision). One row per division:
#   division, weight (share of firms, %), rnd (R&D propensity shift), rev_head (revenue per
#   employee of a ~10-person firm, 천원), size (shift of log employment at birth), turnover
#   (revenue / total assets), margin (operating margin), drift (yearly log growth),
#   wage (log shift of the salary per head), export (shift of the exporter logit),
#   tourism (hit by the 2020-21 travel slump), subclasses {code: weight}
# ----------------------------------------------------------------------------------------

_INDUSTRIES = (
    ("10", 7.0, 0.0, 250_000, 0.2, 1.2, 0.040, 0.000, -0.05, -0.3, False,
     {"10122": 1, "10129": 1, "10212": 1, "10213": 1, "10219": 1, "10220": 1, "10301": 1,
      "10309": 2, "10602": 2, "10603": 1.5, "10701": 1, "10709": 2, "10820": 1, "10833": 1.5,
      "10892": 1, "10895": 1, "10896": 1, "10897": 2, "10899": 2}),
    ("11", 1.2, -0.1, 250_000, 0.0, 0.9, 0.050, 0.000, -0.05, -0.6, False,
     {"11111": 3, "11119": 1, "11122": 1, "11129": 1, "11202": 1, "11209": 3}),
    ("13", 1.3, -0.2, 200_000, 0.2, 1.0, 0.030, -0.020, -0.10, 0.3, False,
     {"13211": 1, "13213": 1, "13219": 1, "13229": 1, "13300": 1, "13402": 1, "13992": 1,
      "13999": 1}),
    ("14", 1.3, -0.5, 180_000, 0.0, 1.3, 0.030, -0.020, -0.15, 0.0, False,
     {"14111": 1, "14112": 2, "14192": 1, "14199": 1, "14300": 1, "14419": 0.5, "14499": 0.5}),
    ("20", 3.0, 0.5, 330_000, 0.2, 1.0, 0.050, 0.010, 0.05, 0.5, False,
     {"20423": 6, "20422": 1, "20499": 2, "20411": 1, "20202": 1, "20119": 1, "20132": 1,
      "20313": 1, "20322": 1, "20421": 1, "20493": 1, "20424": 1}),
    ("21", 1.0, 1.1, 280_000, 0.4, 0.8, 0.060, 0.020, 0.12, 0.4, False,
     {"21212": 2, "21211": 1.5, "21220": 1, "21301": 1.5, "21309": 1.5, "21100": 0.5}),
    ("22", 3.0, 0.0, 250_000, 0.4, 1.1, 0.040, 0.000, 0.00, 0.3, False,
     {"22212": 1, "22213": 1, "22232": 1, "22241": 1, "22249": 1, "22299": 1, "22231": 1,
      "22192": 1, "22291": 1}),
    ("23", 1.5, -0.3, 300_000, 0.3, 0.9, 0.040, -0.010, 0.00, -0.5, False,
     {"23322": 1, "23324": 1, "23325": 1, "23199": 1, "23222": 1, "23911": 1, "23999": 1}),
    ("24", 1.2, -0.1, 450_000, 0.5, 1.0, 0.030, -0.010, 0.05, 0.3, False,
     {"24122": 1, "24133": 1, "24191": 1, "24222": 1, "24311": 1, "24312": 1, "24321": 1}),
    ("25", 6.0, -0.2, 200_000, 0.3, 1.1, 0.040, 0.000, 0.00, 0.0, False,
     {"25924": 3, "25921": 1, "25922": 1, "25923": 1, "25913": 1, "25914": 1, "25112": 1,
      "25119": 1, "25122": 1, "25999": 1, "25942": 1, "25991": 1}),
    ("26", 4.0, 1.0, 280_000, 0.4, 1.0, 0.050, 0.020, 0.10, 0.9, False,
     {"26112": 1, "26129": 1, "26121": 1, "26219": 1, "26222": 1, "26224": 1, "26291": 1,
      "26294": 1, "26299": 1, "26329": 1, "26410": 1, "26429": 1, "26529": 1}),
    ("27", 2.5, 0.9, 220_000, 0.2, 0.9, 0.060, 0.030, 0.10, 0.8, False,
     {"27112": 1, "27199": 1, "27191": 1, "27193": 1, "27194": 1, "27212": 1, "27213": 1,
      "27215": 1, "27216": 1, "27219": 1, "27301": 1}),
    ("28", 3.0, 0.5, 270_000, 0.3, 1.0, 0.045, 0.010, 0.05, 0.5, False,
     {"28111": 1, "28113": 1, "28119": 1, "28121": 1, "28123": 2, "28202": 1, "28209": 1,
      "28302": 1, "28422": 1, "28429": 1, "28519": 1, "28909": 1}),
    ("29", 6.0, 0.5, 250_000, 0.35, 1.0, 0.045, 0.010, 0.05, 0.6, False,
     {"29120": 1, "29133": 1, "29142": 1, "29163": 1, "29169": 1, "29172": 1, "29174": 1,
      "29176": 1, "29191": 1, "29199": 1, "29210": 1, "29223": 1, "29229": 1, "29250": 1,
      "29271": 1, "29272": 1, "29280": 1, "29293": 2, "29299": 1}),
    ("30", 2.5, 0.3, 300_000, 0.6, 1.0, 0.035, 0.000, 0.05, 0.3, False,
     {"30310": 1, "30320": 2, "30331": 1, "30332": 1, "30391": 1, "30392": 1, "30399": 2,
      "30201": 1}),
    ("32", 1.0, -0.4, 200_000, 0.1, 1.2, 0.035, -0.010, -0.05, -0.5, False,
     {"32019": 1, "32021": 1, "32029": 1, "32091": 1, "32099": 1}),
    ("33", 1.5, -0.1, 180_000, 0.0, 1.1, 0.040, 0.000, -0.05, 0.3, False,
     {"33110": 1, "33303": 1, "33309": 1, "33401": 1, "33910": 2, "33920": 1, "33999": 1}),
    ("41", 2.0, -0.8, 450_000, 0.1, 1.1, 0.040, -0.010, 0.00, -3.0, False,
     {"41111": 1, "41119": 1, "41121": 1, "41122": 1, "41221": 1, "41226": 1, "41229": 1}),
    ("42", 4.0, -0.9, 250_000, 0.0, 1.4, 0.040, 0.000, 0.00, -3.0, False,
     {"42121": 1, "42132": 1, "42201": 1, "42205": 1, "42311": 2, "42312": 1, "42321": 1,
      "42412": 1, "42491": 1, "42499": 1, "42500": 1}),
    ("46", 12.0, -0.8, 600_000, -0.3, 2.0, 0.030, 0.000, 0.00, -0.1, False,
     {"46102": 1, "46107": 1, "46319": 1, "46329": 1, "46322": 1, "46331": 1, "46443": 1,
      "46441": 1, "46442": 1, "46510": 2, "46521": 1, "46539": 1, "46595": 1, "46739": 1,
      "46800": 1}),
    ("47", 6.0, -1.2, 350_000, -0.4, 2.2, 0.025, -0.010, -0.20, -2.0, False,
     {"47190": 1, "47219": 1, "47222": 1, "47229": 1, "47121": 1, "47813": 1, "47912": 3,
      "47312": 1, "47599": 1, "47842": 1}),
    ("49", 2.0, -1.4, 150_000, 0.3, 1.1, 0.030, 0.000, -0.05, -3.0, False,
     {"49301": 3, "49232": 1, "49401": 1, "49309": 1}),
    ("52", 1.0, -1.0, 200_000, 0.0, 1.2, 0.040, 0.010, 0.00, -2.0, False,
     {"52101": 1, "52102": 1, "52992": 2, "52941": 1, "52993": 1}),
    ("55", 2.0, -1.6, 120_000, 0.0, 0.35, 0.060, 0.000, -0.30, -3.0, True,
     {"55101": 2, "55103": 1, "55104": 2, "55109": 1, "55105": 0.5}),
    ("56", 4.0, -1.8, 90_000, -0.1, 1.8, 0.040, -0.010, -0.40, -4.0, True,
     {"56111": 3, "56113": 1, "56114": 1, "56150": 1, "56221": 2, "56123": 1, "56141": 1,
      "56191": 1}),
    ("58", 3.0, 0.9, 150_000, 0.0, 1.0, 0.070, 0.030, 0.15, 0.0, False,
     {"58222": 4, "58221": 2, "58212": 2, "58113": 1, "58190": 0.5}),
    ("62", 4.0, 0.8, 140_000, 0.1, 1.4, 0.050, 0.030, 0.15, -0.3, False,
     {"62010": 3, "62021": 2, "62022": 1, "62090": 1}),
    ("63", 1.5, 0.8, 160_000, -0.1, 1.1, 0.060, 0.040, 0.12, -0.3, False,
     {"63111": 2, "63112": 1, "63120": 2, "63991": 2, "63999": 1}),
    ("70", 1.5, 1.4, 120_000, -0.2, 0.8, 0.030, 0.030, 0.15, 0.0, False,
     {"70111": 2, "70113": 2, "70112": 1, "70121": 2, "70129": 2, "70130": 1}),
    ("71", 2.0, -0.7, 130_000, -0.3, 1.5, 0.080, 0.010, 0.10, -2.0, False,
     {"71310": 2, "71531": 3, "71392": 1, "71400": 1, "71600": 1}),
    ("72", 2.5, -0.1, 130_000, 0.0, 1.4, 0.060, 0.000, 0.05, -1.0, False,
     {"72121": 2, "72129": 2, "72111": 1, "72122": 1, "72911": 1, "72919": 1, "72921": 1}),
    ("73", 1.5, -0.3, 120_000, -0.4, 1.5, 0.060, 0.010, 0.00, -1.0, False,
     {"73201": 1.5, "73202": 1.5, "73203": 2, "73209": 1, "73903": 1, "73909": 1}),
    ("74", 1.0, -1.5, 70_000, 0.5, 2.5, 0.030, 0.000, -0.40, -4.0, False,
     {"74100": 1, "74211": 1, "74212": 1, "74220": 1, "74300": 1}),
    ("75", 2.5, -1.2, 120_000, 0.0, 1.8, 0.040, 0.000, -0.20, -2.0, True,
     {"75210": 3, "75290": 1.5, "75992": 2, "75995": 2, "75994": 1, "75310": 1, "75999": 1}),
    ("01", 1.0, -0.9, 150_000, -0.3, 0.6, 0.040, 0.000, -0.30, -1.5, False,
     {"01131": 2, "01121": 1, "01151": 1, "01132": 1, "01220": 1, "01291": 0.5, "01411": 0.5,
      "01412": 1}),
    ("03", 0.5, -1.2, 200_000, -0.2, 0.6, 0.040, -0.010, -0.30, -1.0, False,
     {"03211": 3, "03112": 2, "03213": 1, "03220": 0.5}),
    ("85", 1.0, -1.0, 90_000, 0.0, 1.3, 0.050, 0.000, -0.20, -4.0, False,
     {"85501": 1, "85503": 1, "85650": 1, "85669": 1, "85709": 1, "85691": 0.5}),
    ("91", 0.5, -1.5, 100_000, 0.0, 0.4, 0.050, -0.010, -0.20, -4.0, True,
     {"91121": 1, "91210": 1, "91239": 1, "91199": 1, "91131": 1}),
)  # fmt: skip
_DIV = tuple(r[0] for r in _INDUSTRIES)
_IND_FIELDS = ("weight", "rnd", "rev_head", "size", "turnover", "margin", "drift", "wage", "export",
               "tourism", "subclasses")  # fmt: skip
_SUBCLASSES = 1 + _IND_FIELDS.index("subclasses")  # position of the subclass weights in a row
# firm-persistent idiosyncratic terms of the field links (standard normal; not part of the truth)
_FIRM_NOISE = ("prod", "org", "share", "wage", "rexp", "margin", "turn", "equity", "xshare", "size")
_MANUFACTURING = tuple(d for d in _DIV if 10 <= int(d) <= 34)
_HEAVY = ("22", "23", "24", "25", "28", "29", "30")

# Region-specific multipliers of the division weights (Jeju and Sejong skews; see docs).
_DIV_MULT = {
    JEJU: {"10": 3.0, "11": 4.0, "20": 1.6, "21": 0.8, "55": 6.0, "56": 1.8, "75": 3.0,
           "01": 4.0, "03": 3.0, "91": 3.0, "58": 0.8, "62": 0.8, "63": 0.8, "46": 0.8,
           "47": 1.2, "41": 1.2, "42": 1.2, "49": 0.8, "13": 0.3, "14": 0.3, "22": 0.3,
           "23": 0.7, "24": 0.15, "25": 0.3, "26": 0.2, "27": 0.3, "28": 0.2, "29": 0.2,
           "30": 0.1, "32": 0.5, "33": 0.6},
    SEJONG: {"10": 3.0, "11": 1.2, "26": 2.5, "27": 1.5, "20": 1.3, "21": 1.3, "58": 1.6,
             "62": 1.8, "63": 1.8, "70": 1.8, "72": 1.3, "55": 0.4, "91": 0.5, "03": 0.1,
             "24": 0.7},
    SEOUL: {**{d: 0.3 for d in _MANUFACTURING}, "14": 1.6, "26": 0.6, "27": 0.6, "21": 0.7,
            "58": 2.3, "62": 2.3, "63": 2.3, "70": 1.8, "71": 1.8, "72": 1.8, "73": 1.8,
            "46": 1.3, "47": 0.9, "01": 0.05, "03": 0.05, "41": 0.8, "42": 0.8, "75": 1.4,
            "55": 0.6, "49": 0.6},
    GYEONGGI: {**{d: 1.3 for d in _MANUFACTURING}, "01": 0.4, "03": 0.2, "55": 0.5},
}  # fmt: skip
for _s in _INDUSTRIAL_SIDO:
    _DIV_MULT.setdefault(_s, {}).update({d: 1.5 for d in _HEAVY})
for _s in _RURAL_SIDO:
    _DIV_MULT.setdefault(_s, {}).update({"01": 2.0, "03": 2.0, "10": 1.3})

# Region-specific multipliers of subclass weights inside a division.
_SUB_MULT = {
    JEJU: {"10309": 4, "10892": 3, "10897": 2, "10212": 2, "10220": 2, "10122": 2, "10896": 2,
           "11202": 4, "11209": 2, "11129": 2, "20423": 4, "20313": 2, "20322": 2,
           "21220": 3, "55104": 3, "55103": 2, "75210": 3, "75290": 3, "75992": 1.5,
           "01131": 4, "01132": 2, "01291": 4, "91121": 2, "91239": 2, "47842": 4},
    SEJONG: {"10301": 2, "10833": 2, "10602": 1.5, "10709": 2, "10897": 1.5, "29250": 3},
}  # fmt: skip

# Year effects on log revenue growth into the given year; tourism industries get extra.
_YEAR_DRIFT = {2015: 0.02, 2016: 0.02, 2017: 0.03, 2018: 0.02, 2019: 0.01, 2020: -0.06,
               2021: 0.07, 2022: 0.06, 2023: 0.01, 2024: 0.02}  # fmt: skip
_DEFAULT_YEAR_DRIFT = 0.025
_TOURISM_SHOCK = {2020: -0.30, 2021: 0.10, 2022: 0.20}
_WAGE_BASE_2014 = 33_000.0  # 천원 per head per year
_WAGE_GROWTH = 0.035

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
# Helpers
# ----------------------------------------------------------------------------------------


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _categorical(rng, probs):
    """One draw per row of ``probs`` (rows sum to 1): the column index."""
    cdf = np.cumsum(probs, axis=1)
    u = rng.random(probs.shape[0]) * cdf[:, -1]
    return np.minimum((cdf <= u[:, None]).sum(axis=1), probs.shape[1] - 1)


def _p_ip_inactive(f_act, rnd, lc):
    """Probability that a firm files no IP at all (the structural zero)."""
    return _sigmoid(0.8 - 1.0 * f_act - 0.8 * rnd - 0.5 * lc)


def _filing_rate(f_act, rnd, lc):
    """Mean yearly IP filings of a filing firm (negative binomial, k = 1)."""
    return np.exp(-0.2 + 0.7 * f_act + 0.3 * rnd + 0.4 * lc)


def _grant_rate(f_out):
    """Share of the filings of two years ago registered this year."""
    return _sigmoid(0.3 + 0.7 * f_out)


def _choice(rng, n, weights):
    w = np.asarray(weights, dtype=float)
    return _categorical(rng, np.broadcast_to(w / w.sum(), (n, len(w))))


def _pick(rng, pool, n):
    arr = np.asarray(pool)
    return arr[rng.integers(0, len(arr), n)]


@dataclass(frozen=True)
class SyntheticPanel:
    """A generated panel and its known truth (one truth row per panel row, same order)."""

    panel: pd.DataFrame
    truth: pd.DataFrame
    n_firms: int
    years: tuple[int, int]
    seed: int
    params: GenerativeParams


# ----------------------------------------------------------------------------------------
# Firm-level statics
# ----------------------------------------------------------------------------------------


def _draw_regions(rng, n, region_weights):
    w = np.array(
        [region_weights.get(s, 0.0) if region_weights else r[1] for s, r in zip(_SIDO, _REGIONS)]
    )
    if w.sum() <= 0:
        raise ValueError("region_weights must give a positive weight to at least one 시도")
    sido = _choice(rng, n, w)
    region = np.empty(n, dtype=object)
    u = rng.random(n)
    for k, (name, _, sgg) in enumerate(_REGIONS):  # loop over 17 시도, not rows
        idx = np.flatnonzero(sido == k)
        if not sgg:
            region[idx] = name
            continue
        sw = np.array([s[1] for s in sgg], dtype=float)
        cdf = np.cumsum(sw) / sw.sum()
        j = np.minimum(np.searchsorted(cdf, u[idx], side="right"), len(sgg) - 1)
        region[idx] = np.array([f"{name} {s[0]}" for s in sgg], dtype=object)[j]
    return sido, region


def _draw_industries(rng, sido):
    n = sido.shape[0]
    base = np.array([r[1] for r in _INDUSTRIES])
    mult = np.ones((len(_SIDO), len(_DIV)))
    for s, m in _DIV_MULT.items():
        for d, v in m.items():
            mult[_SIDO.index(s), _DIV.index(d)] = v
    p = base[None, :] * mult
    p /= p.sum(axis=1, keepdims=True)
    div = _categorical(rng, p[sido])
    ksic = np.empty(n, dtype=object)
    u = rng.random(n)
    for j, row in enumerate(_INDUSTRIES):  # loop over divisions, not rows
        idx = np.flatnonzero(div == j)
        codes = list(row[_SUBCLASSES])
        w = np.tile(np.array(list(row[_SUBCLASSES].values()), dtype=float), (len(_SIDO), 1))
        for s, m in _SUB_MULT.items():
            for c, v in m.items():
                if c in row[_SUBCLASSES]:
                    w[_SIDO.index(s), codes.index(c)] *= v
        cdf = np.cumsum(w, axis=1)
        cdf /= cdf[:, -1:]
        k = np.minimum((cdf[sido[idx]] <= u[idx, None]).sum(axis=1), len(codes) - 1)
        ksic[idx] = np.array(codes, dtype=object)[k]
    return div, ksic


def _draw_brns(rng, n, individual):
    """Unique valid BRNs: corporations 81/86/87/88, sole proprietors 01-79."""
    corp_type = np.array([81, 86, 87, 88])[_choice(rng, n, (0.6, 0.25, 0.1, 0.05))]
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


def _draw_names(rng, n, sido, div, ksic, individual):
    """Plausible unique Korean company names (unique on the name without the legal form)."""
    jeju, sejong = sido == _SIDO.index(JEJU), sido == _SIDO.index(SEJONG)
    # word group per firm: its division, or a subclass prefix of _SUBCLASS_WORDS (longest wins)
    groups = [_INDUSTRY_WORDS[d] for d in _DIV] + list(_SUBCLASS_WORDS.values())
    grp = div.copy()
    ks = pd.Series(ksic, dtype=object)
    for j, pre in sorted(enumerate(_SUBCLASS_WORDS), key=lambda x: len(x[1])):
        grp[ks.str.startswith(pre).to_numpy()] = len(_DIV) + j
    offs = np.cumsum([0] + [len(g) for g in groups])
    counts = np.diff(offs)
    words_flat = np.array([w for g in groups for w in g], dtype=object)
    # no "글로벌"-style extra after a word that already ends a name (…여행사, …연구소, …농원)
    extra_ok = np.array([w[-1] not in "사소원" for w in words_flat], dtype=bool)

    def draw(m, js, ss, dv):
        generic = _pick(rng, _CORE_GENERIC, m)
        local = np.where(js, _pick(rng, _CORE_JEJU, m), _pick(rng, _CORE_SEJONG, m))
        use_local = (js & (rng.random(m) < 0.6)) | (ss & (rng.random(m) < 0.5))
        core = np.where(use_local, local, generic)
        two = rng.random(m) < 0.25
        core = np.where(two, core + _pick(rng, _CORE_GENERIC, m), core)
        wi = offs[dv] + (rng.random(m) * counts[dv]).astype(int)
        extra = np.where((rng.random(m) < 0.15) & extra_ok[wi], _pick(rng, _EXTRA, m), "")
        return core + words_flat[wi] + extra

    base = draw(n, jeju, sejong, grp)
    for _ in range(40):  # redraw collisions (rounds, not rows)
        dup = pd.Series(base).duplicated().to_numpy()
        if not dup.any():
            break
        base[dup] = draw(int(dup.sum()), jeju[dup], sejong[dup], grp[dup])
    else:  # pragma: no cover - fallback for very large panels
        dup = pd.Series(base).duplicated().to_numpy()
        base[dup] = base[dup] + np.char.mod("%d", np.arange(int(dup.sum())) + 2).astype(object)
    # legal form
    form = _choice(rng, n, _CORP_FORM_P)
    pre = np.array([f[0] for f in _CORP_FORMS], dtype=object)[form]
    suf = np.array([f[1] for f in _CORP_FORMS], dtype=object)[form]
    agri_div = np.isin(np.array(_DIV)[div], ("01", "10", "11"))
    agri = agri_div & (
        rng.random(n)
        < np.where(jeju | np.isin(sido, [_SIDO.index(s) for s in _RURAL_SIDO]), 0.35, 0.12)
    )
    ai = rng.integers(0, len(_AGRI_FORMS), n)
    pre = np.where(agri, np.array([f[0] for f in _AGRI_FORMS], dtype=object)[ai], pre)
    suf = np.where(agri, np.array([f[1] for f in _AGRI_FORMS], dtype=object)[ai], suf)
    fish = (np.array(_DIV)[div] == "03") & (rng.random(n) < 0.4)
    fi = rng.integers(0, len(_FISH_FORMS), n)
    pre = np.where(fish, np.array([f[0] for f in _FISH_FORMS], dtype=object)[fi], pre)
    suf = np.where(fish, np.array([f[1] for f in _FISH_FORMS], dtype=object)[fi], suf)
    pre = np.where(individual, "", pre)
    suf = np.where(individual, "", suf)
    return pre + base + suf


# ----------------------------------------------------------------------------------------
# The simulation
# ----------------------------------------------------------------------------------------


def _simulate(n_firms, years, seed, params, region_weights=None):
    y0, y1 = int(years[0]), int(years[1])
    if y1 < y0:
        raise ValueError(f"years must be (first, last) with first <= last, got {years!r}")
    if n_firms < 1:
        raise ValueError(f"n_firms must be >= 1, got {n_firms!r}")
    p = params
    root = np.random.default_rng(seed)
    r_static, r_latent, r_dyn, r_names, r_miss = root.spawn(5)
    n = int(n_firms)
    burn, fut = 3, 3
    sim_years = np.arange(y0 - burn, y1 + fut + 1)
    T = sim_years.size
    w = np.array([TRUE_GROWTH_WEIGHTS[d] for d in DOMAINS])

    # --- statics -------------------------------------------------------------------------
    sido, region = _draw_regions(r_static, n, region_weights)
    div, ksic = _draw_industries(r_static, sido)
    ind = {
        name: np.array([r[1 + k] for r in _INDUSTRIES])[div]
        for k, name in enumerate(_IND_FIELDS)
        if name != "subclasses"
    }
    r_ind = ind["rnd"]
    lp = np.log(ind["rev_head"]) - 0.1 * np.log(10.0)  # so a 10-person firm hits rev_head
    entrant = (r_static.random(n) < p.entrant_share) if y1 > y0 else np.zeros(n, bool)
    age0 = np.minimum(np.floor(r_static.exponential(p.mean_age_at_start, n)), 45).astype(np.int64)
    founded = np.where(entrant, r_static.integers(y0 + 1, y1 + 1, n) if y1 > y0 else y0, y0 - age0)

    # latent levels: eta_d = sqrt(rho) g + sqrt(1-rho) e_d
    rho = p.factor_common_share
    g = r_latent.standard_normal(n)
    eta = np.sqrt(rho) * g[:, None] + np.sqrt(1 - rho) * r_latent.standard_normal((n, 4))
    cap_level = eta @ w
    fx = {k: r_latent.standard_normal(n) for k in _FIRM_NOISE}
    ux = {k: r_latent.random(n) for k in ("ip", "export", "dither", "outsource", "legal")}
    u_cert = r_latent.random((n, 4))
    ceo_prior = np.minimum(r_latent.gamma(2.0, 4.0, n) * np.exp(0.3 * eta[:, 0]), 30.0)
    # the founder runs the firm for 15-35 years, then a successor with own experience
    founder_tenure = r_latent.uniform(15.0, 35.0, n)
    successor_prior = np.minimum(r_latent.gamma(2.0, 5.0, n) * np.exp(0.3 * eta[:, 0]), 30.0)

    # --- state ----------------------------------------------------------------------------
    a = r_dyn.standard_normal((n, 4)) * p.ar_sd
    X = np.zeros(n)  # log revenue (permanent part), 천원
    L = np.zeros(n)  # log employment
    pat = np.zeros(n, dtype=np.int64)
    ema_margin = np.zeros(n)
    last_growth = np.zeros(n)
    alive = np.ones(n, bool)
    exited = np.zeros(n, bool)
    start_year = np.maximum(founded, sim_years[0])
    filings_h = np.zeros((n, T), dtype=np.int64)
    proj_h = np.zeros((n, T), dtype=np.int64)
    comm_h = np.zeros((n, T), dtype=np.int64)

    out = {}  # key -> (n, T) array of the yearly values
    present = np.zeros((n, T), bool)
    alive_next = np.zeros((n, T), bool)

    for t, year in enumerate(sim_years):  # the only loop: over years
        if t > 0:
            a = p.ar_phi * a + np.sqrt(1 - p.ar_phi**2) * p.ar_sd * r_dyn.standard_normal((n, 4))
        f = eta + a
        cap = f @ w
        fI, fP, fA, fO = f.T
        age = (year - founded).astype(float)
        born = founded <= year

        # birth (or first simulated year for older firms): initial size
        init = start_year == year
        if init.any():
            L[init] = (
                1.3
                + ind["size"][init]
                + 0.42 * np.log1p(age[init])
                + 0.25 * cap_level[init]
                + 0.75 * fx["size"][init]
            )
            X[init] = lp[init] + 0.45 * fx["prod"][init] + 0.9 * L[init] + 0.1 * fO[init]
            # patents held at birth / first simulated year: about 0.6 x the grants of up to 12 years
            fA0, r0, lc0 = fA[init], r_ind[init], L[init] - 2.3
            mean_stock = (
                (ux["ip"][init] > _p_ip_inactive(fA0, r0, lc0))
                * _filing_rate(fA0, r0, lc0)
                * _grant_rate(fO[init])
                * np.minimum(age[init], 12)
                * 0.6
            )
            pat[init] = r_dyn.poisson(mean_stock * r_dyn.gamma(1.0, 1.0, int(init.sum())))
        cur = born & alive
        present[:, t] = cur

        emp = np.floor(np.exp(L)).astype(np.int64)
        Lc = L - 2.3
        # infrastructure: R&D organisation, certifications, CEO experience
        z_org = fI + 0.9 * r_ind + 0.7 * Lc + 0.7 * fx["org"]
        org = (z_org > 0.3).astype(np.int64) + (z_org > 1.3)
        org = np.where(emp == 0, 0, np.where(emp < 3, np.minimum(org, 1), org))
        cert_p = _sigmoid(
            np.array([-1.4, -2.0, -2.2, -1.2])[None, :]
            + (1.0 * fI + 0.4 * fA + 0.4 * r_ind + 0.35 * Lc)[:, None]
        )
        cert = (u_cert < cert_p).sum(axis=1)
        ceo = np.where(
            age <= founder_tenure, ceo_prior + age, successor_prior + age - np.floor(founder_tenure)
        )
        ceo = np.round(np.minimum(ceo, 50.0), 1)
        # input: R&D staff share, wage level, R&D expense
        share = _sigmoid(
            -2.8 + 0.9 * fP + 0.6 * r_ind + 0.8 * (org >= 1) + 0.4 * (org == 2) + 0.5 * fx["share"]
        )
        staff = np.floor(emp * share + ux["dither"]).astype(np.int64)
        staff = np.maximum(staff, np.where(org >= 1, 1, 0))
        staff = np.maximum(staff, np.where(org == 2, 2, 0))
        staff = np.minimum(staff, emp)
        wage = _WAGE_BASE_2014 * np.exp(
            _WAGE_GROWTH * (year - 2014)
            + ind["wage"]
            + 0.12 * fP
            + 0.15 * fx["wage"]
            + 0.04 * r_dyn.standard_normal(n)
        )
        salaries = np.round(emp * wage)
        # activity: IP filings, government R&D projects (annual flows; 3-year windows below)
        ip_active = ux["ip"] > _p_ip_inactive(fA, r_ind, Lc)
        lam_f = _filing_rate(fA, r_ind, Lc)
        filings = np.where(ip_active & cur, r_dyn.negative_binomial(1.0, 1.0 / (1.0 + lam_f)), 0)
        lam_p = np.exp(-2.9 + 0.9 * fA + 0.5 * r_ind + 0.25 * Lc + 0.5 * (org >= 1))
        projects = np.where(cur, r_dyn.poisson(lam_p), 0)
        # outcome: patents granted (2-year lag), commercialisation, margins, exports
        if t >= 2:
            grants = r_dyn.binomial(filings_h[:, t - 2], _grant_rate(fO))
        else:
            grants = np.zeros(n, dtype=np.int64)
        lapses = r_dyn.binomial(pat, 0.05)
        pat = np.where(cur & ~init, pat + grants - lapses, pat)
        lam_c = np.exp(-2.2 + 0.9 * fO + 0.3 * r_ind + 0.2 * Lc + 0.25 * np.log1p(pat))
        comm = np.where(cur, r_dyn.poisson(lam_c), 0)
        filings_h[:, t], proj_h[:, t], comm_h[:, t] = filings, projects, comm
        lo = max(0, t - 2)
        win = sim_years[None, lo : t + 1] >= founded[:, None]
        ip3 = (filings_h[:, lo : t + 1] * win).sum(axis=1)
        pr3 = (proj_h[:, lo : t + 1] * win).sum(axis=1)
        co3 = (comm_h[:, lo : t + 1] * win).sum(axis=1)

        revenue = np.maximum(np.round(np.exp(X + p.transitory_sd * r_dyn.standard_normal(n))), 1.0)
        rnd_exp = np.where(
            staff > 0,
            staff
            * wage
            * np.exp(0.25 + 0.25 * fP + 0.3 * fx["rexp"] + 0.1 * r_dyn.standard_normal(n)),
            0.0,
        )
        outsourced = (staff == 0) & (ux["outsource"] < 0.05)
        rnd_exp = np.round(np.where(outsourced, revenue * 0.01 * np.exp(0.5 * fP), rnd_exp))
        margin = (
            ind["margin"]
            + 0.01
            + 0.035 * fO
            + 0.045 * fx["margin"]
            + 0.045 * r_dyn.standard_normal(n)
            - 0.10 * np.exp(-age / 1.5)
            + 0.10 * np.clip(last_growth, -0.5, 0.5)
        )
        op = np.round(np.minimum(revenue * margin, revenue - salaries - rnd_exp))
        ema_margin = np.where(init, margin, 0.6 * ema_margin + 0.4 * margin)
        assets = np.round(
            revenue
            / np.exp(np.log(ind["turnover"]) + 0.35 * fx["turn"] + 0.06 * r_dyn.standard_normal(n))
        )
        assets = np.maximum(assets, 1.0)
        eq_ratio = np.minimum(
            0.33
            + 0.07 * cap
            + 0.15 * fx["equity"]
            + 0.8 * ema_margin
            - 0.10 * np.exp(-age / 3)
            + 0.03 * r_dyn.standard_normal(n),
            0.95,
        )
        equity = np.round(assets * eq_ratio)
        debt = np.maximum(assets - equity, 0.0)
        pretax = op - 0.015 * debt + 0.01 * revenue * r_dyn.standard_normal(n)
        ni = np.round(pretax - 0.15 * np.maximum(pretax, 0.0))
        exporter = ux["export"] < _sigmoid(-2.2 + 0.7 * fO + ind["export"] + 0.4 * Lc)
        xshare = _sigmoid(-1.3 + 0.4 * fO + 0.8 * fx["xshare"] + 0.15 * r_dyn.standard_normal(n))
        export = np.where(exporter, np.round(revenue * xshare), 0.0)

        record = {
            "infrastructure": fI, "input": fP, "activity": fA, "outcome": fO, "capability": cap,
            "ceo": ceo, "emp": emp, "rnd_staff": staff, "rnd_org": org, "cert": cert,
            "patents": pat, "ip_filings": ip3, "rnd_projects": pr3, "commercialized": co3,
            "revenue": revenue, "op": op, "ni": ni, "assets": assets, "equity": equity,
            "rnd_exp": rnd_exp, "salaries": salaries, "export": export,
        }  # fmt: skip
        for k, v in record.items():
            out.setdefault(k, np.zeros((n, T)))[:, t] = v

        # exit after this year (only from the first panel year on; incumbents at y0 survived)
        if year >= y0:
            hz = _sigmoid(
                p.exit_base
                + p.exit_capability * cap
                + p.exit_micro * (emp < 5)
                + p.exit_young * np.exp(-age / 2)
                + p.exit_impaired * (equity <= 0)
                + 0.5 * (ind["tourism"] & (year == 2020))
            )
            dies = cur & (r_dyn.random(n) < hz)
            exited |= dies
            alive = ~exited
        alive_next[:, t] = cur & alive

        # growth into next year
        if t + 1 < T:
            ny = int(sim_years[t + 1])
            young = np.exp(-age / 2.0)
            dyear = _YEAR_DRIFT.get(ny, _DEFAULT_YEAR_DRIFT) + ind["tourism"] * _TOURISM_SHOCK.get(
                ny, 0.0
            )
            sdx = p.revenue_noise_sd * (0.8 + 0.6 * np.exp(-np.maximum(L, 0) / 2))
            eps = sdx * r_dyn.standard_t(4, n) / np.sqrt(2.0)
            dX = (
                ind["drift"]
                + dyear
                + p.beta_revenue * cap
                + p.young_revenue_boost * young
                - p.size_reversion * (L - 2.3)
                + eps
            )
            grow = born  # firms not yet born keep their (unused) state
            X = np.where(grow, X + dX, X)
            L_star = (X - lp - 0.45 * fx["prod"] - 0.1 * fO) / 0.9
            dL = (
                0.5 * ind["drift"]
                + p.beta_employment * cap
                + 0.35 * eps
                + p.young_employment_boost * young
                + 0.15 * (L_star - L)
                + p.employment_noise_sd * r_dyn.standard_normal(n)
            )
            L = np.where(grow, L + dL, L)
            last_growth = np.where(grow, dX, last_growth)

    # --- assemble ---------------------------------------------------------------------------
    in_panel = (sim_years >= y0) & (sim_years <= y1)
    pcols = np.flatnonzero(in_panel)
    mask = present[:, pcols]
    fi, tj = np.nonzero(mask)  # row-major: sorted by firm, then year
    tt = pcols[tj]
    yr = sim_years[tt].astype(np.int64)

    def col(key):
        return out[key][fi, tt]

    # future (truth): survival and growth over 3 years, using the simulated years past y1
    t3 = tt + 3
    surv3 = present[fi, t3]
    rev_t, rev_3 = out["revenue"][fi, tt], out["revenue"][fi, t3]
    emp_t, emp_3 = out["emp"][fi, tt], out["emp"][fi, t3]
    with np.errstate(divide="ignore", invalid="ignore"):
        rg3 = np.where(surv3, np.log(rev_3 / rev_t), np.nan)
        eg3 = np.where(surv3 & (emp_t > 0) & (emp_3 > 0), np.log(emp_3 / emp_t), np.nan)
    hg = surv3 & (rg3 > 3 * np.log(1.2))
    hg_oecd = surv3 & (emp_t >= 10) & (np.nan_to_num(eg3, nan=-np.inf) > 3 * np.log(1.2))

    # legal form (sole proprietors are mostly micro firms), BRN and name per firm
    first_t = np.searchsorted(sim_years, np.maximum(start_year, y0))
    small = out["emp"][np.arange(n), first_t]
    p_ind = np.where(small < 5, 0.35, 0.08) + np.where(
        np.isin(np.array(_DIV)[div], ("55", "56", "47", "01")), 0.2, 0.0
    )
    individual = ux["legal"] < p_ind
    brn = _draw_brns(r_names, n, individual)
    names = _draw_names(r_names, n, sido, div, ksic, individual)
    fid = np.char.mod("F%06d", np.arange(1, n + 1)).astype(object)

    panel = pd.DataFrame(
        {
            "firm_id": fid[fi],
            "brn": brn[fi],
            "firm_name": names[fi],
            "year": yr,
            "ksic": ksic[fi],
            "region": region[fi],
            "founded": founded[fi].astype(np.int64),
            "firm_age": (yr - founded[fi]).astype(np.int64),
            "ceo_industry_years": col("ceo"),
            "employees": col("emp").astype(np.int64),
            "rnd_staff": col("rnd_staff").astype(np.int64),
            "rnd_org": col("rnd_org").astype(np.int64),
            "certifications": col("cert").astype(np.int64),
            "patents": col("patents").astype(np.int64),
            "ip_filings": col("ip_filings").astype(np.int64),
            "rnd_projects": col("rnd_projects").astype(np.int64),
            "commercialized": col("commercialized").astype(np.int64),
            "revenue": col("revenue"),
            "operating_profit": col("op"),
            "net_income": col("ni"),
            "total_assets": col("assets"),
            "total_equity": col("equity"),
            "rnd_expense": col("rnd_exp"),
            "salaries": col("salaries"),
            "export_revenue": col("export"),
        }
    )
    # missing completely at random: half persistent per firm, half per year
    for c, rate in MISSING_RATES.items():
        persistent = r_miss.random(n)[fi] < rate
        yearly = r_miss.random(fi.size) < rate
        miss = np.where(r_miss.random(fi.size) < 0.5, persistent, yearly)
        vals = panel[c].to_numpy(dtype=float, copy=True)
        vals[miss] = np.nan
        panel[c] = vals
    panel = _set_dtypes(panel)

    truth = pd.DataFrame(
        {
            "firm_id": panel["firm_id"],
            "year": yr,
            **{d: col(d) for d in DOMAINS},
            "capability": col("capability"),
            "capability_level": cap_level[fi],
            "rnd_propensity": r_ind[fi],
            "alive_next_year": alive_next[fi, tt],
            "survives_3y": surv3,
            "revenue_growth_3y": rg3,
            "employment_growth_3y": eg3,
            "high_growth_3y": hg,
            "high_growth_3y_oecd": hg_oecd,
        }
    )
    return panel, truth


def _set_dtypes(panel):
    panel = panel.astype({c: _STR_DTYPE for c in _STR_COLUMNS})
    panel = panel.astype({c: np.int64 for c in _INT_COLUMNS})
    panel = panel.astype({c: np.float64 for c in _MONEY_COLUMNS})
    panel["ceo_industry_years"] = panel["ceo_industry_years"].astype(np.float64)
    # the only integer field with missing values: pandas nullable Int64
    panel["rnd_staff"] = pd.array(panel["rnd_staff"].to_numpy(dtype=float), dtype="Int64")
    return panel[list(PANEL_COLUMNS)]


# ----------------------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------------------


def generate(
    n_firms: int = 5000,
    years: tuple[int, int] = (2014, 2024),
    seed: int = 0,
    *,
    params: GenerativeParams | None = None,
    region_weights: Mapping[str, float] | None = None,
) -> SyntheticPanel:
    """Generate a synthetic firm-year panel and its known truth.

    Parameters
    ----------
    n_firms : int
        Number of distinct firms (incumbents at ``years[0]`` plus entrants founded during
        the panel); the panel has roughly 7-8 rows per firm over 11 years.
    years : (int, int)
        First and last fiscal year, inclusive.
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives identical output.
    params : GenerativeParams, optional
        Model parameters (defaults documented in ``docs/synth.md``).
    region_weights : mapping 시도 -> weight, optional
        Replaces the default 시도 mix (e.g. a Jeju-heavy panel).

    Returns
    -------
    SyntheticPanel
        ``.panel`` (columns :data:`PANEL_COLUMNS`, sorted by firm_id, year) and ``.truth``
        (columns :data:`TRUTH_COLUMNS`, one row per panel row in the same order).
    """
    params = params or GenerativeParams()
    panel, truth = _simulate(n_firms, years, seed, params, region_weights)
    return SyntheticPanel(
        panel=panel,
        truth=truth,
        n_firms=int(n_firms),
        years=(int(years[0]), int(years[1])),
        seed=int(seed),
        params=params,
    )


def generate_panel(
    n_firms: int = 5000, years: tuple[int, int] = (2014, 2024), seed: int = 0
) -> pd.DataFrame:
    """The observed panel only: ``generate(n_firms, years, seed).panel``."""
    return generate(n_firms, years, seed).panel


def generate_truth(
    n_firms: int = 5000, years: tuple[int, int] = (2014, 2024), seed: int = 0
) -> pd.DataFrame:
    """The known truth only: ``generate(n_firms, years, seed).truth``."""
    return generate(n_firms, years, seed).truth


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(df, preserve_index=False)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        pq.write_table(
            table,
            tmp,
            compression="zstd",
            compression_level=3,
            use_dictionary=True,
            write_statistics=True,
            version="2.6",
            data_page_version="1.0",
            row_group_size=1 << 20,
        )
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write(
    out_dir: str | os.PathLike,
    n_firms: int = 5000,
    years: tuple[int, int] = (2014, 2024),
    seed: int = 0,
) -> dict[str, Path]:
    """Write ``panel.parquet`` and ``truth.parquet`` into ``out_dir`` (created if needed).

    Each file is written to a temporary file in the same directory and moved into place
    with ``os.replace``; the bytes depend only on the arguments (and the pyarrow version,
    which Parquet records in its ``created_by`` field).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sp = generate(n_firms, years, seed)
    paths = {"panel": out / "panel.parquet", "truth": out / "truth.parquet"}
    _write_parquet(sp.panel, paths["panel"])
    _write_parquet(sp.truth, paths["truth"])
    return paths


# ----------------------------------------------------------------------------------------
# Applicants for the 2025 calls
# ----------------------------------------------------------------------------------------

#: Calls that :func:`make_applicants` knows. ``targets`` are KSIC code prefixes of the
#: target industries (our assumption for Jeju, whose 2025 list is not public; see
#: shared/reference/program_2025.md).
CALLS = {
    "jeju_2025": {
        "sido": JEJU,
        "label": "2025 시군구연고산업육성사업 (제주)",
        # food, beverages, cosmetics, bio (pharma incl. 한의약품, natural-science R&D),
        # tourism-related (accommodation, travel agencies and travel support)
        "targets": ("10", "11", "20423", "21", "7011", "55", "752"),
        "region_weights": {
            JEJU: 0.82,
            SEOUL: 0.06,
            SEJONG: 0.05,
            GYEONGGI: 0.04,
            "부산광역시": 0.03,
        },
        "other_call_sido": SEJONG,
    },
    "sejong_2025": {
        "sido": SEJONG,
        "label": "2025 시군구연고산업육성사업 (세종, 식품·푸드테크)",
        # food, beverages, food-processing machinery, food-related R&D
        "targets": ("10", "11", "29250", "70111", "70112"),
        "region_weights": {
            SEJONG: 0.82,
            SEOUL: 0.06,
            JEJU: 0.05,
            GYEONGGI: 0.04,
            "대전광역시": 0.03,
        },
        "other_call_sido": JEJU,
    },
}

_ROADS = {
    "제주특별자치도 제주시": ("첨단로", "연삼로", "노형로", "연북로", "도령로", "서광로", "동광로",
                       "애조로", "1100로", "번영로", "중앙로", "관덕로", "신대로", "오라로",
                       "한림읍 한림로", "애월읍 애월로", "조천읍 남조로", "구좌읍 일주동로",
                       "한경면 일주서로"),
    "제주특별자치도 서귀포시": ("중앙로", "중문관광로", "516로", "태평로", "일주동로", "일주서로",
                        "신중로", "서호중앙로", "성산읍 일출로", "남원읍 태위로",
                        "표선면 표선동서로", "안덕면 화순로", "대정읍 하모로"),
    "세종특별자치시": ("한누리대로", "도움6로", "갈매로", "보듬3로", "나성북1로", "가름로", "절재로",
                "조치원읍 새내로", "연서면 봉암로", "전의면 산단길", "부강면 부강외천로",
                "소정면 소정리길"),
    "서울특별시 중구": ("세종대로",),
    "서울특별시 종로구": ("세종대로",),
}  # fmt: skip
_GENERIC_ROADS = ("중앙로", "산업로", "공단로", "테크노로", "벤처로", "대학로")


def _addresses(rng, regions):
    regions = np.asarray(regions, dtype=object)
    out = np.empty(regions.size, dtype=object)
    for reg in pd.unique(regions):  # loop over distinct regions, not rows
        idx = np.flatnonzero(regions == reg)
        roads = _pick(rng, _ROADS.get(reg, _GENERIC_ROADS), idx.size)
        num = rng.integers(1, 400, idx.size)
        out[idx] = np.array([f"{reg} {r} {k}" for r, k in zip(roads, num)], dtype=object)
    return out


def _target_mask(ksic, targets):
    ks = pd.Series(ksic, dtype=object)
    m = np.zeros(len(ks), bool)
    for pre in targets:
        m |= ks.str.startswith(pre).to_numpy()
    return m


def make_applicants(
    call: str = "jeju_2025",
    n: int = 150,
    seed: int = 2025,
    *,
    with_truth: bool = False,
):
    """A realistic applicants file for a 2025 call (figures of fiscal 2024, one row per firm).

    Most rows are synthetic firms of the call's region in its target industries (see
    :data:`CALLS`), taken from a region-heavy panel generated for the purpose (2017-2027;
    its 2024 rows are the applicants' figures, 2025-2027 is their future). About 12 % of the
    rows are cases a careful officer screens out; ``_synthetic_note`` says why
    (``"screen-out: ..."``). Rows whose request exceeds the 50,000 천원 cap are noted
    ``"check: ..."`` (trim, not exclude). Clean rows have an empty note.

    Columns: :data:`PANEL_COLUMNS` then :data:`APPLICANT_EXTRA_COLUMNS`. ``region`` holds the
    "시도 시군구" prefix of ``address``.

    With ``with_truth=True`` returns ``(applicants, SyntheticPanel)`` where the panel and
    truth are the internal panel restricted to the applicants' firms (all years
    2017-2027; the applicant rows of screen-out cases are edited copies, see the notes).
    """
    if call not in CALLS:
        raise ValueError(f"call must be one of {sorted(CALLS)}, got {call!r}")
    if n < 20:
        raise ValueError(f"n must be >= 20 so that every screen-out case fits, got {n!r}")
    spec = CALLS[call]
    years = (2017, 2027)
    root = np.random.default_rng(seed)
    r_panel, r_pick, r_edit = root.spawn(3)
    params = GenerativeParams()
    n_internal = 12 * n + 600
    panel, truth = _simulate(
        n_internal, years, int(r_panel.integers(2**63)), params, spec["region_weights"]
    )
    cur = panel[panel["year"] == 2024].reset_index(drop=True)
    sido = cur["region"].str.split(" ").str[0].to_numpy(dtype=object)
    ksic = cur["ksic"].to_numpy(dtype=object)
    in_target = _target_mask(ksic, spec["targets"])
    home = sido == spec["sido"]
    # every row fails only for its documented reason, so none may be too big to be an SME:
    # revenue within 400억 (4e7 천원, the lowest 2025 SME ceiling, I55/I56); unknown revenue
    # only for firms under 50 employees
    rev = cur["revenue"].to_numpy(dtype=float)
    small_enough = np.where(np.isnan(rev), cur["employees"].to_numpy() < 50, rev <= 4e7)
    home &= small_enough

    counts = {
        "outside_seoul": max(1, round(0.02 * n)),
        "not_sme": max(1, round(0.013 * n)),
        "industry": max(1, round(0.027 * n)),
        "no_loi": max(1, round(0.027 * n)),
        "other_call": max(1, round(0.02 * n)),
        "branch": max(1, round(0.013 * n)),
    }
    n_clean = n - sum(counts.values())
    used = np.zeros(len(cur), bool)

    def take(mask, k, what, prefer=None):
        """k rows of ``mask`` not used yet, from ``mask & prefer`` first."""
        idx = np.flatnonzero(mask & ~used)
        if prefer is not None:
            first = np.flatnonzero(mask & prefer & ~used)
            if first.size >= k:
                idx = first
        if idx.size < k:
            raise RuntimeError(f"not enough synthetic firms for {what!r} ({idx.size} < {k})")
        sel = np.sort(r_pick.choice(idx, size=k, replace=False))
        used[sel] = True
        return sel

    eligible_home = home & in_target
    elsewhere = small_enough & (sido != spec["sido"]) & (sido != spec["other_call_sido"])
    groups = {
        "clean": take(eligible_home, n_clean, "clean"),
        "not_sme": take(
            eligible_home & cur["revenue"].notna().to_numpy(), counts["not_sme"], "not_sme"
        ),
        "no_loi": take(eligible_home, counts["no_loi"], "no_loi"),
        "branch": take(eligible_home, counts["branch"], "branch"),
        "industry": take(home & ~in_target, counts["industry"], "industry"),
        # a target-industry firm from outside both calls' regions (Seoul if there are enough),
        # placed at a Seoul 세종대로 address
        "outside_seoul": take(
            elsewhere & in_target, counts["outside_seoul"], "outside_seoul", sido == SEOUL
        ),
        "other_call": take(
            small_enough & (sido == spec["other_call_sido"]) & in_target,
            counts["other_call"],
            "other_call",
        ),
    }
    order = np.concatenate(list(groups.values()))
    kind = np.concatenate([np.full(len(v), k, dtype=object) for k, v in groups.items()])
    app = cur.iloc[order].reset_index(drop=True)
    note = np.full(len(app), "", dtype=object)
    region = app["region"].to_numpy(dtype=object).copy()

    # outside region: a firm at a Seoul 세종대로 address (a trap for "contains 세종")
    m = kind == "outside_seoul"
    region[m] = _pick(r_edit, ("서울특별시 중구", "서울특별시 종로구"), int(m.sum()))
    moved = dict(zip(app.loc[m, "firm_id"], region[m]))
    note[m] = "screen-out: outside region (Seoul 세종대로 address)"
    m = kind == "other_call"
    note[m] = (
        "screen-out: Sejong address applying to Jeju call"
        if spec["sido"] == JEJU
        else "screen-out: Jeju address applying to Sejong call"
    )
    m = kind == "industry"
    note[m] = [f"screen-out: industry outside the targets (KSIC {k})" for k in app.loc[m, "ksic"]]
    m = kind == "no_loi"
    note[m] = "screen-out: no letter of intent"
    # not an SME: scale the firm up to 1,600-2,400억 revenue (above every 2025 ceiling)
    m = np.flatnonzero(kind == "not_sme")
    rev_old = app.loc[m, "revenue"].to_numpy(dtype=float)
    rev_new = np.round(r_edit.uniform(1.6e8, 2.4e8, m.size))
    emp_old = app.loc[m, "employees"].to_numpy().clip(1)
    emp_new = np.round(rev_new / r_edit.uniform(3.0e5, 4.5e5, m.size)).astype(np.int64)
    for c in ("operating_profit", "net_income", "total_assets", "total_equity", "export_revenue"):
        app.loc[m, c] = np.round(app.loc[m, c].to_numpy(dtype=float) * rev_new / rev_old)
    for c in ("salaries", "rnd_expense"):
        app.loc[m, c] = np.round(app.loc[m, c].to_numpy(dtype=float) * emp_new / emp_old)
    app.loc[m, "revenue"] = rev_new
    app.loc[m, "employees"] = emp_new
    staff = app.loc[m, "rnd_staff"].to_numpy(dtype=float, na_value=np.nan)
    app.loc[m, "rnd_staff"] = pd.array(np.round(staff * emp_new / emp_old), dtype="Int64")
    note[m] = "screen-out: not an SME (revenue above the ceiling; no SME certificate)"
    # branch office: BRN type 85, head office in Seoul
    m = np.flatnonzero(kind == "branch")
    taken = set(panel["brn"].unique())
    new_brn = []
    while len(new_brn) < m.size:
        b = make_brn(int(r_edit.integers(101, 1000)), 85, int(r_edit.integers(1, 10000)))
        if b not in taken:
            taken.add(b)
            new_brn.append(b)
    app.loc[m, "brn"] = new_brn
    note[m] = "screen-out: branch office (BRN type 85) with head office in Seoul"

    app["region"] = pd.array(region, dtype=_STR_DTYPE)
    app["address"] = pd.array(_addresses(r_edit, region), dtype=_STR_DTYPE)
    app["letter_of_intent"] = pd.array(np.where(kind == "no_loi", "N", "Y"), dtype=_STR_DTYPE)
    app["sme_confirmed"] = pd.array(np.where(kind == "not_sme", "N", "Y"), dtype=_STR_DTYPE)
    req = r_edit.integers(20, 51, len(app)) * 1000.0
    req = np.where(r_edit.random(len(app)) < 0.3, 50_000.0, req)
    over = r_edit.random(len(app)) < 0.05
    req = np.where(over, r_edit.integers(52, 81, len(app)) * 1000.0, req)
    note = np.where(
        over & (note == ""), "check: requested above the 50,000 천원 cap (trim to the cap)", note
    )
    app["requested"] = req
    app["_synthetic_note"] = pd.array(note, dtype=_STR_DTYPE)
    # application order: shuffled (as received)
    app = app.iloc[r_edit.permutation(len(app))].reset_index(drop=True)
    app = app[list(PANEL_COLUMNS) + list(APPLICANT_EXTRA_COLUMNS)]
    if not with_truth:
        return app
    panel = panel[panel["firm_id"].isin(app["firm_id"]).to_numpy()].reset_index(drop=True)
    truth = truth[truth["firm_id"].isin(app["firm_id"]).to_numpy()].reset_index(drop=True)
    relocated = panel["firm_id"].map(moved)
    panel["region"] = panel["region"].where(relocated.isna(), relocated)
    sp = SyntheticPanel(
        panel=panel,
        truth=truth,
        n_firms=int(n_internal),
        years=years,
        seed=int(seed),
        params=params,
    )
    return app, sp
