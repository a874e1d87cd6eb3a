# Shortcuts for the scripts under tools/, which do the work (install, build, run).
.PHONY: sim test test-sanitize bench build
sim:
	tools/sim $(ARGS)
test:
	tools/test
test-sanitize:
	EDGECACHE_SANITIZE=1 tools/test
bench:
	tools/sim bench
build:
	tools/build
