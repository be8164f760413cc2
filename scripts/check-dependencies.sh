#!/usr/bin/env bash
# The dependency security gate (`make check`; tests/system/test_dependencies.py runs the offline part).
#
#   scripts/check-dependencies.sh                  online audit if reachable, then the offline gate
#   scripts/check-dependencies.sh --offline        the offline gate only
#   scripts/check-dependencies.sh --require-online fail (exit 3) when the online audit cannot run
#   scripts/check-dependencies.sh --requirements FILE …   other pin files (default: requirements.txt)
#   scripts/check-dependencies.sh --all-installed  also: every package installed is pinned in them
#
# 1. Online: pip-audit against the pins, first against PyPI's vulnerability data, then OSV.
#    Always with --strict: without it pip-audit prints "No known vulnerabilities found" and exits 0
#    even when it could look up NOTHING (every dependency "skipped") - which is exactly what it
#    does on a machine whose PyPI mirror serves /simple but not the JSON API. A skipped dependency
#    is therefore "could not audit", never "no known vulnerabilities".
# 2. Offline (always): every pin is installed at exactly that version (the venv is what was
#    audited and tested), WeasyPrint >= 70.0 pinned and installed (61.2, 68.0, 69.0 and 70.0 were
#    security releases; docs/typesetting.md), and the security floors below. With --all-installed,
#    also no package installed that the files do not pin (`make check` passes the three lock
#    files compiled from requirements*.in: a package that floats is one nobody tested).
#
# Exit: 0 passed (a warning says so when the online audit could not run), 1 a gate failed,
#       3 the online audit could not run and --require-online was given.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
PIP_AUDIT="${PIP_AUDIT:-.venv/bin/pip-audit}"

offline=0
require_online=0
all_installed=0
requirements=()
while [ $# -gt 0 ]; do
    case "$1" in
        --offline) offline=1 ;;
        --require-online) require_online=1 ;;
        --all-installed) all_installed=1 ;;
        --requirements) shift; requirements+=("$1") ;;
        -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
    shift
done
[ ${#requirements[@]} -eq 0 ] && requirements=(requirements.txt)

status=0
online="not run (--offline)"
if [ "$offline" -eq 0 ]; then
    online="unreachable"
    for service in pypi osv; do
        args=()
        for r in "${requirements[@]}"; do args+=(-r "$r"); done
        out=$(mktemp) err=$(mktemp)
        "$PIP_AUDIT" "${args[@]}" --no-deps --disable-pip --strict --progress-spinner off --timeout 15 \
            -s "$service" -f json >"$out" 2>"$err"
        rc=$?
        verdict=$("$PYTHON" - "$out" "$err" "$rc" <<'PY'
import json, sys
out, err, rc = open(sys.argv[1]).read(), open(sys.argv[2]).read(), int(sys.argv[3])
try:
    deps = json.loads(out)["dependencies"]
except (ValueError, KeyError):
    deps = None
if deps is None:
    # --strict stops at the first dependency it could not look up; or the service is unreachable.
    line = next((l for l in err.splitlines() if "could not be audited" in l or "Error" in l), err.strip()[-300:])
    print("UNREACHABLE " + line.replace("\n", " ")[:300])
    sys.exit()
skipped = [d["name"] for d in deps if d.get("skip_reason")]
vulnerable = [f"{d['name']} {d.get('version')}: " + ", ".join(v["id"] + (f" (fixed in {', '.join(v['fix_versions'])})"
              if v.get("fix_versions") else "") for v in d["vulns"]) for d in deps if d.get("vulns")]
if vulnerable:
    print("VULNERABLE " + "; ".join(vulnerable))
elif skipped:
    print(f"UNREACHABLE could not audit {len(skipped)} of {len(deps)}: {', '.join(skipped[:8])}")
else:
    print(f"OK {len(deps)} dependencies audited, no known vulnerabilities")
PY
)
        rm -f "$out" "$err"
        case "$verdict" in
            OK*) online="ok ($service): ${verdict#OK }"; break ;;
            VULNERABLE*) online="FAILED ($service): ${verdict#VULNERABLE }"; status=1; break ;;
            *) echo "pip-audit via $service could not audit: ${verdict#UNREACHABLE }" >&2 ;;
        esac
    done
