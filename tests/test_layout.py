"""The package is laid out by layer: each layer imports only the layers below it,
the root imports lazily, and the v1.1 import paths keep working."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Collection
from pathlib import Path

import pytest

import lambda_agent_api

PACKAGE = Path(lambda_agent_api.__file__).parent

# What each layer may import from the package, besides itself. The root's own
# modules (exceptions, schemas, the v1.1 shims) are named by their module name.
ALLOWED = {
    # _bundle: the generated reader of the schema files' shape (the standard library only).
    "protocol": {"exceptions", "_bundle"},
    "capture": {"protocol", "exceptions"},
    "schemas": {"capture", "protocol", "exceptions", "_bundle"},
    # A copy of codegen/schema_shape.py, which codegen runs without the package.
    "_bundle": set(),
    "check": {"capture", "protocol", "exceptions", "schemas"},
    "transport": {"capture", "protocol", "exceptions"},
    "testing": {"probe", "capture", "protocol", "transport", "exceptions"},
    "probe": {"check", "capture", "protocol", "transport", "exceptions", "schemas"},
    "cli": {
        "probe",
        "check",
        "capture",
        "protocol",
        "transport",
        "testing",
        "exceptions",
        "schemas",
        "",
    },
}


# The only imports back up a cycle: inside a function, each for a reason.
LAZY_BACK_EDGES = {
    # `completion` prints the completions of the whole parser, which lists it.
    "lambda_agent_api.cli.completion_command": {"lambda_agent_api.cli"},
    # MockServer.from_capture builds a ReplayServer, a MockServer itself.
    "lambda_agent_api.testing.server": {"lambda_agent_api.testing.replay"},
}


def _layer(module: str) -> str:
    """The layer of a module of the package: its subpackage, or its own name at the root."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports(path: Path, modules: Collection[str], nested: bool = True) -> set[str]:
    """Every lambda_agent_api module that the file imports; with ``nested``, in functions too."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree) if nested else tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] == "lambda_agent_api":
                for alias in node.names:  # a module, or a name in one
                    name = f"{node.module}.{alias.name}"
                    found.add(name if name in modules else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("lambda_agent_api.")}
    return found


def _modules() -> dict[str, Path]:
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(("lambda_agent_api", *parts))] = path
    return modules


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_each_layer_imports_only_the_layers_below_it(layer: str) -> None:
    modules = _modules()
    wrong = []
    for module, path in modules.items():
        if _layer(module) != layer:
            continue
        for imported in _imports(path, modules):
            if _layer(imported) not in {layer, *ALLOWED[layer]}:
                wrong.append(f"{module} imports {imported}")
    assert wrong == []


def test_no_import_cycle_between_modules() -> None:
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        edges = {m for m in _imports(path, modules) if m in modules and m != name}
        for target in LAZY_BACK_EDGES.get(name, ()):
            assert target not in _imports(path, modules, nested=False), "no longer lazy"
            edges.discard(target)
        graph[name] = edges
    done: set[str] = set()

    def visit(name: str, stack: list[str]) -> None:
        if name in stack:
            pytest.fail("import cycle: " + " -> ".join([*stack[stack.index(name) :], name]))
        if name in done:
            return
        for target in sorted(graph[name]):
            visit(target, [*stack, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


def _loaded_after(statement: str) -> list[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))\n"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded: list[str] = json.loads(result.stdout)
    return loaded


@pytest.mark.parametrize(
    "statement",
    [
        "import lambda_agent_api",
        "import lambda_agent_api.protocol.conversation",
        "import lambda_agent_api.protocol.client_protocol",
        "import lambda_agent_api.protocol.replies",
        "import lambda_agent_api.capture",
        "import lambda_agent_api.check",
        "from lambda_agent_api import PROTOCOL_VERSION, __version__",
        "from lambda_agent_api import AgentException, AgentBusyException",
    ],
)
def test_the_core_loads_no_io_stack(statement: str) -> None:
    loaded = _loaded_after(statement)
    assert [m for m in loaded if m.split(".")[0] in {"websockets", "asyncio"}] == []
    assert "lambda_agent_api.transport.agent_api" not in loaded


def test_validate_loads_neither_pydantic_nor_the_models() -> None:
    """``validate`` checks with pydantic-core validators translated from the schema and a
    transition table keyed by generated, pydantic-free enums: it never pays for pydantic."""
    loaded = _loaded_after(
        "import lambda_agent_api.cli.validate_command, lambda_agent_api.check.files\n"
        "from lambda_agent_api.protocol import transitions, conversation"
    )
    assert "pydantic_core" in loaded
    assert [m for m in loaded if m.split(".")[0] in {"pydantic", "jsonschema"}] == []
    assert "lambda_agent_api.protocol._models" not in loaded


def test_the_models_and_the_core_share_the_generated_enums() -> None:
    from lambda_agent_api.protocol import _enums, _models, messages, transitions

    assert _models.EServerMessage is _enums.EServerMessage is messages.EServerMessage
    assert _models.EClientMessage is _enums.EClientMessage is messages.EClientMessage
    assert list(_enums.AGENT_EVENT_TYPES) == list(messages.AGENT_EVENT_CLASSES)
    assert list(_enums.SERVER_MESSAGE_TYPES) == list(messages.SERVER_MESSAGE_CLASSES)
    assert list(_enums.CLIENT_MESSAGE_TYPES) == list(messages.CLIENT_MESSAGE_CLASSES)
    assert frozenset(messages.AGENT_EVENT_CLASSES) == transitions.AGENT_EVENTS


def test_the_client_is_loaded_when_first_asked_for() -> None:
    loaded = _loaded_after("from lambda_agent_api import AgentApi")
    assert "lambda_agent_api.transport.agent_api" in loaded
    assert "websockets" in loaded


def test_v1_1_import_paths_name_the_same_objects() -> None:
    from lambda_agent_api import AgentApi, AgentBusyException, AgentException, exceptions
    from lambda_agent_api import agent_api as v1_agent_api
    from lambda_agent_api.transport import agent_api

    assert v1_agent_api.AgentApi is AgentApi is agent_api.AgentApi
    assert v1_agent_api.AgentException is AgentException is exceptions.AgentException
    assert v1_agent_api.AgentBusyException is AgentBusyException
    assert set(agent_api.__all__) <= set(v1_agent_api.__all__)
    assert {"AgentApi", "AgentException", "AgentBusyException"} <= set(dir(lambda_agent_api))


def test_an_unknown_root_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        lambda_agent_api.Nope  # noqa: B018
