#!/usr/bin/env bash
# Builds and runs a scratch downstream crate (.ci/downstream) against this checkout, as a user
# of the README would set it up: path dependency, current rand, the profile override.
#   .ci/downstream.sh            with the README's [profile.dev.package.tapegrad] opt-level = 3
#   .ci/downstream.sh --no-profile   without it (to measure what the override buys)
# Extra arguments after the flag go to the program (the number of GD steps). Then the
# project's tests: its own gradient checks with tapegrad-proptest.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
profile='[profile.dev.package.tapegrad]
opt-level = 3'
if [[ "${1:-}" == "--no-profile" ]]; then
    profile=''
    shift
fi
work="${DOWNSTREAM_DIR:-$(mktemp -d)}"
mkdir -p "$work/src"
mkdir -p "$work/tests"
cp "$root/.ci/downstream/src/main.rs" "$work/src/main.rs"
cp "$root/.ci/downstream/tests/my_gradients.rs" "$work/tests/my_gradients.rs"
python3 - "$root/.ci/downstream/Cargo.toml.in" "$work/Cargo.toml" "$root" "$profile" <<'PY'
import sys
src, dst, root, profile = sys.argv[1:5]
text = open(src).read().replace("@TAPEGRAD@", root).replace("@PROFILE@", profile)
open(dst, "w").write(text)
PY
cd "$work"
cargo run --quiet -- "$@"
# The user's own gradient checks (`cargo test`, tapegrad-proptest as a dev-dependency).
cargo test --quiet
