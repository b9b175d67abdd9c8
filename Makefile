# The README's quick start: `make demo` and `make test`. Both install dependencies first.
BUILD ?= build
JOBS ?= $(shell nproc)
POLC = $(BUILD)/compiler/driver/polc

.PHONY: all deps build demo test install deb asan fuzz bench bench-record-mix golden-update clean

all: build

deps:
	bash scripts/install-deps.sh

# Release: -O2 with line tables only (the top CMakeLists.txt says why); RelWithDebInfo has full -g.
$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	bash scripts/demo.sh $(POLC)

# `make install PREFIX=/opt/polc` (default /usr/local; DESTDIR=... stages the tree elsewhere). The
# prefix is compiled into polc (SARIF links the installed docs), so a new one reconfigures and
# rebuilds the one file that holds it.
PREFIX ?= /usr/local
# Only what is installed is built (polc, sbx-exec, the manual pages and completions), not the tests.
INSTALLED = --target polc sbx-exec polc_install_files
install: deps $(BUILD)/build.ninja
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX)
	cmake --build $(BUILD) -j $(JOBS) $(INSTALLED)
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD)

# The Debian package, installing under /usr: $(BUILD)/polc_<version>_<arch>.deb.
deb: deps $(BUILD)/build.ninja
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=/usr
	cmake --build $(BUILD) -j $(JOBS) $(INSTALLED)
	cd $(BUILD) && cpack -G DEB

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer, built with clang and
# libFuzzer's coverage instrumentation, so the same build also holds the fuzz target: its corpus
# replay (fuzz.corpus_replay) runs with the suite, and `make fuzz` reuses the build. Its debug
# information is line tables only, which is what the sanitizers' reports use.
ASAN_BUILD = build-asan
$(ASAN_BUILD)/build.ninja:
	CC=clang CXX=clang++ cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPOLC_FUZZ=ON

asan: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

# A short libFuzzer run over parse + sema + fmt from the committed corpus (tests/fuzz/run.sh says
# how to keep what it finds).
fuzz: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target polc_fuzz_frontend
	bash tests/fuzz/run.sh $(ASAN_BUILD)/tests/fuzz/polc_fuzz_frontend $${FUZZ_SECONDS:-60}

# `polc check` latency and the seccomp filter cost, written into docs/performance.md.
bench: build
	bash bench/run.sh $(POLC) 30 $(BUILD)/bench/polc_filter_cost $(BUILD)/launcher/sbx-exec

# Re-records the system-call mixes the filter cost is weighted with (needs strace, python3, node).
bench-record-mix:
	bash bench/record_syscall_mix.sh

# Regenerates the golden files, then docs/diagnostics.md, whose examples are taken from them.
golden-update: build
	POLC_UPDATE_GOLDEN=1 ctest --test-dir $(BUILD) -R golden
	python3 scripts/sync-diagnostics-doc.py $(POLC)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
