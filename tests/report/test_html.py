"""Tests of ktop_index.report.html and `ktop report`: self-contained HTML of a selection round and
of a firm's report card, from hand-made inputs of the agreed shapes (interfaces.md)."""

from __future__ import annotations

import base64
import html
import json
import re
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ktop_index.cli import main
from ktop_index.data.io import write_table
from ktop_index.errors import DataError, InputError, UsageError
from ktop_index.index.spec import indicator_labels_ko
from ktop_index.index.techindex import TechIndex, identity_labels_ko, score_firms
from ktop_index.labels import SELECTION_COLUMNS_KO, STATUS_KO, localise_reasons, localise_scores
from ktop_index.report.html import domain_gains, indicator_gains, report_firm, report_selection

ROOT = Path(__file__).resolve().parents[2]
APPLICANTS = ROOT / "data" / "jeju_2025_applicants.csv"
AUDIT = {"call": "jeju_2025", "call_file_sha256": "ab" * 32, "input_sha256": "cd" * 32,
         "model_version": "ktop-tech-index 1.0.0", "package_version": "0.1.0",
         "created": "2026-01-01T00:00:00+00:00", "seed": 7,
         "counts": {"applicants": 150, "selected": 20}}


def write_round(selection_table, folder: Path, table: pd.DataFrame | None = None, audit: dict | None = None):
    """A `ktop select` output folder of the agreed shape."""
    folder.mkdir(parents=True, exist_ok=True)
    write_table(selection_table() if table is None else table, folder / "selection.csv")
    (folder / "audit.json").write_text(json.dumps(audit or AUDIT), encoding="utf-8")
    return folder


def assert_self_contained(text: str) -> None:
    """No network reference of any kind; every image is an embedded PNG."""
    # base64 image data may spell "http" by chance: look at the text around it only
    assert "http" not in re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]*", "", text).lower()
    assert "<script" not in text and "<link" not in text and "url(" not in text
    sources = re.findall(r'src="([^"]*)"', text)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    for source in sources:
        assert base64.b64decode(source.split(",", 1)[1]).startswith(b"\x89PNG")


# ---------------------------------------------------------------------------- selection report

def test_selection_report_is_self_contained_with_pictures(selection_table, tmp_path):
    """The report embeds its pictures as PNG data and references nothing outside."""
    path = report_selection(write_round(selection_table, tmp_path / "round"), generated_at="pinned")
    assert path == tmp_path / "round" / "report.html"
    text = path.read_text(encoding="utf-8")
    assert_self_contained(text)
    assert len(re.findall(r"<img ", text)) == 2


def test_selection_report_counts_and_call(selection_table, tmp_path):
    """The call name, the counts per status and the selected total support are shown."""
    table = selection_table(n_selected=20, n_waitlist=8, n_ineligible=12)
    text = report_selection(write_round(selection_table, tmp_path, table), generated_at="x").read_text("utf-8")
    assert "Selection report: jeju_2025" in text
    for label, n in (("applicants", 150), ("eligible", 138), ("selected", 20),
                     ("waitlist", 8), ("not selected", 110), ("ineligible", 12)):
        assert f'<td>{label}</td><td class="n">{n}</td>' in text
    support = table.loc[table["status"] == "selected", "support"].sum()
    assert f'<td class="n">{support:,.0f}</td>' in text


def test_selection_report_ranked_table_and_findings(selection_table, tmp_path):
    """Ranked rows appear in rank order with their interval; fragile selections are listed."""
    table = selection_table()
    text = report_selection(write_round(selection_table, tmp_path, table), generated_at="x").read_text("utf-8")
    ranked = table[table["rank"].notna()].sort_values("rank")
    positions = [text.index(f"<td>{n}</td>") for n in ranked["firm_name"].head(10)]
    assert positions == sorted(positions)
    first = ranked.iloc[0]
    assert f"<td>{first['rank_low']:.0f}–{first['rank_high']:.0f}</td>" in text
    fragile = table[(table["status"] == "selected") & (table["rank_high"] > 20)]
    assert len(fragile) > 0
    for name in fragile["firm_name"]:
        assert f"{name} (" in text
    assert "tax arrears; not an SME" in text  # the ineligible reasons
    assert "<tr><td>robustness seed</td><td>7</td></tr>" in text  # the audit record, as a table


