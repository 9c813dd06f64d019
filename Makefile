# The two commands of the README:
#   make run   — install what is missing, build Release, start wagate (SQLite under ./data)
#   make test  — install what is missing (test deps too), build, run every test
# Both are idempotent and quick when everything is already there.

BUILD_DIR ?= build
JOBS ?= 2
CMAKE_FLAGS ?=
RUN_ARGS ?=

FUZZ_SECONDS ?= 60

.PHONY: run test demo build configure deps test-deps ferretdb bench fuzz format clean

run: deps
	@$(MAKE) --no-print-directory configure WAGATE_TESTS=OFF
	ninja -C $(BUILD_DIR) -j$(JOBS) wagate
	mkdir -p data
	./$(BUILD_DIR)/src/app/wagate $(RUN_ARGS)

test: test-deps
	@$(MAKE) --no-print-directory configure WAGATE_TESTS=ON
	ninja -C $(BUILD_DIR) -j$(JOBS)
	scripts/run-tests.sh $(BUILD_DIR)

# wasim + wagate wired together on loopback: an account, a linked session,
# the URLs to try. Ctrl-C stops both. DEMO_LINK=manual prints the command
# that links instead of linking at once.
DEMO_LINK ?= auto
demo: deps
	@$(MAKE) --no-print-directory configure WAGATE_TESTS=OFF
	ninja -C $(BUILD_DIR) -j$(JOBS) wagate wasim
	DEMO_LINK=$(DEMO_LINK) scripts/demo.sh $(BUILD_DIR)

# Configure once; re-running only re-configures when WAGATE_TESTS changes.
WAGATE_TESTS ?= ON
configure:
	@if [ ! -f $(BUILD_DIR)/build.ninja ] || \
	    ! grep -q "WAGATE_TESTS:BOOL=$(WAGATE_TESTS)" $(BUILD_DIR)/CMakeCache.txt; then \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release \
	    -DWAGATE_TESTS=$(WAGATE_TESTS) $(CMAKE_FLAGS); \
	fi

deps:
	@scripts/deps.sh build

test-deps:
	@scripts/deps.sh test

bench: test-deps
	@$(MAKE) --no-print-directory configure WAGATE_TESTS=ON
	ninja -C $(BUILD_DIR) -j$(JOBS)
	bench/run.sh $(BUILD_DIR)

# Every libFuzzer target for FUZZ_SECONDS each (clang build in build-fuzz/).
fuzz: test-deps
	scripts/fuzz.sh $(FUZZ_SECONDS)

format:
	find src tests bench tools sim -name '*.cc' -o -name '*.h' 2>/dev/null | xargs -r clang-format -i

clean:
	rm -rf $(BUILD_DIR)
