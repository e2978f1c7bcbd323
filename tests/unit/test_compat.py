"""Upgrade tripwire: the private seams of schemathesis (``revocation_contracts.compat``) still exist,
the installed versions are the ones the pins allow, and no other module reaches past the public APIs;
the parse lock still covers the parsers of a run, and Hypothesis still has the modules it imports lazily.

When this fails after an upgrade, the message names the seam that moved: update ``compat.py``
(and its pins in ``pyproject.toml``), never the caller.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
import schemathesis
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from revocation_contracts import compat

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "revocation_contracts"
# Imports of library internals: schemathesis' private packages and pytest's _pytest.
PRIVATE_IMPORT = re.compile(
    r"^\s*(?:from|import)\s+(?:schemathesis\.(?:core|specs|generation|engine|checks|config)|_pytest)\b", re.M
)


def _pinned(name: str) -> SpecifierSet:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for line in project["dependencies"]:
        requirement = Requirement(line)
        if requirement.name == name:
            return requirement.specifier
    raise AssertionError(f"{name} is not a dependency in pyproject.toml")


PINS = [("schemathesis", compat.SCHEMATHESIS_RANGE), ("pytest", compat.PYTEST_RANGE)]


@pytest.mark.parametrize(("name", "declared"), PINS)
def test_installed_versions_are_the_pinned_ones(name: str, declared: str) -> None:
    assert _pinned(name) == SpecifierSet(declared), f"compat.py and pyproject.toml disagree on {name}"
    installed = version(name)
    assert installed in SpecifierSet(declared), (
        f"{name} {installed} is outside {declared}: re-check the seams in revocation_contracts/compat.py, "
        "then move the pin"
    )


def test_failure_seam_still_takes_our_keywords() -> None:
    parameters = inspect.signature(compat.Failure.__init__).parameters
    missing = [keyword for keyword in compat.FAILURE_KEYWORDS if keyword not in parameters]
    assert not missing, f"schemathesis Failure no longer takes {missing}"
    assert compat.FAILURE_DEDUP_KEY in dir(compat.Failure), "schemathesis Failure lost its de-duplication key"
    # rules/checks.py raises its failures at HIGH; schemathesis orders failures by severity, most severe first.
    assert compat.Severity.HIGH < compat.Severity.MEDIUM, "schemathesis no longer orders HIGH first"


def test_operation_builder_seam_takes_our_keywords() -> None:
    from schemathesis.pytest._test_builder import build_operation_test

    parameters = inspect.signature(build_operation_test).parameters
    missing = [keyword for keyword in compat.BUILDER_KEYWORDS if keyword not in parameters]
    assert not missing, f"schemathesis build_operation_test no longer takes {missing}"


def test_operation_builder_runs_every_phase(tmp_path) -> None:
    """The seam still builds one Hypothesis test that runs the examples, coverage and fuzzing
    phases: the document's example comes first, the coverage phase sends an undocumented media
    type, and fuzzing draws more cases."""
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/revoke": {
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {
                                    "type": "object",
                                    "required": ["token"],
                                    "properties": {"token": {"type": "string", "example": "rc-example-token"}},
                                }
                            }
                        },
                    },
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }
    config = schemathesis.Config.from_dict(
        {"generation": {"mode": "all", "max-examples": 5, "database": "none"}, "seed": 1}
    )
    schema = schemathesis.openapi.from_dict(document, config=config)
    operation = schema["/revoke"]["POST"]
    seen: list[tuple[str | None, object]] = []

    def record(case: schemathesis.Case, marker: str) -> None:
        seen.append((case.media_type, case.body))

    compat.operation_test(schema, operation, record)(marker="x")
    bodies = [body for _, body in seen]
    assert {"token": "rc-example-token"} in bodies, "the examples phase no longer runs"
    assert any(media != "application/x-www-form-urlencoded" for media, _ in seen), "no coverage probe"
    assert len(seen) > 5, "the fuzzing phase drew nothing"


@pytest.mark.parametrize("spec", ["rfc7009", "mollie"])
def test_a_second_run_generates_the_same_cases_when_generation_is_kept(spec: str) -> None:
    """The schema test's side-by-side pass runs the operation test once to collect its cases; the
    run after it (when a case failed) must generate what it would have alone. Without
    ``generation_kept`` the second run leaves out the coverage phase's unexpected methods."""
    from revocation_contracts.model.contract import load_contract
    from revocation_contracts.rules.schema_suite import load_schema

    contract = load_contract(spec)
    schema = load_schema(contract, 10, 3, "rc-client")
    operation = schema[next(iter(schema))][contract.method.upper()]

    def run() -> list[tuple[object, ...]]:
        seen: list[tuple[object, ...]] = []

        def record(case: schemathesis.Case, sink: list[tuple[object, ...]]) -> None:
            sink.append((case.method, case.media_type, repr(case.body), case.headers, case.query))

        compat.operation_test(schema, operation, record)(sink=seen)
        return seen

    with compat.generation_kept(schema):
        first = run()
    assert any(method != contract.method.upper() for method, *_ in first), "no unexpected method: nothing proven"
    assert run() == first, f"schemathesis keeps another memory between runs than {compat.COVERAGE_MEMORY}"