def test_selection_report_in_korean_from_korean_headers(selection_table, tmp_path):
    """A Korean selection.csv (ktop select --lang ko) gives a Korean report (lang="ko")."""
    table = selection_table().rename(columns=SELECTION_COLUMNS_KO)
    table["선정결과"] = table["선정결과"].map(STATUS_KO)
    path = report_selection(write_round(selection_table, tmp_path, table), lang="ko", generated_at="x")
    text = path.read_text(encoding="utf-8")
    assert path.name == "report_ko.html" and '<html lang="ko">' in text
    assert "선정 결과 보고서: jeju_2025" in text
    assert '<td>선정</td><td class="n">20</td>' in text
    assert "국세 체납; 중소기업 아님" in text
    assert_self_contained(text)


def test_selection_report_is_reproducible_and_escapes_names(selection_table, tmp_path):
    """Same inputs and pinned time give identical bytes; firm names are HTML-escaped."""
    table = selection_table()
    table.loc[0, "firm_name"] = "<b>(주)꺾쇠&Co</b>"
    folder = write_round(selection_table, tmp_path, table)
    first = report_selection(folder, output=tmp_path / "a.html", generated_at="t").read_bytes()
    second = report_selection(folder, output=tmp_path / "b.html", generated_at="t").read_bytes()
    assert first == second
    assert b"&lt;b&gt;(\xec\xa3\xbc)" in first and b"<b>(" not in first


def test_selection_report_bad_folder_messages(selection_table, tmp_path):
    """A missing audit or a missing column is a one-line error naming the file."""
    folder = write_round(selection_table, tmp_path / "r")
    (folder / "audit.json").unlink()
    with pytest.raises(InputError, match=r"audit\.json: no such file"):
        report_selection(folder)
    broken = write_round(selection_table, tmp_path / "s", selection_table().drop(columns=["status"]))
    with pytest.raises(DataError, match=r"selection\.csv: missing column\(s\) status"):
        report_selection(broken)
    odd = selection_table()
    odd.loc[0, "status"] = "chosen"
    with pytest.raises(DataError, match=r"column status: unknown value\(s\) chosen"):
        report_selection(write_round(selection_table, tmp_path / "t", odd))
    with pytest.raises(UsageError, match="lang must be 'en' or 'ko', got 'fr'"):
        report_selection(folder, lang="fr")


def test_selection_report_is_written_as_an_ordinary_file(selection_table, tmp_path):
    """The report file gets an ordinary file's permissions (0666 less the umask), not a
    temporary file's 0600, and no temporary file is left beside it."""
    import os

    folder = write_round(selection_table, tmp_path / "r")
    mask = os.umask(0o022)
    try:
        path = report_selection(folder, generated_at="t")
    finally:
        os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in folder.iterdir()) == ["audit.json", "report.html",
                                                        "selection.csv"]


def test_selection_report_on_a_real_select_output(jeju_firms, tmp_path):
    """The report reads what the selection module writes (Korean headers) and its counts
    agree with the audit record."""
    from ktop_index.report.outputs import write_selection
    from ktop_index.selection import decide as selection
    result = selection.select(jeju_firms(), "jeju_2025", variants=50, created="2026-01-01")
    write_selection(result, tmp_path, lang="ko")
    text = report_selection(tmp_path, lang="ko", generated_at="x").read_text("utf-8")
    assert_self_contained(text)
    for status, n in result.audit["counts"].items():
        assert f'<td>{STATUS_KO[status]}</td><td class="n">{n}</td>' in text
    first = result.table.sort_values("rank").iloc[0]
    assert f"<td>{first['rank_low']:.0f}–{first['rank_high']:.0f}</td>" in text


# ---------------------------------------------------------------------------- firm report card

