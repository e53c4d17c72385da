"""Checks on the program record data file (no database, no Django).

Facts come from the project fact sheet (program.md); section numbers below refer to it.
"""

from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
import yaml

RECORD = Path(__file__).resolve().parents[3] / "evaluations" / "record" / "program_record.yaml"

DECIMAL_FIELDS = {
    "max_points",
    "value",
    "score",
    "parameters_total_b",
    "parameters_active_b",
    "rule_threshold",
}
STAGE_KINDS = {
    "call",
    "document_review",
    "presentation_review",
    "showcase",
    "evaluation",
    "additional_call",
    "final",
}
ORG_KINDS = {"company", "university", "research_institute", "public_institution", "media", "other"}
CERTAINTY = {"confirmed", "uncertain"}


@pytest.fixture(scope="module")
def record():
    with RECORD.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def teams(record):
    return {t["slug"]: t for t in record["teams"]}


@pytest.fixture(scope="module")
def stages(record):
    return {s["slug"]: s for s in record["stages"]}


@pytest.fixture(scope="module")
def results(record):
    return {r["stage"]: r for r in record["results"]}


def walk(node, path=()):
    """Yield (path, key, value) for every mapping entry in the tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key, value
            yield from walk(value, (*path, key))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from walk(item, (*path, i))


def all_models(record):
    return [m for t in record["teams"] for m in t["models"]]


# --- top level -----------------------------------------------------------------------------


def test_top_level_keys(record):
    assert record["version"] == 1
    assert list(record) == [
        "version",
        "sources",
        "program",
        "organizations",
        "stages",
        "milestones",
        "teams",
        "results",
    ]
    assert record["program"]["slug"] == "sovereign-ai-foundation-model"
    assert record["program"]["short_name_ko"] == "독파모"


def test_sources_are_exactly_the_fact_sheet_list(record):
    # Section 5: S1..S94 plus S-KTR (K-EXAONE report) and S-AT (Asia Today English).
    keys = [s["key"] for s in record["sources"]]
    assert len(keys) == len(set(keys)) == 96
    assert set(keys) == {f"S{i}" for i in range(1, 95)} | {"S-KTR", "S-AT"}
    for s in record["sources"]:
        assert set(s) == {"key", "url", "publisher", "title", "published_on", "note"}
        assert s["publisher"]
        assert s["published_on"] is None or type(s["published_on"]) is date
    # S92 (Maeil) has no URL in the fact sheet.
    by_key = {s["key"]: s for s in record["sources"]}
    assert by_key["S92"]["url"] is None
    assert all(s["url"] for k, s in by_key.items() if k != "S92")
    # Month-only dates are null with the month in the note (e.g. S16, August 2025).
    assert by_key["S16"]["published_on"] is None
    assert "August 2025" in by_key["S16"]["note"]


def test_every_referenced_source_exists(record):
    known = {s["key"] for s in record["sources"]}
    referenced = []
    for path, key, value in walk(record):
        if key == "sources" and path:
            assert isinstance(value, list), path
            referenced.extend(value)
    assert referenced
    missing = sorted(set(referenced) - known)
    assert not missing, missing


def test_every_uncertain_item_says_why(record):
    for path, key, value in walk(record):
        if key == "certainty" and value == "uncertain":
            # The node holding the key: members carry a note, milestones a description,
            # benchmark rows are explained in the model summary.
            node = record
            for step in path:
                node = node[step]
            text = node.get("note") or node.get("description_en") or ""
            if "benchmark" in node:
                model = record
                for step in path[:-2]:
                    model = model[step]
                text = model["summary_en"]
            assert "uncertain" in text.lower() or "secondary" in text.lower(), path


# --- slugs and references ------------------------------------------------------------------


def test_slugs_unique(record):
    for section in ("organizations", "stages", "teams"):
        slugs = [x["slug"] for x in record[section]]
        assert len(slugs) == len(set(slugs)), section
    model_slugs = [m["slug"] for m in all_models(record)]
    assert len(model_slugs) == len(set(model_slugs))


def test_organization_kinds(record):
    assert {o["kind"] for o in record["organizations"]} <= ORG_KINDS


def test_every_referenced_slug_exists(record, stages):
    orgs = {o["slug"] for o in record["organizations"]}
    teams = {t["slug"] for t in record["teams"]}
    models = {m["slug"] for m in all_models(record)}

    for t in record["teams"]:
        assert t["lead"] in orgs
        assert t["joined_stage"] in stages
        assert t["left_stage"] is None or t["left_stage"] in stages
        for m in t["members"]:
            assert m["organization"] in orgs, m
    for m in record["milestones"]:
        assert m["stage"] is None or m["stage"] in stages

    for s in record["stages"]:
        codes = {c["code"] for c in s["criteria"]}
        for c in s["criteria"]:
            assert c["parent"] is None or c["parent"] in codes
        assert set(s["tie_break"]) <= codes

    for r in record["results"]:
        assert r["stage"] in stages
        stage = stages[r["stage"]]
        codes = {c["code"] for c in stage["criteria"]}
        gate_codes = {g["code"] for g in stage["gates"]}
        for st in r["statistics"]:
            assert st["criterion"] is None or st["criterion"] in codes
        for p in r["participations"]:
            assert p["team"] in teams
            assert set(p["models"]) <= models
            team_models = {
                m["slug"]
                for m in next(t for t in record["teams"] if t["slug"] == p["team"])["models"]
            }
            assert set(p["models"]) <= team_models
            for sc in p["scores"]:
                assert sc["criterion"] in codes
            for g in p["gates"]:
                assert g["gate"] in gate_codes

    # Every organization belongs to at least one consortium or applied at a call.
    used = {m["organization"] for t in record["teams"] for m in t["members"]}
    applied = {a["organization"] for r in record["results"] for a in r.get("applicants", [])}
    assert used | applied == orgs
    assert applied - used == {"trillion-labs"}  # applied, never a team of the program


# --- stages --------------------------------------------------------------------------------


def test_stage_orders_unique_and_consecutive(record):
    orders = [s["order"] for s in record["stages"]]
    assert orders == list(range(1, len(orders) + 1))
    assert [s["kind"] for s in record["stages"]] == [
        "call",
        "document_review",
        "presentation_review",
        "showcase",
        "evaluation",
        "additional_call",
        "evaluation",
        "final",
    ]
    assert {s["kind"] for s in record["stages"]} <= STAGE_KINDS


def test_stage_status_and_dates(record, stages):
    # Section 2.1: stage 2 and the final selection have no public outcome.
    assert {s: stages[s]["status"] for s in ("stage-2", "final-selection")} == {
        "stage-2": "planned",
        "final-selection": "planned",
    }
    for s in record["stages"]:
        for key in ("starts_on", "ends_on"):
            assert s[key] is None or type(s[key]) is date
        at = s["announcement_at"]
        if at is not None:
            assert isinstance(at, datetime)
            assert at.utcoffset() == timedelta(hours=9)
            if (at.hour, at.minute) == (10, 0):
                assert "time of day not disclosed" in s["schedule_note_en"]
    assert stages["stage-1"]["announcement_at"].date() == date(2026, 1, 15)
    assert stages["additional-call-2026"]["starts_on"] == date(2026, 1, 23)
    assert "February 2027" in stages["final-selection"]["schedule_note_en"]


def test_stage_team_counts(stages):
    # Section 2.1 stage table.
    counts = {
        s: (stages[s]["teams_in"], stages[s]["teams_out"], stages[s]["teams_after"]) for s in stages
    }
    assert counts["call-2025"] == (0, 0, 15)
    assert counts["document-review-2025"] == (15, 5, 10)
    assert counts["presentation-review-2025"] == (10, 5, 5)
    assert counts["stage-1"] == (5, 2, 3)
    assert counts["additional-call-2026"] == (3, 0, 4)
    assert counts["stage-2"] == (4, None, None)


def test_calls_count_their_applicants_apart_from_the_teams_of_the_program(stages):
    # Section 2.1: 15 applied in 2025 (all went on to the document review); in the additional
    # call three teams were in the program, two applied, one was selected, four were in after.
    applicants = {s: (stages[s]["applicants"], stages[s]["applicants_selected"]) for s in stages}
    assert applicants["call-2025"] == (15, 15)
    assert applicants["additional-call-2026"] == (2, 1)
    others = {s for s, counts in applicants.items() if counts != (None, None)}
    assert others == {"call-2025", "additional-call-2026"}
    for slug, s in stages.items():
        if None not in (s["teams_in"], s["teams_out"], s["teams_after"]):
            added = s["applicants_selected"] or 0
            assert s["teams_after"] == s["teams_in"] - s["teams_out"] + added, slug


def test_trillion_labs_is_recorded_as_an_applicant_not_a_team(results, teams):
    # Section 1.7: applied in the additional call, not selected ("narrow margin"), S25, S28.
    applicants = {a["organization"]: a for a in results["additional-call-2026"]["applicants"]}
    assert set(applicants) == {"motif-technologies", "trillion-labs"}
    trillion = applicants["trillion-labs"]
    assert (trillion["selected"], trillion["team"]) == (False, None)
    assert {"S25", "S28"} <= set(trillion["sources"])
    assert "trillion-labs" not in teams
    motif = applicants["motif-technologies"]
    assert (motif["selected"], motif["team"]) == (True, "motif-technologies")


def test_stage1_criteria_weights(stages):
    # Section 2.2: benchmark 40 (NIA 10 + global common 20 + global individual 10),
    # expert 35, user 25.
    crit = {c["code"]: c for c in stages["stage-1"]["criteria"]}
    points = {code: Decimal(c["max_points"]) for code, c in crit.items()}
    assert points == {
        "benchmark": Decimal(40),
        "nia": Decimal(10),
        "global_common": Decimal(20),
        "global_individual": Decimal(10),
        "expert": Decimal(35),
        "user": Decimal(25),
    }
    leaves = [c for c in crit.values() if c["parent"] == "benchmark"]
    assert sum(Decimal(c["max_points"]) for c in leaves) == points["benchmark"]
    assert crit["benchmark"]["aggregation"] == "sum"
    assert all(c["aggregation"] == "direct" for c in crit.values() if c["code"] != "benchmark")
    top = [c for c in crit.values() if c["parent"] is None]
    assert sum(Decimal(c["max_points"]) for c in top) == 100
    assert [g["code"] for g in stages["stage-1"]["gates"]] == ["independence"]
    assert "from scratch" in stages["stage-1"]["gates"][0]["description_en"]


def test_stage2_weights_not_invented(stages):
    # Section 2.1: stage-2 point weights were not found.
    crit = stages["stage-2"]["criteria"]
    assert [c["code"] for c in crit] == ["benchmark", "expert", "user"]
    assert all(c["max_points"] is None for c in crit)


# --- teams and members ---------------------------------------------------------------------


def test_six_teams(teams):
    assert set(teams) == {
        "lg-ai-research",
        "sk-telecom",
        "upstage",
        "naver-cloud",
        "nc-ai",
        "motif-technologies",
    }
    assert {t: teams[t]["status"] for t in teams} == {
        "lg-ai-research": "active",
        "sk-telecom": "active",
        "upstage": "active",
        "naver-cloud": "disqualified",
        "nc-ai": "eliminated",
        "motif-technologies": "active",
    }
    assert teams["naver-cloud"]["left_stage"] == teams["nc-ai"]["left_stage"] == "stage-1"


def test_member_counts_match_fact_sheet(teams):
    counts = {slug: Counter(m["role"] for m in t["members"]) for slug, t in teams.items()}
    expected_members = {
        "lg-ai-research": 10,  # 1.1: lead + 9 listed (10 companies in total) + Elice (uncertain)
        "sk-telecom": 7,  # 1.2: lead + 7 listed
        "upstage": 12,  # 1.3: lead + 12 listed
        "naver-cloud": 7,  # 1.4: lead + 7 listed
        "nc-ai": 13,  # 1.5: lead + 13 listed (14 institutions in total)
        "motif-technologies": 16,  # 1.6: lead + 16 listed (Donga: 17 organisations)
    }
    for slug, n in expected_members.items():
        assert counts[slug] == Counter({"lead": 1, "member": n}), slug


def test_lead_listed_first(teams):
    for t in teams.values():
        assert t["members"][0]["organization"] == t["lead"]
        assert t["members"][0]["role"] == "lead"
        orgs = [m["organization"] for m in t["members"]]
        assert len(orgs) == len(set(orgs)), t["slug"]
        for m in t["members"]:
            assert m["certainty"] in CERTAINTY
            assert m["joined_on"] is None or type(m["joined_on"]) is date


def test_elice_is_uncertain(teams):
    # 1.1: Elice joined on 2026-02-25 per a secondary reprint (S72).
    uncertain = [m for t in teams.values() for m in t["members"] if m["certainty"] == "uncertain"]
    assert [(m["organization"], m["joined_on"], m["sources"]) for m in uncertain] == [
        ("elice", date(2026, 2, 25), ["S72"]),
    ]


def test_motif_joined_at_additional_call(teams, stages):
    assert teams["motif-technologies"]["joined_stage"] == "additional-call-2026"
    assert stages["additional-call-2026"]["kind"] == "additional_call"
    others = {t["joined_stage"] for s, t in teams.items() if s != "motif-technologies"}
    assert others == {"call-2025"}
    assert "29" in teams["motif-technologies"]["member_count_note"]


# --- models --------------------------------------------------------------------------------


def test_model_fields(record):
    for m in all_models(record):
        assert m["licence_certainty"] in CERTAINTY
        assert m["release_date"] is None or type(m["release_date"]) is date
        assert m["context_length"] is None or type(m["context_length"]) is int
        assert m["vocabulary_size"] is None or type(m["vocabulary_size"]) is int
        for b in m["benchmarks"]:
            assert b["certainty"] in CERTAINTY


def test_key_model_facts(record):
    models = {m["slug"]: m for m in all_models(record)}
    kex = models["k-exaone"]
    assert (kex["parameters_total_b"], kex["parameters_active_b"]) == ("236", "23")
    assert kex["context_length"] == 262144
    assert kex["release_date"] == date(2025, 12, 31)
    assert len([b for b in kex["benchmarks"] if b["setting"] == "reasoning mode"]) == 27
    assert models["a-x-k1"]["context_length"] == 131072
    assert models["a-x-k1"]["vocabulary_size"] == 163840
    assert models["a-x-k1"]["licence"] == "Apache-2.0"
    assert "Solar WBL" in models["solar-open-100b"]["aliases"]
    # Secondary-source benchmark numbers (section 3) are marked uncertain.
    for slug in ("solar-open-100b", "a-x-k1"):
        assert {b["certainty"] for b in models[slug]["benchmarks"]} == {"uncertain"}


def test_vaetki_alias(record):
    vaetki = next(m for m in all_models(record) if m["slug"] == "vaetki")
    assert "VARCO 100B" in vaetki["aliases"]
    assert vaetki["name"] == "VAETKI"
    # Section 1.1: the seed article (Maeil, S92) called it "100B급 바르코".
    assert "100B급 바르코" in vaetki["aliases"]
    assert vaetki["alias_sources"] == {"VARCO 100B": ["S92"], "100B급 바르코": ["S92"]}
    assert "S92" in vaetki["sources"]


def test_every_alias_cites_sources_that_exist(record):
    known = {s["key"] for s in record["sources"]}
    for m in all_models(record):
        assert set(m["alias_sources"]) == set(m["aliases"]), m["slug"]
        for keys in m["alias_sources"].values():
            assert keys and set(keys) <= known, m["slug"]


def test_hyperclova_x_seed_models_have_their_korean_names(record):
    models = {m["slug"]: m for m in all_models(record)}
    assert models["hyperclova-x-seed-8b-omni"]["name_ko"] == "하이퍼클로바X 시드 8B 옴니"
    assert models["hyperclova-x-seed-32b-think"]["name_ko"] == "하이퍼클로바X 시드 32B 씽크"
    for slug in ("hyperclova-x-seed-8b-omni", "hyperclova-x-seed-32b-think"):
        assert "S92" in models[slug]["sources"]


def test_lg_maeil_claim_is_a_result_not_a_target(record):
    # Section 1.1: 104% OF Qwen3-235B, the model LG first set as its target; a result.
    kex = next(m for m in all_models(record) if m["slug"] == "k-exaone")
    text_en = " ".join(kex["summary_en"].split())
    assert "104% of Qwen3-235B, the model LG first set as its target (a result, not a target)" in (
        text_en
    )
    assert "a target of 104%" not in text_en
    assert "104% 목표" not in kex["summary_ko"]
    assert "목표치가 아니라 결과" in kex["summary_ko"]


# --- results -------------------------------------------------------------------------------


def test_lg_stage1_scores_sum_to_total(results):
    lg = next(p for p in results["stage-1"]["participations"] if p["team"] == "lg-ai-research")
    values = {s["criterion"]: Decimal(s["value"]) for s in lg["scores"]}
    assert values == {
        "nia": Decimal("9.2"),
        "global_common": Decimal("14.4"),
        "global_individual": Decimal("10.0"),
        "expert": Decimal("31.6"),
        "user": Decimal("25.0"),
    }
    benchmark = values["nia"] + values["global_common"] + values["global_individual"]
    assert benchmark == Decimal("33.6")
    assert sum(values.values()) == Decimal("90.2")


def test_stage1_every_team_has_every_leaf(results, stages):
    leaves = {
        c["code"]
        for c in stages["stage-1"]["criteria"]
        if not any(o["parent"] == c["code"] for o in stages["stage-1"]["criteria"])
    }
    assert leaves == {"nia", "global_common", "global_individual", "expert", "user"}
    disclosed = {}
    for p in results["stage-1"]["participations"]:
        assert {s["criterion"] for s in p["scores"]} == leaves
        disclosed[p["team"]] = {s["criterion"] for s in p["scores"] if s["value"] is not None}
        for s in p["scores"]:
            assert bool(s["sources"]) == (s["value"] is not None)
    # Section 2.3: only LG's split, SKT's NIA and Upstage's global individual were published.
    assert disclosed == {
        "lg-ai-research": leaves,
        "sk-telecom": {"nia"},
        "upstage": {"global_individual"},
        "naver-cloud": set(),
        "nc-ai": set(),
    }


def test_stage1_statistics(results):
    stats = {s["criterion"]: Decimal(s["value"]) for s in results["stage-1"]["statistics"]}
    assert stats == {
        "benchmark": Decimal("30.4"),
        "expert": Decimal("28.56"),
        "user": Decimal("20.76"),
        None: Decimal("79.7"),
    }
    assert {s["team_count"] for s in results["stage-1"]["statistics"]} == {5}


def test_stage1_decisions_and_gates(results):
    parts = {p["team"]: p for p in results["stage-1"]["participations"]}
    decisions = {
        t: (p["decision"]["outcome"], p["decision"]["reason_code"]) for t, p in parts.items()
    }
    assert decisions == {
        "lg-ai-research": ("advanced", "above_line"),
        "sk-telecom": ("advanced", "above_line"),
        "upstage": ("advanced", "above_line"),
        "naver-cloud": ("disqualified", "gate_failed"),
        "nc-ai": ("eliminated", "below_line"),
    }
    gates = {t: [g["passed"] for g in p["gates"]] for t, p in parts.items()}
    assert gates == {
        "lg-ai-research": [True],
        "sk-telecom": [True],
        "upstage": [True],
        "naver-cloud": [False],
        "nc-ai": [True],
    }
    assert "Qwen" in parts["naver-cloud"]["gates"][0]["reason_en"]


def test_naver_disqualified_for_gate(results):
    naver = next(p for p in results["stage-1"]["participations"] if p["team"] == "naver-cloud")
    assert naver["decision"]["outcome"] == "disqualified"
    assert naver["decision"]["reason_code"] == "gate_failed"


def test_results_cover_expected_stages(results, stages):
    assert list(results) == [
        "call-2025",
        "document-review-2025",
        "presentation-review-2025",
        "stage-1",
        "additional-call-2026",
        "stage-2",
    ]
    assert "final-selection" not in results
    five = {"lg-ai-research", "sk-telecom", "upstage", "naver-cloud", "nc-ai"}
    for s in ("call-2025", "document-review-2025", "presentation-review-2025"):
        parts = results[s]["participations"]
        assert {p["team"] for p in parts} == five
        assert all(p["decision"]["outcome"] == "advanced" and not p["scores"] for p in parts)
    extra = results["additional-call-2026"]["participations"]
    assert [(p["team"], p["decision"]["outcome"]) for p in extra] == [
        ("motif-technologies", "advanced"),
    ]
    assert "Trillion Labs" in stages["additional-call-2026"]["summary_en"]


def test_no_stage2_scores(results):
    stage2 = results["stage-2"]
    assert {p["team"] for p in stage2["participations"]} == {
        "lg-ai-research",
        "sk-telecom",
        "upstage",
        "motif-technologies",
    }
    assert stage2["statistics"] == []
    for p in stage2["participations"]:
        assert not p["scores"]
        assert p["decision"] is None
    values = [v for _, k, v in walk(stage2) if k in DECIMAL_FIELDS and v is not None]
    assert values == []


# --- value formats -------------------------------------------------------------------------


def test_decimal_strings_parse(record):
    seen = 0
    for path, key, value in walk(record):
        if key not in DECIMAL_FIELDS or value is None:
            continue
        assert isinstance(value, str), (path, key, value)  # never a YAML float
        try:
            parsed = Decimal(value)
        except InvalidOperation:  # pragma: no cover - reported by the assert below
            parsed = None
        assert parsed is not None and parsed.is_finite(), (path, key, value)
        seen += 1
    assert seen > 50


def test_no_floats_anywhere(record):
    floats = [(p, k) for p, k, v in walk(record) if isinstance(v, float)]
    assert floats == []


def test_milestones(record):
    ms = record["milestones"]
    assert all(type(m["date"]) is date for m in ms)
    assert [m["date"] for m in ms] == sorted(m["date"] for m in ms)
    assert {m["precision"] for m in ms} <= {"day", "month", "approximate"}
    assert {m["certainty"] for m in ms} <= CERTAINTY
    by_title = {m["title_en"]: m for m in ms}
    assert by_title["Stage-1 result announced"]["date"] == date(2026, 1, 15)
    assert by_title["Presentation review"]["precision"] == "approximate"
    assert by_title["Stage-2 evaluation (planned)"]["precision"] == "month"
    assert by_title["Elice joins the LG consortium"]["certainty"] == "uncertain"