def test_failure_classification_seams() -> None:
    from schemathesis.core import failures
    from schemathesis.openapi import checks

    assert compat.is_server_error(failures.ServerError(operation="POST /r", status_code=500))
    accepted = failures.AcceptedNegativeData(
        operation="POST /r", message="m", status_code=200, expected_statuses=["400"]
    )
    assert compat.is_acceptance_verdict(accepted) and not compat.is_server_error(accepted)
    assert issubclass(checks.RejectedPositiveData, compat.Failure)


def test_failure_subclass_is_reported_by_schemathesis() -> None:
    """A check raising a Failure subclass is what schemathesis collects as a typed failure."""
    failure = compat.Failure(operation="POST /revoke", title="t", message="m", severity=compat.Severity.HIGH)
    assert isinstance(failure, AssertionError), "schemathesis failures are no longer AssertionErrors"


def test_public_seams_we_use_exist(pytestconfig: pytest.Config) -> None:
    assert callable(schemathesis.openapi.from_dict) and callable(schemathesis.Config.from_dict)
    assert callable(schemathesis.BaseSchema.get_all_operations)
    validate = inspect.signature(schemathesis.Case.validate_response).parameters
    assert {"additional_checks", "headers", "transport_kwargs"} <= set(validate)
    assert {"base_url", "session"} <= set(inspect.signature(schemathesis.Case.call).parameters)
    # pytest_plugin/activation.py decides from these; suite.py keeps its state in the stash.
    assert isinstance(pytestconfig.args, list) and pytestconfig.invocation_params.dir.is_dir()
    assert isinstance(pytestconfig.stash, pytest.Stash) and hasattr(pytest, "StashKey")


def test_no_module_but_compat_imports_library_internals() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0).strip()}"
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "compat.py"
        for match in PRIVATE_IMPORT.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, "import these through revocation_contracts.compat: " + "; ".join(offenders)


# -- the seams of issue 17 (semantics/warm.py): the parse lock and Hypothesis' lazily imported modules --

# The parsers of a pytest run that may run in a worker thread: pytest's assertion rewriter and
# traceback formatting, Hypothesis' constants scan, lambda and failure descriptions.
PARSERS = [
    "_pytest.assertion.rewrite",
    "_pytest._code.source",
    "hypothesis.internal.constants_ast",
    "hypothesis.internal.lambda_sources",
    "hypothesis.internal.reflection",
    "hypothesis.vendor.pretty",
]


@pytest.mark.parametrize("name", PARSERS)
def test_the_parsers_of_a_run_call_ast_parse_through_the_module(name: str) -> None:
    """``compat.parse_one_at_a_time`` replaces ``ast.parse`` on the module: it orders only callers
    that look it up there when they parse. One that binds the function when it is imported, or
    builds its AST with ``compile`` directly, escapes the lock; this names it."""
    text = inspect.getsource(importlib.import_module(name))
    assert "ast.parse(" in text, f"{name} no longer parses with ast.parse: the parse lock may not cover it"
    assert "from ast import parse" not in text and "PyCF_ONLY_AST" not in text, f"{name} escapes the parse lock"


def test_the_parse_lock_replaces_ast_parse_and_keeps_its_answers() -> None:
    compat.parse_one_at_a_time()
    compat.parse_one_at_a_time()  # idempotent: never wraps itself
    assert ast.parse is compat._parse_alone and compat._parse is not compat._parse_alone
    assert ast.dump(ast.parse("x = 1")) == ast.dump(compat._parse("x = 1"))
    assert not compat.parsing_under_lock()


@pytest.mark.parametrize("name", compat.HYPOTHESIS_LAZY_MODULES)
def test_hypothesis_still_has_the_modules_it_imports_lazily(name: str) -> None:
    """The warm-up imports these in the main thread so no worker thread does; a release that
    moves one would leave that import to a thread. Update ``HYPOTHESIS_LAZY_MODULES`` from the
    module that now holds what it held (the thread audit of tests/supply names the import)."""
    try:
        importlib.import_module(name)
    except ImportError as error:
        raise AssertionError(f"Hypothesis no longer has {name}: update compat.HYPOTHESIS_LAZY_MODULES") from error


def test_junit_global_property_reaches_the_junit_xml(pytester: pytest.Pytester) -> None:
    """The seam behind the ``revocation-coverage`` testsuite property: pytest's ``--junitxml``
    plugin is still found by class name and still takes ``add_global_property`` (what
    ``record_testsuite_property`` hands out); without ``--junitxml`` there is nothing to add to."""
    pytester.makeconftest(
        "import pytest\n"
        "from revocation_contracts import compat\n"
        "@pytest.hookimpl(tryfirst=True)\n"
        "def pytest_sessionfinish(session):\n"
        "    session.config.found = compat.junit_global_property(session.config.pluginmanager, 'seam', 'ok')\n"
    )
    pytester.makepyfile("def test_one():\n    pass\n")
    pytester.runpytest("-p", "no:cacheprovider", "--junitxml=junit.xml").assert_outcomes(passed=1)
    assert '<property name="seam" value="ok"' in (pytester.path / "junit.xml").read_text(encoding="utf-8")
    assert not compat.junit_global_property(pytester.parseconfigure().pluginmanager, "seam", "ok")