def test_firm_report_from_applicants_file(jeju_scores, tmp_path):
    """The card shows the firm's index, grade, domains, reasons and improvement table."""
    scores = jeju_scores()
    row = scores.iloc[2]
    path = report_firm(row["brn"].replace("-", ""), APPLICANTS, output=tmp_path / "f.html",
                       generated_at="x")
    text = path.read_text(encoding="utf-8")
    assert_self_contained(text)
    assert f"Report card: {row['firm_name']}" in text
    assert f'<td class="n">{row["tech_index"]:.2f}</td>' in text
    assert f"<td>{row['grade']}</td>" in text
    assert f"<li>{row['strength_1']}</li>" in text.replace("&amp;", "&")
    assert "What would raise the index most" in text and "index gain (points)" in text


def test_firm_report_in_korean_from_firm_data(jeju_firms, jeju_scores, tmp_path):
    """With lang='ko' the card is Korean, reasons included, from a firm data file."""
    model = TechIndex.load()
    reasons = localise_reasons(model.transform(jeju_firms()), "ko",
                               indicator_labels_ko(model.spec_))
    path = report_firm(jeju_scores()["brn"].iloc[4], APPLICANTS, output=tmp_path / "f.html",
                       lang="ko", generated_at="x")
    text = path.read_text(encoding="utf-8")
    assert '<html lang="ko">' in text and "기업 진단표" in text
    assert f"<li>{_escape(reasons['weakness_1'].iloc[4])}</li>" in text
    assert "지수를 가장 많이 올릴 수 있는 지표" in text


def _escape(value) -> str:
    import html
    return html.escape(str(value), quote=True)


def test_rescoring_the_unchanged_firm_gives_its_index(jeju_firms):
    """The improvement analysis re-scores through the model's own steps: unchanged scores
    give back the firm's Tech-Index."""
    from ktop_index.index.explain import rescore
    model = TechIndex.load()
    firms = jeju_firms()
    scores = model.transform(firms)
    parts = model.components(firms)
    for k in range(0, 150, 15):
        if np.isfinite(scores["tech_index"].iloc[k]):
            assert rescore(model, parts["scores"][k]) == pytest.approx(
                scores["tech_index"].iloc[k], abs=1e-9)


def test_indicator_gain_matches_hand_computation():
    """Gain = sd/composite_sd x domain share x indicator share x score change, for the
    arithmetic means of the spec (every indicator of the firm's domain present)."""
    model = TechIndex.load()
    assert model.spec_["aggregation"] == {"within_domain": "amean", "across_domains": "amean"}
    panel = pd.read_parquet(ROOT / "data" / "sample_panel.parquet")
    panel = panel[panel["firm_id"].isin(panel["firm_id"].unique()[:60])]
    latest = panel[panel["year"] == 2024]
    complete = ~np.isnan(model.components(panel)["scores"][(panel["year"] == 2024).to_numpy()])
    firm_id = latest["firm_id"].to_numpy()[complete.all(axis=1)][0]
    firm = panel[panel["firm_id"] == firm_id]
    gains = indicator_gains(model, firm)
    specs = {s["name"]: s for s in model.spec_["indicators"]}
    current = dict(zip(specs, model.components(firm)["scores"][-1]))
    # every weighted indicator not already at the top (100) can be raised
    assert len(gains) == sum(s["weight"] > 0 and current[n] < 100 for n, s in specs.items())
    domain_weight = {d["name"]: d["weight"] for d in model.spec_["domains"]}
    total = sum(domain_weight.values())
    for row in gains.itertuples():
        members = [s["weight"] for s in specs.values() if s["domain"] == row.domain]
        share = specs[row.indicator]["weight"] / sum(members)
        expected = (model.spec_["scale"]["sd"] / model.composite_sd_
                    * domain_weight[row.domain] / total * share * (row.target - row.current))
        assert row.gain == pytest.approx(expected, rel=1e-9)
    assert (gains["gain"].diff().dropna() <= 1e-12).all()  # largest first


