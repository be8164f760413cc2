"""The dependency gate (scripts/check-dependencies.sh): the offline part on this venv, and that
the gate fails when it should - WeasyPrint below 70, a pin not installed, a vulnerability found,
and a pip-audit that "found nothing" because it could look nothing up (a fake pip-audit stands in
for the network, which this machine does not have)."""
from __future__ import annotations

import json
import re
import subprocess
from importlib.metadata import version
from pathlib import Path

from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check-dependencies.sh"


def gate(*args: str, pip_audit: Path | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "PYTHON": str(ROOT / ".venv" / "bin" / "python")}
    if pip_audit is not None:
        env["PIP_AUDIT"] = str(pip_audit)
    return subprocess.run([str(SCRIPT), *args], cwd=str(ROOT), env=env, capture_output=True, text=True, timeout=120)


def fake_pip_audit(tmp_path: Path, report: dict, rc: int = 0) -> Path:
    path = tmp_path / "pip-audit"
    path.write_text(f"#!/bin/sh\ncat <<'EOF'\n{json.dumps(report)}\nEOF\nexit {rc}\n")
    path.chmod(0o755)
    return path


def test_weasyprint_is_pinned_and_installed_at_70_or_later():
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (ROOT / "requirements.txt").read_text(), re.M))
    assert Version(pins["weasyprint"]) >= Version("70.0")
    assert Version(version("weasyprint")) >= Version("70.0")


def test_offline_gate_passes_on_this_venv():
    result = gate("--offline")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"offline gate: \d+ pins installed as pinned", result.stdout)
    assert "weasyprint 70" in result.stdout and "dependency gate: passed" in result.stdout


def test_gate_fails_when_weasyprint_is_below_70_or_not_pinned(tmp_path):
    old = tmp_path / "old.txt"
    old.write_text("weasyprint==69.0\n")
    result = gate("--offline", "--requirements", str(old))
    assert result.returncode == 1
    assert "weasyprint pinned 69.0 < 70.0" in result.stdout and "but 70.0 is installed" in result.stdout
    unpinned = tmp_path / "unpinned.txt"
    unpinned.write_text("flask>=3\n")
    result = gate("--offline", "--requirements", str(unpinned))
    assert result.returncode == 1
    assert "not pinned exactly" in result.stdout and "weasyprint is not pinned" in result.stdout


def test_a_pip_audit_that_could_look_nothing_up_is_not_a_pass(tmp_path):
    """What pip-audit really answers on this machine without --strict: every dependency skipped,
    exit 0, "No known vulnerabilities found". The gate must call that unreachable."""
    skipped = {"dependencies": [{"name": "flask", "skip_reason": "Dependency not found on PyPI and could not be "
                                                                 "audited: flask (3.1.3)"}], "fixes": []}
    fake = fake_pip_audit(tmp_path, skipped, rc=0)
    result = gate(pip_audit=fake)
    assert result.returncode == 0 and "online audit: unreachable" in result.stdout
    assert "could not be reached" in result.stderr
    assert gate("--require-online", pip_audit=fake).returncode == 3


def test_a_vulnerability_found_online_fails_the_gate(tmp_path):
    found = {"dependencies": [{"name": "weasyprint", "version": "70.0", "vulns": [
        {"id": "GHSA-xxxx-yyyy-zzzz", "fix_versions": ["70.1"], "aliases": []}]}], "fixes": []}
    result = gate(pip_audit=fake_pip_audit(tmp_path, found, rc=1))
    assert result.returncode == 1
    assert "GHSA-xxxx-yyyy-zzzz (fixed in 70.1)" in result.stdout and "dependency gate: FAILED" in result.stdout


def test_a_clean_online_audit_passes(tmp_path):
    clean = {"dependencies": [{"name": "flask", "version": "3.1.3", "vulns": []}], "fixes": []}
    result = gate("--require-online", pip_audit=fake_pip_audit(tmp_path, clean))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "online audit: ok (pypi)" in result.stdout


LOCKS = ("requirements.txt", "requirements-dev.txt", "requirements-bench.txt")


def pins_of(path: Path) -> dict[str, str]:
    return {re.sub(r"[-_.]+", "-", name.lower()): pinned for name, pinned in
            re.findall(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)", path.read_text(encoding="utf-8"), re.M)}


def test_every_installed_package_is_pinned_in_the_lock_files():
    args = ["--offline", "--all-installed"]
    for lock in LOCKS:
        args += ["--requirements", lock]
    result = gate(*args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "installed but not pinned" not in result.stdout


def test_a_package_installed_but_not_pinned_fails_the_gate():
    # pytest is installed (it runs this test) and pinned in requirements-dev.txt only.
    result = gate("--offline", "--all-installed")
    assert result.returncode == 1
    assert f"pytest {version('pytest')} is installed but not pinned in requirements.txt" in result.stdout


def test_the_lock_holds_every_direct_dependency_at_its_pin_and_what_weasyprint_uses():
    """requirements.txt is compiled from requirements.in (`make lock`): the direct dependencies at
    the versions requirements.in names, and the packages under them, e.g. the two that change the
    PDF and floated before they were locked."""
    wanted, locked = pins_of(ROOT / "requirements.in"), pins_of(ROOT / "requirements.txt")
    assert wanted and {name: locked.get(name) for name in wanted} == wanted
    assert {"fonttools", "cssselect2", "psycopg-binary"} <= set(locked)
