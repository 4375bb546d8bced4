"""Which error codes each mutation may answer in its payload's `errors`, read from the code (not written by hand):
`python tools/mutation_refusals.py > schema/mutation_refusals.json` (`make schema` runs it; a test fails when the
committed file is stale). schema/descriptions.py adds the list to each mutation's description.

For a mutation: the codes its `payload_mutation` declaration implies (UNAUTHENTICATED with a login, FORBIDDEN with a
role or staff, RATE_LIMITED with a limit, INVALID_INPUT for a malformed id), then every code raised as a literal
(`Refused("CODE", ...)`, `ApiError("CODE", ...)`, `bad_input(...)` and `refuse_problems(...)` as INVALID_INPUT) in
its resolver and, transitively, in the functions of resolvers/, domain/ and schema/ it calls by name. That is an
upper bound: a code on a branch this mutation never takes may be listed; a code chosen at run time (a variable) is
not.
"""

from __future__ import annotations

import ast
import inspect
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PACKAGES = ("resolvers", "domain", "schema")
RAISERS = {"Refused", "ApiError"}
INVALID = {"bad_input", "refuse_problems", "Invalid"}


class Module:
    def __init__(self, name: str, path: Path) -> None:
        self.name = name
        tree = ast.parse(path.read_text(), str(path))
        self.functions: dict[str, ast.AST] = {}
        self.aliases: dict[str, str] = {}  # a local name -> the module it is (import ... as, from pkg import mod)
        self.imported: dict[str, tuple[str, str]] = {}  # a local name -> (module, function) imported by name
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions.setdefault(node.name, node)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] in PACKAGES:
                        self.aliases[alias.asname or alias.name] = alias.name
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PACKAGES:
                for alias in node.names:
                    local = alias.asname or alias.name
                    candidate = f"{node.module}.{alias.name}"
                    if _path_of(candidate) is not None:
                        self.aliases[local] = candidate
                    else:
                        self.imported[local] = (node.module, alias.name)


def _path_of(module: str) -> Path | None:
    path = ROOT / Path(*module.split("."))
    if path.with_suffix(".py").is_file():
        return path.with_suffix(".py")
    if (path / "__init__.py").is_file():
        return path / "__init__.py"
    return None


class Catalog:
    def __init__(self) -> None:
        self.modules: dict[str, Module | None] = {}
        self.memo: dict[tuple[str, str], set[str]] = {}

    def module(self, name: str) -> Module | None:
        if name not in self.modules:
            path = _path_of(name)
            self.modules[name] = Module(name, path) if path is not None else None
        return self.modules[name]

    def codes_of(self, module_name: str, function: str, seen: set[tuple[str, str]]) -> set[str]:
        key = (module_name, function)
        if key in self.memo:
            return self.memo[key]
        if key in seen:
            return set()
        seen.add(key)
        module = self.module(module_name)
        node: Any = module.functions.get(function) if module is not None else None
        if module is None or node is None:
            return set()
        codes: set[str] = set()
        body = [n for statement in node.body for n in ast.walk(statement)]  # not its decorators
        for call in (n for n in body if isinstance(n, ast.Call)):
            callee = call.func
            name = (
                callee.id if isinstance(callee, ast.Name) else callee.attr if isinstance(callee, ast.Attribute) else ""
            )
            if name in RAISERS:
                if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
                    codes.add(call.args[0].value)
                continue
            if name in INVALID:
                codes.add("INVALID_INPUT")
                continue
            target = self._resolve(module, callee)
            if target is not None:
                codes |= self.codes_of(*target, seen)
        self.memo[key] = codes
        return codes

    def _resolve(self, module: Module, callee: ast.expr) -> tuple[str, str] | None:
        if isinstance(callee, ast.Name):
            if callee.id in module.functions:
                return module.name, callee.id
            return module.imported.get(callee.id)
        if isinstance(callee, ast.Attribute) and isinstance(callee.value, ast.Name):
            aliased = module.aliases.get(callee.value.id)
            if aliased is not None:
                return aliased, callee.attr
        return None


def declared(run: Any) -> set[str]:
    """What the mutation's payload_mutation declaration refuses by itself."""
    closure = inspect.getclosurevars(run).nonlocals
    codes = {"INVALID_INPUT"}  # a malformed id or input value
    if closure.get("login") or closure.get("role"):
        codes.add("UNAUTHENTICATED")
    if closure.get("role") or closure.get("staff"):
        codes.add("FORBIDDEN")
    if closure.get("limit"):
        codes.add("RATE_LIMITED")
    return codes


def refusals() -> dict[str, list[str]]:
    from schema import schema
    from schema.mutations import CODES

    catalog = Catalog()
    mutation_type = schema._schema.mutation_type
    assert mutation_type is not None
    found: dict[str, list[str]] = {}
    for name, field in sorted(mutation_type.fields.items()):
        definition = field.extensions["strawberry-definition"]
        run = definition.base_resolver.wrapped_func
        fn = getattr(run, "__wrapped__", None)
        if fn is None:  # not a payload mutation (devLogin's own errors are its payload's too): its resolver alone
            fn, codes = run, {"INVALID_INPUT"}
        else:
            codes = declared(run)
        codes |= catalog.codes_of(fn.__module__, fn.__name__, set())
        found[name] = sorted(codes & CODES)
    return found


if __name__ == "__main__":
    sys.stdout.write(json.dumps(refusals(), indent=1, ensure_ascii=False) + "\n")