def test_indicator_targets_follow_the_peer_median_rule(jeju_firms):
    """Below the peers' median the target is the median; at or above, 10 points more."""
    model = TechIndex.load()
    gains = indicator_gains(model, jeju_firms().iloc[[5]])
    below = gains["current"] < gains["peer_median"]
    assert np.allclose(gains.loc[below, "target"], gains.loc[below, "peer_median"])
    above = gains["current"] >= gains["peer_median"]
    expected = np.minimum(gains.loc[above, "current"] + 10, 100)
    assert np.allclose(gains.loc[above, "target"], expected)
    assert (gains["gain"] > 0).all()


def test_domain_gains_from_a_scored_row(jeju_scores):
    """From scores alone each domain +10 gains sd/composite_sd x weight share x 10 points."""
    model = TechIndex.load()
    row = jeju_scores().iloc[0]
    gains = domain_gains(model, row).set_index("domain")
    weights = {d["name"]: d["weight"] for d in model.spec_["domains"]}
    total = sum(weights.values())
    for domain, gain in gains.iterrows():
        expected = (model.spec_["scale"]["sd"] / model.composite_sd_ * weights[domain] / total
                    * (gain["target"] - gain["current"]))
        assert gain["gain"] == pytest.approx(expected, rel=1e-9)
    assert len(gains) == sum(row[d] < 100 for d in weights)


def test_firm_report_from_korean_scored_file_has_trajectory(tmp_path):
    """A `ktop score --lang ko` file with several years gives the trajectory picture."""
    panel = pd.read_parquet(ROOT / "data" / "sample_panel.parquet")
    firm_ids = panel["firm_id"].unique()[:40]
    scored = localise_scores(score_firms(panel[panel["firm_id"].isin(firm_ids)]), "ko",
                             indicator_labels_ko(TechIndex.load().spec_), identity_labels_ko())
    write_table(scored, tmp_path / "scores.csv")
    brn = panel.loc[panel["firm_id"] == firm_ids[0], "brn"].iloc[0]
    text = report_firm(brn, tmp_path / "scores.csv", output=tmp_path / "f.html", lang="ko",
                       generated_at="x").read_text(encoding="utf-8")
    assert_self_contained(text)
    assert "연도별 추이" in text and "<td>2018</td>" in text
    assert "각 영역을 10점씩" in text  # domain-level improvement from scores alone


def test_korean_firm_report_from_english_scores_names_reasons_in_korean(jeju_firms, tmp_path):
    """A Korean report card from an English `ktop score` file lists the strengths and
    weaknesses under the indicators' Korean labels, not the file's English ones."""
    scored = score_firms(jeju_firms())
    write_table(scored, tmp_path / "scores.csv")
    row = scored[scored["strength_1"].astype("str") != ""].iloc[0]
    text = report_firm(row["brn"], tmp_path / "scores.csv", output=tmp_path / "f.html",
                       lang="ko", generated_at="x").read_text(encoding="utf-8")
    specs = {s["label"]: s["label_ko"] for s in TechIndex.load().spec_["indicators"]}
    reasons = text[text.index("평가 근거"):text.index("연도별 추이")]
    assert f"<li>{specs[row['strength_1']]}</li>" in reasons.replace("&amp;", "&")
    assert f"<li>{row['strength_1']}</li>" not in reasons.replace("&amp;", "&")


def test_firm_report_trajectory_from_tracking_store(jeju_scores, tmp_path, monkeypatch):
    """With --db the trajectory comes from ktop_index.tracking.history.firm_trajectory
    (agreed shape)."""
    calls = []

    def firm_trajectory(brn, db):
        calls.append((brn, db))
        return pd.DataFrame({"year": [2022, 2023, 2024], "tech_index": [96.0, 99.5, 103.2],
                             "grade": ["BB", "BB", "BBB"], "infrastructure": [40, 42, 45],
                             "input": [30, 33, 35], "activity": [20, 25, 30],
                             "outcome": [35, 36, 40], "composite": [31, 34, 37]})
    monkeypatch.setitem(sys.modules, "ktop_index.tracking.history",
                        types.SimpleNamespace(firm_trajectory=firm_trajectory))
    brn = jeju_scores()["brn"].iloc[0]
    text = report_firm(brn, APPLICANTS, db=tmp_path / "t.db", output=tmp_path / "f.html",
                       generated_at="x").read_text(encoding="utf-8")
    assert calls == [(brn, tmp_path / "t.db")]
    assert "<td>2022</td>" in text and '<td class="n">103.2</td>' in text


