# The two commands a newcomer needs (README): `make run` and `make test`. Both install missing
# Debian packages first (scripts/deps.sh), so a fresh Debian 12 machine needs nothing by hand.
BUILD_DIR  ?= build
BUILD_TYPE ?= Release
JOBS       ?= $(shell nproc)
GENERATOR  := $(shell command -v ninja >/dev/null 2>&1 && echo Ninja || echo "Unix Makefiles")
CMAKE_ARGS ?=
# make run ARGS="--listen 127.0.0.1:9090 --root /srv/www": the server's command line, instead of
# the default one (RUN_DEFAULT below).
ARGS       ?=
# make install PREFIX=/usr DESTDIR=/tmp/pkg: where (PREFIX, also compiled into the binary's
# schema directory) and under which staging root (DESTDIR) `make install` puts the server.
PREFIX     ?= /usr/local
DESTDIR    ?=

.PHONY: all deps build run install test test-asan test-tsan bench bench-micro fuzz fuzz-build fuzz-merge \
        format tidy clean

all: build

deps:
	@scripts/deps.sh build

$(BUILD_DIR)/CMakeCache.txt:
	@scripts/deps.sh build
	cmake -S . -B $(BUILD_DIR) -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS)

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Without ARGS: the embedded default site on http://127.0.0.1:8080/ and https://127.0.0.1:8443/
# (a self-signed certificate made once in $(BUILD_DIR)/dev-tls; clients must accept it, e.g.
# curl -k). With ARGS: exactly that command line.
RUN_DEFAULT = --listen 127.0.0.1:8080 --listen-tls 127.0.0.1:8443 \
  --tls-cert $(BUILD_DIR)/dev-tls/cert.pem --tls-key $(BUILD_DIR)/dev-tls/key.pem
run: build
	@scripts/dev-cert.sh $(BUILD_DIR)/dev-tls
	$(BUILD_DIR)/src/server/httpserv $(if $(strip $(ARGS)),$(ARGS),$(RUN_DEFAULT))

# The binary (sbin/httpserv), httpserv(8), the systemd unit, an initial configuration and
# the module SDK (headers, pkg-config file, CMake package); cmake/HttpservServerInstall.cmake.
install: build
	cmake -S . -B $(BUILD_DIR) -DCMAKE_INSTALL_PREFIX=$(PREFIX)
	cmake --build $(BUILD_DIR) -j $(JOBS) --target httpserv
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD_DIR)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 300

# Sanitizer builds, each in its own folder. The python-driven integration tests start the sanitized
# server, so a report makes it exit (halt_on_error / abort_on_error) and the test fails, with the
# server's stderr (the report) printed by the harness. test-tsan runs the whole suite too (the
# single-threaded parts are cheap); narrow either with e.g. SAN_CTEST_ARGS='-L integration'.
SAN_JOBS       ?= $(JOBS)
SAN_CTEST_ARGS ?=
ASAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:exitcode=23 \
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
TSAN_ENV := TSAN_OPTIONS=halt_on_error=1:exitcode=66:second_deadlock_stack=1

test-asan: deps
	cmake -S . -B build-asan -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHTTPSERV_SANITIZE=ON $(CMAKE_ARGS)
	cmake --build build-asan -j $(SAN_JOBS)
	cd build-asan && $(ASAN_ENV) ctest --output-on-failure -j $(SAN_JOBS) --timeout 600 $(SAN_CTEST_ARGS)

test-tsan: deps
	cmake -S . -B build-tsan -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHTTPSERV_TSAN=ON $(CMAKE_ARGS)
	cmake --build build-tsan -j $(SAN_JOBS)
	cd build-tsan && $(TSAN_ENV) ctest --output-on-failure -j $(SAN_JOBS) --timeout 600 $(SAN_CTEST_ARGS)

bench:
	@scripts/deps.sh bench
	$(MAKE) build BUILD_DIR=build-release BUILD_TYPE=Release
	python3 bench/run.py --httpserv build-release/src/server/httpserv
	python3 bench/h2.py --httpserv build-release/src/server/httpserv

# Microbenchmarks (bench/micro): a Release build with HTTPSERV_BUILD_BENCH=ON in build-release/
# (shared with `make bench`), pinned to CPU 0 when taskset exists. Three repetitions, medians
# reported; other Google Benchmark flags in MICRO_ARGS, e.g. MICRO_ARGS='--benchmark_filter=WEC'.
MICRO_BUILD_DIR ?= build-release
MICRO_ARGS      ?= --benchmark_repetitions=3 --benchmark_report_aggregates_only=true --benchmark_min_time=0.3
PIN_CPU0        := $(shell command -v taskset >/dev/null 2>&1 && echo taskset -c 0)

bench-micro: deps
	cmake -S . -B $(MICRO_BUILD_DIR) -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=Release -DHTTPSERV_BUILD_BENCH=ON $(CMAKE_ARGS)
	cmake --build $(MICRO_BUILD_DIR) -j $(JOBS) --target httpserv_micro_bench
	$(PIN_CPU0) $(MICRO_BUILD_DIR)/bench/micro/httpserv_micro_bench $(MICRO_ARGS)

# libFuzzer (clang-14, ASan+UBSan) in build-fuzz/: each target runs FUZZ_SECONDS with its dictionary
# and corpus, new inputs going to build-fuzz/fuzz-corpus/ (fuzz/README.md). FUZZ_TARGETS narrows
# it (e.g. FUZZ_TARGETS='h1_parser chunked'). The corpora themselves are replayed by `make test`.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
FUZZ_DIR     ?= build-fuzz

fuzz-build:
	@scripts/deps.sh fuzz
	cmake -S . -B $(FUZZ_DIR) -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 -DHTTPSERV_FUZZ=ON \
	  -DHTTPSERV_BUILD_TESTS=OFF $(CMAKE_ARGS)
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzz_targets

fuzz: fuzz-build
	fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Adds the scratch inputs that bring new coverage to fuzz/corpus/ (review before committing).
fuzz-merge: fuzz-build
	fuzz/run.sh --merge $(FUZZ_DIR) $(FUZZ_TARGETS)

format:
	git ls-files '*.h' '*.cc' | xargs clang-format -i

tidy: build
	git ls-files 'src/*.cc' | xargs clang-tidy -p $(BUILD_DIR) --quiet

clean:
	rm -rf $(BUILD_DIR) build-release $(FUZZ_DIR)
