#!/usr/bin/env bash
# The contract test from outside (docs/contract.md): Schemathesis runs against the demo
# server from its own OpenAPI document, signed in as each role with its CSRF token, and
# fails on any 5xx, any response that violates its schema, any undocumented status code or
# content type.
#
#   bash scripts/contract.sh                 # the server built at ${CARGO_TARGET_DIR:-target}/debug
#   MINGJING_BIN=path/to/mingjing bash scripts/contract.sh
#
# Tunable (the defaults are what CI runs): CONTRACT_SEED, CONTRACT_MAX_EXAMPLES (per
# operation and phase), CONTRACT_TIME (seconds shared by the roles' runs), CONTRACT_WORKERS,
# CONTRACT_ROLES (comma-separated role codes), CONTRACT_OUT (where the reports go),
# CONTRACT_HAR=1 (record every request and response too).
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${MINGJING_BIN:-${CARGO_TARGET_DIR:-target}/debug/mingjing}"
if [ ! -x "$bin" ]; then
    echo "error: no server binary at $bin (build it, or set MINGJING_BIN)" >&2
    exit 2
fi

# Schemathesis, pinned, in a virtual environment made once and reused.
schemathesis_version=4.32.5
venv="${CONTRACT_VENV:-/var/tmp/mingjing-contract-venv}"
if [ "$("$venv/bin/schemathesis" --version 2>/dev/null)" != "schemathesis, version $schemathesis_version" ]; then
    rm -rf "$venv"
    if ! python3 -m venv "$venv"; then
        # Debian's Python keeps venv in a package of its own.
        apt-get update >/dev/null || true
        apt-get install -y --no-install-recommends python3-venv >/dev/null
        rm -rf "$venv"
        python3 -m venv "$venv"
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
fi

# No __pycache__ in the work tree.
export PYTHONDONTWRITEBYTECODE=1
out="${CONTRACT_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/mj-contract-out.XXXXXX")}"
exec "$venv/bin/python" scripts/contract/run.py \
    --bin "$bin" \
    --schemathesis "$venv/bin/schemathesis" \
    --out "$out" \
    --seed "${CONTRACT_SEED:-2126}" \
    --max-examples "${CONTRACT_MAX_EXAMPLES:-10}" \
    --time "${CONTRACT_TIME:-360}" \
    --workers "${CONTRACT_WORKERS:-1}" \
    --roles "${CONTRACT_ROLES:-}" \
    ${CONTRACT_HAR:+--har}
