"""The plan of the house holds: small modules and functions, and no import of another app hidden in a
function body (the import contract itself is ``make lint``'s ``lint-imports``)."""

import ast
import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _contract_packages() -> tuple[str, ...]:
    """The root packages the import contract covers (``.importlinter``, the one list of them)."""
    parser = configparser.ConfigParser()
    parser.read(ROOT / ".importlinter")
    return tuple(parser["importlinter"]["root_packages"].split())


APPS = _contract_packages()
MODULE_MAX_LINES = 400
FUNCTION_MAX_LINES = 60


def _product_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path


def test_every_product_package_is_under_the_import_contract():
    packages = {
        path.parent.name for path in ROOT.glob("*/__init__.py") if path.parent.name not in ("tests", "bench")
    }
    assert packages == set(APPS)


def test_no_product_module_is_over_400_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for _app, path in _product_modules()
        if (n := len(path.read_text().splitlines())) > MODULE_MAX_LINES
    }
    assert long == {}


def test_no_product_function_is_over_60_lines():
    long = {}
    for _app, path in _product_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > FUNCTION_MAX_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.name}"] = length
    assert long == {}


def _imports_in_functions(tree: ast.AST):
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Import):
                    yield node, [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    yield node, [node.module or ""]


def test_no_import_of_another_app_hides_in_a_function_without_a_comment_saying_why():
    hidden = []
    for app, path in _product_modules():
        lines = path.read_text().splitlines()
        for node, modules in _imports_in_functions(ast.parse("\n".join(lines))):
            others = [m for m in modules if m.split(".")[0] in APPS and m.split(".")[0] != app]
            if not others:
                continue
            # The comment sits on the import's line or in the lines just above it.
            context = "\n".join(lines[max(0, node.lineno - 4) : node.lineno])
            if "#" not in context:
                hidden.append(f"{path.relative_to(ROOT)}:{node.lineno} {others}")
    assert hidden == []
