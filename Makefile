# Shortcuts for the scripts under tools/, which do the work (install, build, run).
.PHONY: sim test test-sanitize bench build
sim:
	tools/sim $(ARGS)
test:
	tools/test
test-sanitize:
	EDGECACHE_SANITIZE=1 tools/test
# Benchmarks run from a Release build of their own (build-release/), as the recorded figures were.
bench:
	EDGECACHE_BUILD_TYPE=Release EDGECACHE_BUILD_DIR=build-release tools/sim bench $(ARGS)
build:
	tools/build
