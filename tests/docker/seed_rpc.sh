#!/usr/bin/env bash
# The original system's RPC (docs/protocol.md, "The RPC") on the published client ports, beside HTTP: a client
# written from the protocol's description (below, in Python, independent of net/) asks every edge and the
# canonical for get_image and get_image_size over one TCP connection per request, and compares the bytes
# and sizes with the canonical's files; an unknown id and an unknown function get an {"error": ...} reply.
source "$(dirname "$0")/lib.sh"
require_docker
require_image
command -v python3 >/dev/null 2>&1 || fail "python3 is not installed (the seed-protocol client is a Python script)"
setup_project
start_cluster

cat >"$work_dir/seed_client.py" <<'PY'
import json, socket, struct, sys

def call(host, port, function, args):
    with socket.create_connection((host, port), timeout=5) as conn:
        body = json.dumps({"function": function, "args": args, "clock": 0}).encode()
        conn.sendall(struct.pack("<Q", len(body)) + body)
        data = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
    if len(data) < 16:
        raise SystemExit(f"{function}{args} on {host}:{port}: short reply of {len(data)} bytes")
    (clock,) = struct.unpack_from("<Q", data, 0)
    (value,) = struct.unpack_from("<Q", data, 8)
    return clock, value, data[16:]

def check(condition, message):
    if not condition:
        raise SystemExit("FAIL: " + message)

host, images_dir, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
ports = [int(p) for p in sys.argv[4:]]
for port in ports:
    for image_id in range(1, count + 1):
        expected = open(f"{images_dir}/image{image_id}.jpg", "rb").read()
        clock, size, rest = call(host, port, "get_image", [image_id])
        check(clock == 0, f"port {port} get_image {image_id}: clock {clock}, expected 0")
        check(size == len(expected) and rest == expected, f"port {port} get_image {image_id}: {size} bytes differ from the file's {len(expected)}")
        clock, size, rest = call(host, port, "get_image_size", [image_id])
        check(size == len(expected) and rest == b"", f"port {port} get_image_size {image_id}: {size}, expected {len(expected)}")
    for function, args in (("get_image", [count + 1000]), ("no_such_function", [1])):
        clock, length, rest = call(host, port, function, args)
        check(length == len(rest) and "error" in json.loads(rest), f"port {port} {function}{args}: no error reply: {rest[:80]!r}")
    print(f"port {port}: get_image and get_image_size of {count} images match; errors reported")
PY

ports=()
for service in canonical-server edge-server-1 edge-server-2 edge-server-3; do
  ports+=("$(published "$service" | sed 's/.*://')")
done
check "the seed-protocol client works against every published port (${ports[*]})" \
  python3 "$work_dir/seed_client.py" 127.0.0.1 "$images_dir" 10 "${ports[@]}"
# HTTP still works on the same port after the RPC calls.
check_equal "HTTP on the same port as RPC" 200 "$(fetch edge-server-1 1 "$work_dir/got")"
