"""A bad record file loads nothing and says what is wrong."""

from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.utils import translation

from evaluations.record.loader import RECORD_PATH
from programs.models import Program, Source, Stage

pytestmark = pytest.mark.django_db


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_program", *args, stdout=out)
    return out.getvalue()


def test_a_broken_record_file_loads_nothing(tmp_path):
    data = yaml.safe_load(RECORD_PATH.read_text(encoding="utf-8"))
    data["teams"][0]["lead"] = "no-such-organization"
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError, match="unknown organization “no-such-organization”"):
        load("--file", str(broken))
    assert not Program.objects.exists()
    assert not Source.objects.exists()


def test_a_missing_record_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No record file"):
        load("--file", str(tmp_path / "nope.yaml"))


def test_the_help_says_how_to_overwrite_staff_edits():
    from evaluations.management.commands.load_program import Command

    assert "--force" in Command.help and "kept" in Command.help


def test_a_file_breaking_a_rule_of_the_database_names_the_row_and_the_rule(tmp_path):
    data = yaml.safe_load(RECORD_PATH.read_text(encoding="utf-8"))
    stage = next(item for item in data["stages"] if item["slug"] == "stage-1")
    stage["rule_count"] = None  # eliminate-lowest without a count
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError, match=r"stage stage-1: .*need a count of at least 1"):
        load("--file", str(broken))
    assert not Stage.objects.exists()


def test_decimals_written_as_floats_are_refused(tmp_path):
    data = yaml.safe_load(RECORD_PATH.read_text(encoding="utf-8"))
    data["teams"][0]["models"][0]["parameters_total_b"] = 236.5
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError, match="write decimals as quoted strings"):
        load("--file", str(broken))


def test_a_team_in_the_program_all_along_cannot_be_loaded_as_joined_later(tmp_path):
    from evaluations.record.loader import RecordError, program_record_load

    data = yaml.safe_load(RECORD_PATH.read_text(encoding="utf-8"))
    stage2 = next(block for block in data["results"] if block["stage"] == "stage-2")
    stage2["participations"][0]["ranked"] = False
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with (
        translation.override("en"),
        pytest.raises(
            CommandError,
            match=r"results of stage-2 team lg-ai-research: ranked: .*scoring of that stage has "
            r"not begun",
        ),
    ):
        load("--file", str(broken))
    assert not Program.objects.exists()

    with pytest.raises(RecordError) as refused:
        program_record_load(path=broken)
    error = refused.value.as_dict()
    assert (error["code"], error["field"]) == ("ranked_not_joined_later", "ranked")
    assert error["params"]["row"] == "results of stage-2 team lg-ai-research"
