"""A custom import-linter contract: some names of a module are off limits to some packages.

import-linter's own contracts forbid whole modules. The embargo rule needs one step finer:
public pages may use `evaluations.models.Publication` and the `Outcome` choices, but never the
rows that hold unpublished results (`Score`, `Decision`, the snapshots…). This contract reads
the source of every module under `source_modules` and fails on

* `from <module> import <forbidden name>`,
* `from <package> import <module's last part>` and `import <module>` (the names would then be
  reachable as attributes, where no import statement shows them).

Only `make lint` loads this file (lint-imports); the application never imports it.
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output
from importlinter.domain.helpers import module_expressions_to_modules


@dataclass(frozen=True)
class Violation:
    importer: str
    line: int
    statement: str


def _source_file(module: str) -> Path | None:
    """The module's file, found without importing it (importing would need Django set up)."""
    root, *rest = module.split(".")
    spec = importlib.util.find_spec(root)
    if spec is None or not spec.submodule_search_locations:
        return None
    base = Path(next(iter(spec.submodule_search_locations))).joinpath(*rest)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _violations(module: str, target: str, names: set[str]) -> list[Violation]:
    path = _source_file(module)
    if path is None:
        return []
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package, _, last = target.rpartition(".")
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            imported = {alias.name for alias in node.names}
            if node.module == target and imported & names:
                for name in sorted(imported & names):
                    found.append(Violation(module, node.lineno, f"from {target} import {name}"))
            elif node.module == package and last in imported:
                found.append(Violation(module, node.lineno, f"from {package} import {last}"))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == target:
                    found.append(Violation(module, node.lineno, f"import {target}"))
    return found


class ForbiddenNamesContract(Contract):
    """Configuration options:

    - source_modules: module expressions (with their descendants) that must not import the names;
    - module: the module whose names are forbidden;
    - names: the forbidden names.
    """

    type_name = "forbidden_names"

    source_modules = fields.SetField(subfield=fields.ModuleExpressionField())
    module = fields.StringField()
    names = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        # The fields are declared as import-linter Field objects and hold the parsed values by
        # now, which the type checker cannot see (hence the two ignores).
        target = str(self.module)
        names = {str(name) for name in self.names}  # type: ignore[attr-defined]
        sources: set[str] = set()
        for source in module_expressions_to_modules(graph, self.source_modules):  # type: ignore[arg-type]
            sources.add(source.name)
            sources |= graph.find_descendants(source.name)
        violations = [
            violation
            for module in sorted(sources)
            for violation in _violations(module, target, names)
        ]
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for violation in check.metadata["violations"]:
            output.print_error(
                f"{violation.importer}:{violation.line}: {violation.statement}", bold=False
            )
            output.new_line()
