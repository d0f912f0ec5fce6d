"""Rules the whole suite runs under (loaded from tests/conftest.py), so a green run means what it says.

- In CI (`CI=true`, as `.ci/run` sets) every dependency is installed, so a skipped test is a failure: a
  PostgreSQL, Redis, browser or voice test that skips there tested nothing. A test may opt out with
  `@pytest.mark.skip_allowed_in_ci(reason="...")`, and must say why.
- Hypothesis runs derandomized in CI (the same examples on every run) and prints a reproduction blob on
  failure everywhere.
- The API fuzz (schemathesis and the hand-aimed payloads) draws from one seed: a fixed one by default, a new
  one with `MEALKITZ_FUZZ_SEED=random`, or a given one with `MEALKITZ_FUZZ_SEED=<n>` to replay a failure.
  The header of every run prints the seed used.
"""
from __future__ import annotations

import os
import random
from collections.abc import Generator, Mapping
from typing import Any

import pytest
from hypothesis import settings

CI_ENV = "CI"
FUZZ_SEED_ENV = "MEALKITZ_FUZZ_SEED"
FIXED_FUZZ_SEED = 20261203
ALLOW_MARKER = "skip_allowed_in_ci"


def in_ci(environ: Mapping[str, str] = os.environ) -> bool:
    """True when the CI variable says so (GitHub, GitLab and .ci/run set CI=true)."""
    return environ.get(CI_ENV, "").strip().lower() in {"1", "true", "yes"}


def fuzz_seed(environ: Mapping[str, str] = os.environ) -> int:
    """The API fuzz seed for this run: fixed unless MEALKITZ_FUZZ_SEED asks for a random or a given one."""
    wanted = environ.get(FUZZ_SEED_ENV, "").strip().lower()
    if not wanted:
        return FIXED_FUZZ_SEED
    if wanted == "random":
        return random.SystemRandom().randrange(2**32)
    try:
        return int(wanted)
    except ValueError:
        raise pytest.UsageError(f"{FUZZ_SEED_ENV} is 'random' or a whole number, not {wanted!r}") from None


def _decide_fuzz_seed() -> int:
    seed = fuzz_seed()
    # xdist workers inherit the environment: they all fuzz with the seed the controller drew.
    os.environ[FUZZ_SEED_ENV] = str(seed)
    return seed


FUZZ_SEED = _decide_fuzz_seed()

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if in_ci() else "dev")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{ALLOW_MARKER}(reason): a skip CI accepts; the reason says why")


def pytest_report_header(config: pytest.Config) -> list[str]:
    profile = settings.get_current_profile_name()
    return [f"hypothesis profile: {profile}; skips fail the run: {in_ci()}",
            f"API fuzz seed: {FUZZ_SEED} (replay with {FUZZ_SEED_ENV}={FUZZ_SEED}, a new one with "
            f"{FUZZ_SEED_ENV}=random)"]


def _skip_reason(longrepr: Any) -> str:
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


def _allowed(item: pytest.Item) -> bool:
    marker = item.get_closest_marker(ALLOW_MARKER)
    if marker is None:
        return False
    if not (marker.kwargs.get("reason") or marker.args):
        raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.{ALLOW_MARKER} needs a reason")
    return True


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if in_ci() and report.skipped and not hasattr(report, "wasxfail") and not _allowed(item):
        report.outcome = "failed"
        report.longrepr = (f"skipped in CI, where everything the suite needs is installed: "
                           f"{_skip_reason(report.longrepr)}")


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if in_ci() and report.outcome == "skipped":  # a module-level skip or importorskip
        report.outcome = "failed"
        report.longrepr = f"module skipped in CI: {_skip_reason(report.longrepr)}"
