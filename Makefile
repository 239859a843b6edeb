# Two commands on a fresh Debian 12 machine: `make run` and `make test`.
BUILD      ?= build
TEST_BUILD ?= build/asan
CORPUS     ?= corpus
INDEX      ?= data/index
JOBS       ?= $(shell nproc)
GENERATOR  := $(shell command -v ninja >/dev/null 2>&1 && echo Ninja || echo "Unix Makefiles")

PORT       ?= 8080

.PHONY: deps build index run serve test clean format

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
test:
	@scripts/install-deps --test
	cmake -S . -B $(TEST_BUILD) -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSAREA_SANITIZE=ON
	cmake --build $(TEST_BUILD) -j $(JOBS)
	cd $(TEST_BUILD) && ctest --output-on-failure -j $(JOBS)

format:
	clang-format -i $$(git ls-files '*.h' '*.cc')

clean:
	rm -rf $(BUILD)