def test_firm_report_trajectory_from_the_real_store(tmp_path):
    """With the tracking module present, a store built by it feeds the card's trajectory."""
    from ktop_index.tracking import history, ingest
    panel = pd.read_parquet(ROOT / "data" / "sample_panel.parquet")
    sample = panel[panel["firm_id"].isin(panel["firm_id"].unique()[:20])]
    sample.to_parquet(tmp_path / "p.parquet")
    ingest.import_path(tmp_path / "p.parquet", db=tmp_path / "h.sqlite")
    brn = sample["brn"].iloc[0]
    expected = history.firm_trajectory(brn, db=tmp_path / "h.sqlite")
    text = report_firm(brn, tmp_path / "p.parquet", db=tmp_path / "h.sqlite",
                       output=tmp_path / "f.html", generated_at="x").read_text("utf-8")
    last = expected.sort_values("year").iloc[-1]
    assert f"<td>{int(last['year'])}</td>" in text
    assert f'<td class="n">{last["tech_index"]:.1f}</td>' in text


def test_firm_report_is_reproducible(jeju_scores, tmp_path):
    """The same firm, file and pinned time give byte-identical cards."""
    brn = jeju_scores()["brn"].iloc[7]
    first = report_firm(brn, APPLICANTS, output=tmp_path / "a.html", generated_at="t")
    second = report_firm(brn, APPLICANTS, output=tmp_path / "b.html", generated_at="t")
    assert first.read_bytes() == second.read_bytes()


def test_firm_report_unknown_brn(tmp_path):
    """A BRN not in the file is a clear error."""
    with pytest.raises(DataError, match="no firm with BRN 123-45-67890"):
        report_firm("1234567890", APPLICANTS, output=tmp_path / "f.html")


# ---------------------------------------------------------------------------- CLI

def test_cli_report_selection(selection_table, tmp_path, capsys):
    """`ktop report selection OUTDIR --lang ko` writes report_ko.html and says where."""
    folder = write_round(selection_table, tmp_path / "round")
    assert main(["report", "selection", str(folder), "--lang", "ko"]) == 0
    assert (folder / "report_ko.html").exists()
    assert "report_ko.html" in capsys.readouterr().out


def test_cli_report_firm(jeju_scores, tmp_path, capsys):
    """`ktop report firm BRN --scores FILE -o FILE.html` writes the card."""
    brn = jeju_scores()["brn"].iloc[3]
    out = tmp_path / "card.html"
    assert main(["report", "firm", brn, "--scores", str(APPLICANTS), "-o", str(out)]) == 0
    assert out.exists() and "card.html" in capsys.readouterr().out


