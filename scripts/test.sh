#!/usr/bin/env bash
# The whole test suite: what a developer runs and what CI (.ci/run) runs.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-postgres.sh
cargo test --workspace --locked
