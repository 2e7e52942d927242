# The two commands a newcomer needs (README): `make run` and `make test`. Both install missing
# Debian packages first (scripts/deps.sh), so a fresh Debian 12 machine needs nothing by hand.
BUILD_DIR  ?= build
BUILD_TYPE ?= Release
JOBS       ?= $(shell nproc)
GENERATOR  := $(shell command -v ninja >/dev/null 2>&1 && echo Ninja || echo "Unix Makefiles")
CMAKE_ARGS ?=

.PHONY: all deps build run test bench bench-micro format tidy clean

all: build

deps:
	@scripts/deps.sh build

$(BUILD_DIR)/CMakeCache.txt:
	@scripts/deps.sh build
	cmake -S . -B $(BUILD_DIR) -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS)

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/src/server/httpserv

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 300

bench:
	@scripts/deps.sh bench
	$(MAKE) build BUILD_DIR=build-release BUILD_TYPE=Release
	python3 bench/run.py --httpserv build-release/src/server/httpserv

format:
	git ls-files '*.h' '*.cc' | xargs clang-format -i

tidy: build
	git ls-files 'src/*.cc' | xargs clang-tidy -p $(BUILD_DIR) --quiet

clean:
	rm -rf $(BUILD_DIR) build-release
