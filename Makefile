# Two commands on a fresh Debian 12 machine: `make run` and `make test`.
BUILD      ?= build
TEST_BUILD ?= build/asan
FUZZ_BUILD ?= build/fuzz
FUZZ_SECONDS ?= 600
CORPUS     ?= corpus
INDEX      ?= data/index
JOBS       ?= $(shell nproc)
GENERATOR  := $(shell command -v ninja >/dev/null 2>&1 && echo Ninja || echo "Unix Makefiles")

PORT       ?= 8080

.PHONY: deps build index run serve test fuzz fuzz-build clean format

deps:
	@scripts/install-deps

build: deps
	cmake -S . -B $(BUILD) -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=Release -DSAREA_TESTS=OFF
	cmake --build $(BUILD) -j $(JOBS)

index: build
	$(BUILD)/bin/sarea-index --corpus $(CORPUS) --index $(INDEX)

# Indexes corpus/ (incrementally) and serves it on http://127.0.0.1:$(PORT).
run: index
	$(BUILD)/bin/sarea-serve --index $(INDEX) --port $(PORT)

# The test build runs under AddressSanitizer and UndefinedBehaviorSanitizer;
# the web page's test drives Debian's chromium through chromedriver.
# Then every libFuzzer target runs a few seconds from its seeds, so that the
# harnesses cannot rot (`make fuzz` fuzzes for real).
test:
	@scripts/install-deps --test
	cmake -S . -B $(TEST_BUILD) -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSAREA_SANITIZE=ON
	cmake --build $(TEST_BUILD) -j $(JOBS)
	cd $(TEST_BUILD) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=5

# The libFuzzer targets (tests/fuzz/), built by clang with ASan and UBSan.
fuzz-build:
	@scripts/install-deps --test
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DSAREA_TESTS=OFF -DSAREA_FUZZ=ON
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers

# Fuzzes each target for FUZZ_SECONDS (default 10 minutes) from its committed
# seeds; figures in $(FUZZ_BUILD)/fuzz-log.tsv, crashes in $(FUZZ_BUILD)/crashes/.
fuzz: fuzz-build
	scripts/fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files '*.h' '*.cc')

clean:
	rm -rf $(BUILD)
