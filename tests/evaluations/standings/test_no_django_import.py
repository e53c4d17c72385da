import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]
CHECK = (
    "import evaluations.standings, sys; "
    "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)"
)


def test_the_standings_core_imports_nothing_from_django():
    completed = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
