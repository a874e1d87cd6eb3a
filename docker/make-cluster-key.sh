#!/bin/sh
# Makes the cluster key that authenticates peer links (docs/protocol.md), once: an existing non-empty key
# file is kept, so every start after the first reuses it and restarted daemons still trust each other.
# Usage: make-cluster-key.sh [FILE]   (default /run/edgecache/cluster.key)
# The Docker deployment runs this as the one-shot service `cluster-key` before any daemon starts.
set -eu
key=${1:-/run/edgecache/cluster.key}
if [ -s "$key" ]; then
  echo "cluster key: keeping $key"
  exit 0
fi
umask 077
# 32 bytes from the kernel's generator as 64 hex digits; written aside and renamed, so a daemon never reads
# half a key.
od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > "$key.new"
echo >> "$key.new"
mv "$key.new" "$key"
echo "cluster key: made $key"
