"""Each rule in one place, and imports that show the layers: one clock, one time zone, one
"form not accepted" status; ``core`` imports no domain; a domain's models import without the
web layer; no migration imports the application."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORTAL = ROOT / "portal"
DOMAINS = {p.name for p in PORTAL.iterdir() if (p / "__init__.py").exists()} - {"core"}


def sources(folder: Path = PORTAL) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def imported(path: Path) -> list[tuple[str, bool]]:
    """(module, inside a function) for every import of ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, bool]] = []

    def walk(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.extend((alias.name, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module:
                found.append((child.module, in_function))
            walk(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    walk(tree, False)
    return found


def test_one_clock_one_time_zone_one_status_for_a_refused_form():
    clock = PORTAL / "core" / "clock.py"
    for path in sources():
        text = path.read_text(encoding="utf-8")
        if path != clock:
            assert "datetime.now(" not in text, path
            assert "utcnow(" not in text, path
            assert '"America/Santiago"' not in text, path
    # Tests too: a test that asks the system for "today" fails at night, when the date in UTC is
    # already tomorrow's in Santiago.
    for path in (PORTAL.parent / "tests").rglob("*.py"):
        assert "date." + "today()" not in path.read_text(encoding="utf-8"), path
    definitions = [p for p in sources() if "INVALID = 422" in p.read_text(encoding="utf-8")]
    assert definitions == [PORTAL / "core" / "refusals.py"]


def test_core_imports_no_domain():
    for path in sources(PORTAL / "core"):
        for module, _inside in imported(path):
            parts = module.split(".")
            assert not (parts[0] == "portal" and len(parts) > 1 and parts[1] in DOMAINS), (
                f"{path.name} imports {module}"
            )


def test_no_import_of_the_portal_hides_inside_a_function():
    """Imports inside functions hid cycles; only the app factory and the command line, which
    compose the domains, import inside their functions."""
    composers = {PORTAL / "__init__.py", PORTAL / "commands.py"}
    for path in sources():
        if path in composers:
            continue
        inside = [m for m, in_function in imported(path) if in_function and m.startswith("portal")]
        assert inside == [], f"{path.relative_to(ROOT)} imports {inside} inside a function"


def test_models_and_services_import_without_any_routes():
    code = (
        "import sys\n"
        "import portal.commitments.models, portal.commitments.services\n"
        "import portal.meetings.services, portal.rounds.services\n"
        "print([m for m in sys.modules if m.startswith('portal') and 'routes' in m])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "[]"


def test_no_migration_imports_the_application():
    for path in sources(ROOT / "migrations" / "versions"):
        for module, _inside in imported(path):
            assert not module.startswith("portal"), f"{path.name} imports {module}"


def test_every_action_is_carried_out_one_way():
    """Routes load, ask ``can()`` and hand the service call to ``core.actions.carried_out``,
    which commits or rolls back and shows a refusal: none commits, rolls back, catches a
    refusal or answers a bare 409 itself."""
    routes = [p for p in sources() if p.name.endswith("routes.py")]
    assert len(routes) > 10
    for path in routes:
        text = path.read_text(encoding="utf-8")
        for forbidden in ("db.session.commit(", "db.session.rollback(", "Refused as", "abort(409)"):
            assert forbidden not in text, f"{path.relative_to(ROOT)} has {forbidden}"


def test_templates_ask_the_models_and_the_policy_instead_of_comparing_states():
    """A state or what it allows is decided by the model's property or by ``can()``; a
    template comparing a status string would be a second copy of that rule."""
    comparison = re.compile(r"""\bstatus\s*(==|!=|in|not in)\s*[("'\[]""")
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            assert not comparison.search(line), f"{path.name}:{number}: {line.strip()}"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def first_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> list[str] | None:
        if name in trail:
            return [*trail[trail.index(name) :], name]
        if name in done:
            return None
        for target in sorted(graph.get(name, ())):
            if found := visit(target, [*trail, name]):
                return found
        done.add(name)
        return None

    for name in sorted(graph):
        if found := visit(name, []):
            return found
    return None


def test_a_cycle_is_found():
    assert first_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert first_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_modules_import_each_other_without_a_cycle():
    """Each domain sits on those below it (places, mesas, meetings, initiatives, rounds,
    portfolios, commitments…); a cycle would make one of them unloadable alone."""
    modules = {module_name(p): p for p in sources()}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module in modules:
                targets.add(node.module)
                targets |= {f"{node.module}.{a.name}" for a in node.names} & set(modules)
            elif isinstance(node, ast.Import):
                targets |= {a.name for a in node.names} & set(modules)
        graph[name] = targets - {name, "portal"}
    assert "portal.rounds.selection" in graph and "portal.portfolios.models" in graph
    assert first_cycle(graph) is None
