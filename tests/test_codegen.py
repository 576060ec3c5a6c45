"""The generator: committed output matches the schema, drift is caught, names are clean."""

from __future__ import annotations

import ast
import inspect
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pydantic
import pytest
from support.node import require_node

import lambda_agent_api
from lambda_agent_api.protocol import _models

ROOT = Path(__file__).resolve().parent.parent
GENERATE = ROOT / "codegen" / "generate.py"
PACKAGE = ROOT / "python" / "src" / "lambda_agent_api"
MODELS = PACKAGE / "protocol" / "_models.py"


WITHOUT_NODE = ("--target", "python", "--target", "docs")


def run_generate(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    if "--target" not in args:
        require_node()  # one of the targets is the TypeScript package
    return subprocess.run(
        [sys.executable, str(cwd / "codegen" / "generate.py"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def test_committed_python_and_docs_output_is_up_to_date_without_node() -> None:
    result = run_generate("--check", *WITHOUT_NODE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_committed_output_is_up_to_date() -> None:
    result = run_generate("--check")
    assert result.returncode == 0, result.stdout + result.stderr


def edited_schema(tmp_path: Path) -> Path:
    copy = tmp_path / "schema"
    shutil.copytree(ROOT / "schema" / "v1.1", copy)
    end = copy / "server" / "agent_event_end.json"
    doc = json.loads(end.read_text(encoding="utf-8"))
    doc["properties"]["cost"] = {"type": "number", "description": "What the response cost."}
    end.write_text(json.dumps(doc), encoding="utf-8")
    return copy


def test_an_edited_schema_produces_a_diff_and_exit_1_without_node(tmp_path: Path) -> None:
    result = run_generate("--check", f"--schema-dir={edited_schema(tmp_path)}", *WITHOUT_NODE)

    assert result.returncode == 1
    assert "+    cost: float" in result.stdout
    assert "python/src/lambda_agent_api/protocol/_models.py (committed)" in result.stdout
    assert "docs/reference/server/agent_event_end.md (committed)" in result.stdout
    assert "typescript/" not in result.stdout


def test_an_edited_schema_produces_a_diff_in_every_target_and_exit_1(tmp_path: Path) -> None:
    result = run_generate("--check", f"--schema-dir={edited_schema(tmp_path)}")

    assert result.returncode == 1
    assert "+    cost: float" in result.stdout
    assert "python/src/lambda_agent_api/protocol/_models.py (committed)" in result.stdout
    assert "typescript/src/generated/types.ts (committed)" in result.stdout
    assert "+  cost?: number;" in result.stdout
    assert "typescript/src/generated/schemas.ts (committed)" in result.stdout
    assert "docs/reference/server/agent_event_end.md (committed)" in result.stdout


# Runs generate.py with the package made unimportable, and fails when any module was
# loaded from python/src by another way (a path, sys.path): codegen reads files only.
NO_PACKAGE = """
import os, runpy, sys

class NoPackage:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "lambda_agent_api":
            raise ImportError("codegen imported the package: " + name)
        return None

sys.meta_path.insert(0, NoPackage())
sys.path.insert(0, "codegen")
sys.argv = ["generate.py", *sys.argv[1:]]
package = os.path.abspath(os.path.join("python", "src"))
try:
    runpy.run_path("codegen/generate.py", run_name="__main__")
finally:
    loaded = [
        name
        for name, module in list(sys.modules.items())
        if os.path.abspath(getattr(module, "__file__", None) or "/").startswith(package)
    ]
    if loaded:
        print("codegen loaded the package's code:", loaded, file=sys.stderr)
        os._exit(3)
"""

CHECKOUT_PARTS = [
    "codegen",
    "schema",
    "python/src",
    "docs",
    "tests/fixtures/messages",
    "typescript",
]
"""What codegen reads and writes: a checkout without tests, tools or the CLI's examples."""


BUNDLE = Path("python/src/lambda_agent_api/schemas/bundle.json")
"""The one generated file with no header: a schema document, published at its ``$id``."""


def generated_files(checkout: Path) -> list[Path]:
    """Every file under ``checkout`` whose first lines say it is generated, and the bundle."""
    return sorted(
        {BUNDLE}
        | {
            path.relative_to(checkout)
            for path in checkout.rglob("*")
            if path.is_file()
            and "node_modules" not in path.parts
            and "Do not edit" in path.read_text(encoding="utf-8", errors="replace")[:400]
        }
    )


@pytest.mark.parametrize("targets", [WITHOUT_NODE, ()], ids=["python-and-docs", "every-target"])
def test_codegen_runs_from_a_checkout_without_generated_files_or_the_package(
    tmp_path: Path, targets: tuple[str, ...]
) -> None:
    if not targets:
        require_node()
    checkout = tmp_path / "checkout"
    ignore = shutil.ignore_patterns("__pycache__", "node_modules", "build")
    for part in CHECKOUT_PARTS:
        shutil.copytree(ROOT / part, checkout / part, ignore=ignore)
    shutil.copy(ROOT / "ruff.toml", checkout / "ruff.toml")
    if not targets:
        (checkout / "typescript" / "node_modules").symlink_to(ROOT / "typescript" / "node_modules")
    generated = generated_files(checkout)
    expected = {
        "python/src/lambda_agent_api/protocol/_models.py",
        "python/src/lambda_agent_api/protocol/state_machine.py",
        "python/src/lambda_agent_api/_bundle.py",
        "python/src/lambda_agent_api/schemas/bundle.json",
        "docs/rules.md",
        "docs/reference/index.md",
    }
    if not targets:
        expected.add("typescript/src/generated/types.ts")
    assert expected <= {path.as_posix() for path in generated}
    if targets:
        generated = [path for path in generated if path.parts[0] != "typescript"]
    for path in generated:
        (checkout / path).unlink()

    result = subprocess.run(
        [sys.executable, "-c", NO_PACKAGE, *targets],
        capture_output=True,
        text=True,
        cwd=checkout,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    for path in generated:
        assert (checkout / path).read_bytes() == (ROOT / path).read_bytes(), path


def test_the_no_package_guard_catches_a_module_loaded_by_path(tmp_path: Path) -> None:
    # The guard above is what makes the test mean something: loading package code by a
    # path (as codegen once did) must fail it, not only `import lambda_agent_api`.
    checkout = tmp_path / "checkout"
    shutil.copytree(
        ROOT / "python" / "src",
        checkout / "python" / "src",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (checkout / "codegen").mkdir()
    (checkout / "codegen" / "generate.py").write_text(
        "import importlib.util, sys\n"
        "path = 'python/src/lambda_agent_api/protocol/rules.py'\n"
        "spec = importlib.util.spec_from_file_location('rules_by_path', path)\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "sys.modules['rules_by_path'] = module\n"
        "spec.loader.exec_module(module)\n",
        encoding="utf-8",
    )

    result = subprocess.run(
        [sys.executable, "-c", NO_PACKAGE], capture_output=True, text=True, cwd=checkout
    )

    assert result.returncode == 3
    assert "rules_by_path" in result.stderr


def test_generated_files_say_do_not_edit() -> None:
    assert "Do not edit" in MODELS.read_text(encoding="utf-8").splitlines()[0]
    data = json.loads((PACKAGE / "schemas" / "v1_1.json").read_text(encoding="utf-8"))
    assert "Do not edit" in data["$comment"]


def test_no_generated_name_ends_in_a_digit() -> None:
    tree = ast.parse(MODELS.read_text(encoding="utf-8"))
    names = [
        node.name if isinstance(node, ast.ClassDef) else node.target.id  # type: ignore[union-attr]
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        or (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name))
    ]
    assert len(names) > 10
    assert [n for n in names if n[-1].isdigit()] == []
    assert "Model" not in names


def test_no_root_model_anywhere_in_the_package() -> None:
    for path in PACKAGE.rglob("*.py"):
        assert "RootModel" not in path.read_text(encoding="utf-8"), path
    for _, cls in inspect.getmembers(_models, inspect.isclass):
        assert not issubclass(cls, pydantic.RootModel), cls


@pytest.mark.parametrize(
    "name",
    [
        "MsgUserMessage",
        "MsgStatus",
        "MsgError",
        "MsgGracefulDisconnect",
        "MsgEventTextChunk",
        "MsgEventToolCallChunk",
        "MsgEventToolResult",
        "MsgEventCustomUpdate",
        "MsgEventSendFile",
        "MsgEventEnd",
    ],
)
def test_one_class_per_message_with_its_literal_type_as_default(name: str) -> None:
    cls = getattr(_models, name)
    default = cls.model_fields["type"].default
    instance = cls.model_construct()
    assert instance.type is default
    assert isinstance(default, (_models.EServerMessage, _models.EClientMessage))


def test_package_version_is_set() -> None:
    assert lambda_agent_api.__version__
