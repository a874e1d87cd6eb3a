#!/bin/bash
# Container entry point. For the canonical, fills an empty images directory with generated sample images
# (when the image holds the generator), so `docker compose up` serves something on its first run; then runs
# the command (by default edgecache-server, configured through EDGECACHE_* variables).
set -euo pipefail
images_dir=${EDGECACHE_IMAGES_DIR:-/var/lib/edgecache/images}
sample_count=${EDGECACHE_SAMPLE_IMAGES:-1000}
# Ids 1..1000 cover the ids people try first (the original's README suggests 123 and 456); capping each image
# at 256 KiB (from 4 KiB) keeps the thousand at about 60 MB on disk.
sample_max_bytes=$((256 * 1024))
if [ "${1:-}" = edgecache-server ] && [ "${EDGECACHE_ROLE:-}" = canonical ] && [ -d "$images_dir" ] &&
  [ -z "$(find "$images_dir" -mindepth 1 -maxdepth 1 -print -quit)" ]; then
  generator=$(command -v edgecache-gen-images || true)
  if [ -n "$generator" ] && [ -w "$images_dir" ] && [ "$sample_count" -gt 0 ]; then
    echo "entrypoint: $images_dir is empty; generating $sample_count sample images with $generator" >&2
    "$generator" --count "$sample_count" --max-bytes "$sample_max_bytes" --out "$images_dir" >&2
  else
    echo "entrypoint: warning: $images_dir is empty and no sample image generator is available;" \
      "put image{N}.jpg files into the images volume (docker cp) or set EDGECACHE_IMAGES_SOURCE to a host directory" >&2
  fi
fi
exec "$@"