def test_cli_report_errors_are_one_line(tmp_path, capsys):
    """A missing folder and an unknown BRN exit 1, one line each, no traceback."""
    assert main(["report", "selection", str(tmp_path / "nope")]) == 1
    err = capsys.readouterr().err
    assert "no such folder" in err and "Traceback" not in err
    assert main(["report", "firm", "1234567890", "--scores", str(APPLICANTS),
                 "-o", str(tmp_path / "x.html")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no firm with BRN" in err


# ---------------------------------------------------------------------------- masked reports

def test_a_masked_selection_report_names_no_number_and_says_so(jeju_firms, tmp_path):
    """--mask: the committee's folder gives report_masked.html beside report.html, with no
    applicant's business number, a note in the report's language, and the masking in the
    audit shown; the ranked table keeps its order."""
    from ktop_index.labels import PRIVACY_TEXT
    from ktop_index.report.outputs import write_selection
    from ktop_index.selection import decide as selection

    result = selection.select(jeju_firms(), "jeju_2025", variants=20, created="2026-01-01")
    write_selection(result, tmp_path, lang="en")
    plain = report_selection(tmp_path, generated_at="x").read_text("utf-8")
    for lang in ("en", "ko"):
        path = report_selection(tmp_path, lang=lang, generated_at="x", mask=True)
        assert path.name == ("report_masked_ko.html" if lang == "ko" else "report_masked.html")
        text = path.read_text("utf-8")
        assert not [b for b in result.table["brn"] if b in text]
        assert html.escape(PRIVACY_TEXT["masked"][lang == "ko"]) in text
        assert f"<td>{'마스킹 사본' if lang == 'ko' else 'masked copy'}</td><td>columns: " in text
    names = result.table.sort_values("rank")["firm_name"].head(10).tolist()
    masked = report_selection(tmp_path, generated_at="x", mask=True).read_text("utf-8")
    assert [masked.index(html.escape(n)) for n in names] == sorted(
        masked.index(html.escape(n)) for n in names)
    assert any(b in plain for b in result.table["brn"])  # the committee's own is not masked


def test_a_masked_firm_card_hides_the_number_and_needs_a_file_name(jeju_scores, tmp_path):
    """The card shows 124-81-***** instead of the number, anywhere in the page; without -o
    it is refused (the default name holds the number)."""
    row = jeju_scores().iloc[2]
    text = report_firm(row["brn"], APPLICANTS, output=tmp_path / "f.html", generated_at="x",
                       mask=True).read_text("utf-8")
    assert row["brn"] not in text and row["brn"].replace("-", "") not in text
    assert f"<td>{row['brn'][:7]}*****</td>" in text
    with pytest.raises(UsageError, match="needs -o FILE.html"):
        report_firm(row["brn"], APPLICANTS, mask=True)


# ---------------------------------------------------------------------------- what a committee reads

@pytest.fixture(scope="module")
def jeju_round(tmp_path_factory):
    """The bundled Jeju run written as `ktop select` writes it, created pinned."""
    from ktop_index.report.outputs import write_selection
    from ktop_index.selection.decide import select_file

    folder = tmp_path_factory.mktemp("jeju") / "round"
    result = select_file(ROOT / "data" / "jeju_2025_applicants.xlsx", "jeju_2025",
                         variants=20, created="2025-03-01T00:00:00Z")
    write_selection(result, folder, lang="ko")
    return folder, result


def test_report_explains_the_score_money_and_cut(jeju_round, tmp_path):
    """The Jeju report (both languages) has the call's title, KST times, the money split and
    what is left, where funding stopped, the score formula with a worked example whose
    numbers are the top firm's, and NR explained."""
    folder, result = jeju_round
    table = result.table
    top = table.iloc[0]
    for lang in ("ko", "en"):
        text = html.unescape(report_selection(folder, lang=lang, output=tmp_path / f"{lang}.html",
                                              generated_at="2025-03-01T00:00:00Z",
                                              applicants=ROOT / "data" / "jeju_2025_applicants.xlsx")
                             .read_text("utf-8"))
        ko = lang == "ko"
        assert ("선정 결과 보고서: 2025 시군구연고산업육성사업 (제주)" if ko
                else "Selection report: 2025 시군구연고산업육성사업 (제주)") in text
        assert "2025-03-01 09:00 KST" in text and "+00:00" not in text
        money = "잔액 (천원)</td><td class=\"n\">8,000" if ko else \
            "left of the budget (잔액, 천원)</td><td class=\"n\">8,000"
        assert money in text
        assert ("국비 (천원)</td><td class=\"n\">414,400" if ko else "414,400") in text
        assert ("15위 중문민박 (579-38-84421)부터 지원하지 못했습니다: 잔액 8,000천원 < 지원 필요액 "
                "50,000천원" if ko else "rank 15 중문민박 (579-38-84421) is the first firm not "
                "funded: 8,000 천원 left < its support 50,000 천원") in text
        assert (f"= {top['selection_score']:.2f} (표의 선정점수 {top['selection_score']:.2f}" if ko
                else f"(the table: {top['selection_score']:.2f}") in text
        assert ("선정점수(0-100) = 1.00 × 지수 점수 + 0.00 × 발표평가 점수 + 가점" if ko
                else "selection score (0-100) = 1.00 × index points") in text
        assert ("공고의 가중치: 지수 0.3, 발표평가 0.7" if ko else "index 0.3, committee 0.7") in text
        assert ("등급 NR(등급 외)" if ko else "grade NR (not rated)") in text
        assert ("발표평가 점수 없음: 기업혁신역량지수만으로 순위 산정" if ko
                else "no committee scores: ranked by the Tech-Index alone") in text


def test_ranked_table_has_domains_strengths_and_why_nothing(jeju_round, tmp_path):
    """The ranked table shows the domain scores and strengths of each firm, and for the
    first reserve firm why it got nothing; the empty committee column is left out."""
    from ktop_index.report.reading import firm_details

    folder, result = jeju_round
    applicants = ROOT / "data" / "jeju_2025_applicants.xlsx"
    text = report_selection(folder, lang="ko", output=tmp_path / "r.html", generated_at="x",
                            applicants=applicants).read_text("utf-8")
    ranked = text[text.index("<h2>순위표</h2>"):text.index("<h2>부적격 신청기업</h2>")]
    header = ranked[ranked.index("<tr>"):ranked.index("</tr>")]
    for label in ("인프라", "투입", "활동", "성과", "강점 (업종 대비)", "비고 / 미지원 사유"):
        assert f"<th>{label}</th>" in header
    assert "<th>발표평가 점수</th>" not in header
    top = result.table.iloc[0]
    strengths = firm_details(applicants, result.audit, TechIndex.load(), "ko").loc[
        top["brn"], "strengths"]
    assert strengths and html.escape(strengths) in ranked
    row = ranked[ranked.index("<td>중문민박</td>"):]
    row = row[:row.index("</tr>")]
    assert "예비 1순위" in row and "잔액 8,000천원 &lt; 지원 필요액 50,000천원" in row
    assert f'<td class="n">{top["infrastructure"]:.1f}</td>' in ranked


def test_audit_is_a_readable_table(jeju_round, tmp_path):
    """The audit is a table of Korean labels; a hash shows 12 characters and keeps the full
    value in the title; audit.json itself is unchanged by the report."""
    folder, result = jeju_round
    before = (folder / "audit.json").read_bytes()
    text = report_selection(folder, lang="ko", output=tmp_path / "r.html",
                            generated_at="x").read_text("utf-8")
    sha = result.audit["model_sha256"]
    assert f'<tr><td>모형 해시(sha256)</td><td title="{sha}">{sha[:12]}…</td></tr>' in text
    assert '<tr><td>선정 방식</td><td title="rank">순위순</td></tr>' in text  # the word, the value kept
    assert "<pre>" not in text and "&quot;call_file_sha256&quot;" not in text
    assert (folder / "audit.json").read_bytes() == before


def test_jeju_report_is_reproducible_and_self_contained(jeju_round, tmp_path):
    """Same folder, same pinned time: identical bytes; nothing outside the file."""
    folder, _ = jeju_round
    applicants = ROOT / "data" / "jeju_2025_applicants.xlsx"
    a = report_selection(folder, lang="ko", output=tmp_path / "a.html", generated_at="t",
                         applicants=applicants).read_bytes()
    b = report_selection(folder, lang="ko", output=tmp_path / "b.html", generated_at="t",
                         applicants=applicants).read_bytes()
    assert a == b
    assert_self_contained(a.decode("utf-8"))


def test_a_masked_report_masks_the_explanations_too(jeju_round, tmp_path):
    """The lines naming firms (where funding stopped) carry masked numbers in a masked copy."""
    folder, result = jeju_round
    text = report_selection(folder, lang="ko", output=tmp_path / "m.html", generated_at="x",
                            mask=True, applicants=ROOT / "data" / "jeju_2025_applicants.xlsx"
                            ).read_text("utf-8")
    assert "579-38-*****" in text
    assert not [b for b in result.table["brn"] if b in text]
