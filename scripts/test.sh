#!/usr/bin/env bash
# The whole test suite: what a developer runs and what CI (.ci/run) runs.
set -euo pipefail
cd "$(dirname "$0")/.."

# Formatting first: it fails in a second, before anything is built.
cargo fmt --all -- --check
bash scripts/ensure-postgres.sh
# The web UI's packages (the server's build script builds the UI into the binary).
if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    (cd web && npm ci --no-audit --no-fund)
fi
# The front end's unit tests (Vitest).
(cd web && npx vitest run)
# Readers of the documents the platform writes: LibreOffice opens the DOCX, poppler's pdftotext
# reads the PDFs (integration and browser tests); a CJK font for LibreOffice and screenshots.
if ! command -v soffice >/dev/null || ! command -v pdftotext >/dev/null || ! command -v chromium >/dev/null ||
    ! fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk"; then
    apt-get update >/dev/null || true
    apt-get install -y --no-install-recommends chromium fonts-wqy-microhei libreoffice-writer-nogui poppler-utils >/dev/null
fi
cargo test --workspace --locked
# The UI's initial JavaScript stays under its budget (web/dist was built by the server's build).
(cd web && npm run size)
# Lints, as errors: the code base is clippy-clean and stays so.
cargo clippy --workspace --all-targets --locked -- -D warnings

# Time is an input: the date-dependent integration tests run again with the platform's clock
# on fixed days, so that a test which holds only on some days fails on every day
# (`FIXED_DAYS` in crates/cli/tests/it/support.rs; a tidy test keeps the two lists equal).
fixed_days="2026-12-01 2026-12-10 2026-12-11 2026-11-30 2027-01-31 2027-02-28 2028-02-29 2026-12-31"
dated_tests="data:: disposal:: documents:: opinions:: persons:: livelihood:: server::"
for day in $fixed_days; do
    echo "date-dependent tests on $day"
    # shellcheck disable=SC2086
    MINGJING_TEST_DAY="$day" cargo test -p mingjing --test it --locked -q -- $dated_tests
done

# The contract test: Schemathesis against the demo server, as each role (docs/contract.md).
bash scripts/contract.sh

# The browser test: Debian's Chromium (installed above).
target="${CARGO_TARGET_DIR:-target}"
MINGJING_BIN="$target/debug/mingjing" node web/tests/e2e.mjs
