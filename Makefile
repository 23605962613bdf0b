# ZooScope — the two commands of the README:
#   make serve   build the page and serve it on http://localhost:8080
#   make test    run every test
# Both install what is missing first (scripts/tools.sh) and are fast when
# everything is already there.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(CURDIR)/.tools/bin:$(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export CHROMEDRIVER := /usr/bin/chromedriver
# Size-optimised wasm for the page; native release builds stay fast.
TRUNK_FLAGS := --release --cargo-profile wasm-release
TRACES := ../shared/conformance/traces

.PHONY: serve build test tools test-rust test-conformance test-wasm test-browser bench-page clean

serve: tools
	trunk serve $(TRUNK_FLAGS) --port 8080

build: tools
	trunk build $(TRUNK_FLAGS)

tools:
	@scripts/tools.sh

test: tools test-rust test-conformance test-wasm test-browser

test-rust:
	cargo test --workspace

test-conformance:
	cargo run --quiet -p zooscope -- conformance $(TRACES)

test-wasm:
	wasm-pack test --headless --chrome crates/sim

test-browser: build
	node tests/browser/run.mjs

# A measurement, not a test: the page's own benchmark in headless Chromium.
bench-page: build
	node tests/browser/bench.mjs

clean:
	cargo clean
	rm -rf dist tests/output
