"""Reproduction commands: quoted for ``sh``, secrets as variable references, kept by report masking.

Explicit examples for what the end-to-end proofs (``tests/supply/test_reproduction.py``) do not
reach: a literal that looks like an expansion, HTTP Basic and vendor headers, the masking of
everything around a kept command, and the rerun line's arguments.
"""

from __future__ import annotations

import base64
import subprocess
from types import SimpleNamespace

from revocation_contracts.pytest_plugin.rerun import SEED_OPTION, _kept, choose_seed
from revocation_contracts.redact import MASK, Redactor, keeping, redact_report
from revocation_contracts.transport.curl import reproduction
from revocation_contracts.transport.shell import Ref, References, word

SECRET = 's3cret-$HOME-`id`-"q"'
CLIENT = "rc-client-a"


def _expand(shell_word: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        ["sh", "-c", f"printf %s {shell_word}"], env=env, capture_output=True, text=True, timeout=10, check=True
    )
    return result.stdout


def test_a_word_expands_its_references_and_nothing_else() -> None:
    literal = 'it\'s $HOME `id` "x" \\'
    shown = word([literal, Ref("REVOKE_CLIENT_SECRET"), "-wrong"])
    assert SECRET not in shown
    assert _expand(shown, {"REVOKE_CLIENT_SECRET": SECRET, "HOME": "/nowhere"}) == f"{literal}{SECRET}-wrong"
    assert _expand(word([literal]), {"HOME": "/nowhere"}) == literal


def test_basic_and_secret_headers_become_references() -> None:
    redactor = Redactor(SECRET)
    redactor.refer(CLIENT, "REVOKE_CLIENT_ID")
    redactor.refer(SECRET, "REVOKE_CLIENT_SECRET")
    basic = base64.b64encode(f"{CLIENT}:{SECRET}".encode()).decode()
    line = reproduction(
        "POST", "http://h/r", {"Authorization": f"Basic {basic}", "X-App-Token": SECRET}, b"token=x", redactor
    )
    assert '-u "${REVOKE_CLIENT_ID}:${REVOKE_CLIENT_SECRET}"' in line
    assert '-H "X-App-Token: ${REVOKE_CLIENT_SECRET}"' in line
    assert SECRET not in line and basic not in line and MASK not in line


def test_a_known_secret_that_is_no_reference_stays_masked() -> None:
    """A minted token or an embedded server's secret, known by value only: masked, not shown."""
    redactor = Redactor("minted-token-value-123")
    line = reproduction(
        "POST",
        "http://h/r",
        {"Content-Type": "application/x-www-form-urlencoded"},
        b"token=minted-token-value-123",
        redactor,
    )
    assert "minted-token-value-123" not in line and MASK in line
    assert reproduction("POST", "http://h/r", {"X-App-Token": SECRET}, None, None).endswith(f"X-App-Token: {MASK}'")


def test_report_masking_keeps_the_exact_commands_and_masks_everything_else() -> None:
    redactor = Redactor(SECRET)
    command = "curl -X POST http://h/r --data-raw token=rc-unknown-token-1 --data-raw client_secret=invented-wrong"
    text = f"got client_secret=leaked {SECRET}\n  reproduce: {command}\nclient_secret=other"
    masked = keeping(redactor, [command])(text)
    assert masked == f"got client_secret={MASK} {MASK}\n  reproduce: {command}\nclient_secret={MASK}"
    assert keeping(redactor, [f"curl {SECRET}"])(f"curl {SECRET}") == f"curl {MASK}"  # values still masked
    report = SimpleNamespace(longrepr=text, sections=[], user_properties=[("p", f'{{"reproduce": "{command}"}}')])
    redact_report(report, redactor, [command])
    assert report.longrepr == masked and command in report.user_properties[0][1]


def test_the_rerun_line_keeps_options_drops_selection_and_names_secrets_by_variable() -> None:
    args = [
        "tests/contract",
        "--spec",
        "polar",
        "--client-secret",
        SECRET,
        f"--second-client-secret={SECRET}",
        "-k",
        "auth",
        "-n",
        "2",
        "--lf",
        "-p",
        "no:randomly",
        "--hypothesis-seed=9",
    ]
    kept = " ".join(_kept(args, ("tests/contract",)))
    assert kept == (
        '--spec polar --client-secret "$REVOKE_CLIENT_SECRET" '
        '--second-client-secret="$REVOKE_SECOND_CLIENT_SECRET" -p no:randomly'
    )


def test_a_run_without_a_seed_gets_one_and_workers_take_the_controllers() -> None:
    controller = SimpleNamespace(option=SimpleNamespace(**{SEED_OPTION: None}))
    controller.getoption = lambda name, default=None: getattr(controller.option, name, default)
    seed = choose_seed(controller)
    assert seed > 0 and getattr(controller.option, SEED_OPTION) == str(seed)
    worker = SimpleNamespace(
        option=SimpleNamespace(**{SEED_OPTION: None}), workerinput={"revocation_contracts_seed": 41}
    )
    worker.getoption = lambda name, default=None: getattr(worker.option, name, default)
    assert choose_seed(worker) == 41


def test_references_replace_long_values_inside_text_and_short_ones_only_whole() -> None:
    references = References({"rc-client-a": "REVOKE_CLIENT_ID", "ab": "SHORT"})
    assert references.parts("/applications/rc-client-a/token") == ["/applications/", Ref("REVOKE_CLIENT_ID"), "/token"]
    assert references.parts("tab") == ["tab"] and references.whole("ab") == [Ref("SHORT")]
