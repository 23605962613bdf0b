#!/usr/bin/env bash
# Installs every tool ZooScope's build and tests need, from the package
# registries only (crates.io, Debian, npm), and skips whatever is already
# there. Cargo-installed tools live in .tools/ (gitignored), npm packages
# in node_modules/. A fresh machine pays about ten minutes once.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
TOOLS="$ROOT/.tools"
export PATH="$TOOLS/bin:$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"

say() { printf 'tools: %s\n' "$*"; }

# --- Debian: Chromium and its driver, for browser tests.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]} (apt-get)"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- Rust: the wasm target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
fi

# --- Cargo tools, each at the version the build needs.
cargo_tool() { # crate binary version [cargo install flags...]
    local crate=$1 bin=$2 version=$3
    shift 3
    if "$TOOLS/bin/$bin" --version 2>/dev/null | grep -qF "$version"; then
        return
    fi
    say "building $crate $version (a few minutes, once)"
    cargo install --quiet --root "$TOOLS" "$crate" --version "$version" --force "$@"
}
cargo_tool trunk trunk 0.22.1 --locked --ignore-rust-version
cargo_tool wasm-pack wasm-pack 0.15.1 --locked
# wasm-bindgen-cli must match the wasm-bindgen in Cargo.lock exactly, and
# is built without --locked (its own lock pins a crate that fails here).
bindgen_version=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$bindgen_version" ]; then
    echo "tools: cannot find wasm-bindgen's version in Cargo.lock" >&2
    exit 1
fi
cargo_tool wasm-bindgen-cli wasm-bindgen "$bindgen_version"

# --- npm: wasm-opt (binaryen 132; Debian's is too old) and playwright-core.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] \
    || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm packages"
    npm ci --no-audit --no-fund --loglevel=error
fi
