"""The suite's own rules (tests/suite_rules.py), tried on a small suite in a separate pytest process."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.suite_rules import FIXED_FUZZ_SEED, FUZZ_SEED_ENV, fuzz_seed, in_ci

ROOT = Path(__file__).resolve().parent.parent

SMALL_SUITE = '''
import os
import pytest
from hypothesis import given, settings, strategies as st

def test_passes():
    assert True

def test_needs_a_server():
    pytest.skip("no server here")

@pytest.mark.skip_allowed_in_ci(reason="only meaningful on a developer's laptop")
def test_allowed_to_skip():
    pytest.skip("laptop only")

@pytest.mark.xfail(strict=True, reason="known")
def test_known_failure():
    assert False

def test_hypothesis_profile():
    assert settings().derandomize is (os.environ.get("CI") == "true")
'''
MODULE_SKIP = '''
import pytest
pytest.importorskip("a_module_nobody_installed")

def test_never_collected():
    pass
'''


def run_small_suite(tmp_path: Path, ci: bool) -> subprocess.CompletedProcess[str]:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_small.py").write_text(SMALL_SUITE)
    (tmp_path / "test_module_skip.py").write_text(MODULE_SKIP)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", FUZZ_SEED_ENV)}
    env.update(PYTHONPATH=str(ROOT), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")  # the rules alone, started quickly
    if ci:
        env["CI"] = "true"
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "tests.suite_rules", "-p", "no:cacheprovider",
                           "-rA", "--continue-on-collection-errors", "--rootdir", str(tmp_path), str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def outcome_lines(output: str) -> set[str]:
    return {line.split(" - ")[0].strip() for line in output.splitlines()
            if line.startswith(("PASSED", "FAILED", "SKIPPED", "XFAIL", "ERROR"))}


def test_in_ci_every_skip_fails_unless_allowed_and_module_skips_too(tmp_path: Path) -> None:
    run = run_small_suite(tmp_path, ci=True)
    lines = outcome_lines(run.stdout)
    assert run.returncode == 1, run.stdout
    assert "FAILED test_small.py::test_needs_a_server" in lines
    assert any(line.startswith("SKIPPED") and "test_small.py" in line for line in lines), run.stdout  # allowed
    assert "XFAIL test_small.py::test_known_failure" in lines
    assert "PASSED test_small.py::test_hypothesis_profile" in lines  # derandomized in CI
    assert "ERROR test_module_skip.py" in lines
    assert "skipped in CI, where everything the suite needs is installed: Skipped: no server here" in run.stdout
    assert f"API fuzz seed: {FIXED_FUZZ_SEED}" in run.stdout


def test_outside_ci_skips_stay_skips_with_their_reasons(tmp_path: Path) -> None:
    run = run_small_suite(tmp_path, ci=False)
    assert run.returncode == 0, run.stdout
    assert "no server here" in run.stdout and "a_module_nobody_installed" in run.stdout
    assert "PASSED test_small.py::test_hypothesis_profile" in outcome_lines(run.stdout)  # random outside CI


def test_an_allowed_skip_must_say_why(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_no_reason.py").write_text(
        "import pytest\n@pytest.mark.skip_allowed_in_ci\ndef test_x():\n    pytest.skip('why?')\n")
    env = {**os.environ, "CI": "true", "PYTHONPATH": str(ROOT), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "tests.suite_rules", "-p", "no:cacheprovider",
                          "--rootdir", str(tmp_path), str(tmp_path)], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode != 0 and "needs a reason" in run.stdout + run.stderr


@pytest.mark.parametrize(("value", "ci"), [("true", True), ("TRUE", True), ("1", True), ("", False),
                                           ("false", False), ("0", False)])
def test_ci_is_read_from_the_environment(value: str, ci: bool) -> None:
    assert in_ci({"CI": value}) is ci
    assert in_ci({}) is False


def test_the_fuzz_seed_is_fixed_unless_asked_for_random_or_a_given_one() -> None:
    assert fuzz_seed({}) == fuzz_seed({FUZZ_SEED_ENV: ""}) == FIXED_FUZZ_SEED
    assert fuzz_seed({FUZZ_SEED_ENV: "4242"}) == 4242
    drawn = {fuzz_seed({FUZZ_SEED_ENV: "random"}) for _ in range(5)}
    assert len(drawn) > 1 and all(0 <= seed < 2**32 for seed in drawn)
    with pytest.raises(pytest.UsageError):
        fuzz_seed({FUZZ_SEED_ENV: "sometimes"})
