"""The package's layout: ``acgan_lib/__init__.py`` lists every module, in an order where each module
imports only modules listed above it (no import circles, no upward arrows), lazy imports included."""

import ast
import re

from acgan_lib.paths import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "acgan_lib"


def listed_modules() -> list[str]:
    docstring = ast.get_docstring(ast.parse((PACKAGE / "__init__.py").read_text()))
    return [name for name in re.findall(r"``(\w+)``", docstring) if (PACKAGE / f"{name}.py").exists()]


def test_the_package_docstring_lists_every_module_once():
    modules = sorted(path.stem for path in PACKAGE.glob("*.py") if not path.stem.startswith("_"))
    assert sorted(listed_modules()) == modules


def test_each_module_imports_only_modules_listed_above_it():
    order = {name: position for position, name in enumerate(listed_modules())}
    upward = []
    for name, position in order.items():
        for node in ast.walk(ast.parse((PACKAGE / f"{name}.py").read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                imported = [(node.module or "").split(".")[0]] if node.module else [a.name for a in node.names]
                upward += [f"{name} imports {other}" for other in imported if order.get(other, -1) >= position]
    assert upward == []


def test_the_library_imports_its_own_modules_one_way_relatively():
    absolute = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("acgan_lib"):
                absolute.append(f"{path.name}: from {node.module}")
            if isinstance(node, ast.Import) and any(alias.name.startswith("acgan_lib") for alias in node.names):
                absolute.append(f"{path.name}: import {node.names[0].name}")
    assert absolute == []