fi

"$PYTHON" - "$all_installed" "${requirements[@]}" <<'PY'
"""The offline gate: pins installed exactly, WeasyPrint >= 70, security floors."""
import re
import sys
from importlib.metadata import PackageNotFoundError, distributions, version

from packaging.version import Version

# Lowest versions without a published vulnerability that matters here (checked by hand; the
# online audit is the real source - keep this short and cite each entry).
FLOORS = {
    "weasyprint": ("70.0", "security releases 61.2 (CVE-2024-28184, attachments), 68.0, 69.0, 70.0"),
    "jinja2": ("3.1.6", "CVE-2024-56201, CVE-2024-56326, CVE-2025-27516 (sandbox escapes)"),
    "werkzeug": ("3.0.6", "CVE-2024-34069 (debugger), CVE-2024-49766, CVE-2024-49767 (multipart DoS)"),
    "flask": ("3.1.1", "CVE-2025-47278 (SECRET_KEY_FALLBACKS signing key)"),
    "gunicorn": ("23.0.0", "CVE-2024-1135, CVE-2024-6827 (request smuggling)"),
    "pypdf": ("6.0.0", "CVE-2025-55197 and earlier decompression DoS fixes"),
}
REQUIRED = {"weasyprint"}   # must be pinned: the gate is pointless if it silently disappears

all_installed, files = sys.argv[1] == "1", sys.argv[2:]
failures, notes = [], []
pins = {}
for path in files:
    for number, raw in enumerate(open(path, encoding="utf-8"), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        m = re.fullmatch(r"([A-Za-z0-9._-]+)(\[[^\]]*\])?\s*==\s*([^\s;]+)(\s*;.*)?", line)
        if not m:
            failures.append(f"{path}:{number}: not pinned exactly (name==version): {line}")
            continue
        # Names as PEP 503 compares them: case, "-", "_" and "." do not matter.
        pins[re.sub(r"[-_.]+", "-", m.group(1).lower())] = (m.group(3), f"{path}:{number}")
for name, (pinned, where) in sorted(pins.items()):
    try:
        installed = version(name)
    except PackageNotFoundError:
        failures.append(f"{name}=={pinned} ({where}) is not installed")
        continue
    if Version(installed) != Version(pinned):
        failures.append(f"{name}: pinned {pinned} ({where}) but {installed} is installed")
for name, (floor, why) in FLOORS.items():
    if name not in pins:
        if name in REQUIRED:
            failures.append(f"{name} is not pinned in {', '.join(files)}")
        continue
    pinned = pins[name][0]
    try:
        installed = version(name)
    except PackageNotFoundError:
        installed = None
    for label, value in (("pinned", pinned), ("installed", installed)):
        if value is not None and Version(value) < Version(floor):
            failures.append(f"{name} {label} {value} < {floor}: {why}")
    notes.append(f"{name} {pinned} >= {floor}")
if all_installed:
    installed = {re.sub(r"[-_.]+", "-", d.metadata["Name"].lower()): d.version for d in distributions()}
    for name in sorted(set(installed) - set(pins)):
        failures.append(f"{name} {installed[name]} is installed but not pinned in {', '.join(files)}")
for f in failures:
    print(f"FAIL {f}")
print(f"offline gate: {len(pins)} pins installed as pinned" if not failures else
      f"offline gate: {len(failures)} failure(s)")
print("floors: " + "; ".join(notes))
sys.exit(1 if failures else 0)
PY
[ $? -ne 0 ] && status=1

echo "online audit: $online"
if [ "$status" -eq 0 ] && [ "${online%% *}" = "unreachable" ]; then
    echo "WARNING: the vulnerability service could not be reached from here; only the offline gate ran." >&2
    echo "         Run scripts/check-dependencies.sh --require-online where PyPI's JSON API or OSV is reachable." >&2
    [ "$require_online" -eq 1 ] && exit 3
fi
[ "$status" -eq 0 ] && echo "dependency gate: passed" || echo "dependency gate: FAILED"
exit "$status"
