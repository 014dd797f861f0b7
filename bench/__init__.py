"""`make bench`: the site under gunicorn in production mode, loaded side by side with its own
static file, plus in-process timings of search, stats and exports (docs/operations.md,
"Benchmark"). A benchmark, not a test: nothing here asserts a number."""
