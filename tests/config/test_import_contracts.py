"""The import-linter contracts in pyproject.toml (run by `make lint`) catch backward imports.

Each test lints a copy of the project's Python packages, once as it is and once with deliberate
violations added, so a contract that stopped matching anything would fail here.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
PACKAGES = ["config", "programs", "teams", "evaluations", "public", "staff", "api"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# (file to append to, the offending line, the imported module as the report names it); between
# them they break all five contracts.
VIOLATIONS = [
    ("programs/selectors.py", "from evaluations import selectors", "evaluations.selectors"),
    ("evaluations/services/__init__.py", "import staff.urls", "staff.urls"),
    ("staff/urls.py", "import api.urls", "api.urls"),
    ("public/views.py", "from evaluations.services import publication", "evaluations.services"),
    ("public/views.py", "from evaluations.models import Score", "import Score"),
    ("evaluations/standings/types.py", "import django.conf", "django"),
    ("evaluations/services/scores.py", "import evaluations.tasks", "evaluations.tasks"),
]


def project_copy(destination: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            PROJECT_DIR / package,
            destination / package,
            ignore=shutil.ignore_patterns(
                "__pycache__", "migrations", "locale", "templates", "static"
            ),
        )
    shutil.copy(PROJECT_DIR / "pyproject.toml", destination / "pyproject.toml")
    return destination


def lint_imports(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def copy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return project_copy(tmp_path_factory.mktemp("project"))


def test_the_project_as_it_is_keeps_every_contract(copy_dir: Path):
    result = lint_imports(copy_dir)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_each_deliberate_backward_import_breaks_its_contract(tmp_path: Path):
    project = project_copy(tmp_path)
    for path, line, _imported in VIOLATIONS:
        with (project / path).open("a", encoding="utf-8") as handle:
            handle.write(f"\n{line}  # deliberate violation\n")

    result = lint_imports(project)

    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[-1]
    for path, line, imported in VIOLATIONS:
        importer = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        assert importer in broken and imported in broken, (line, result.stdout)
    assert "Contracts: 0 kept, 5 broken." in result.stdout
