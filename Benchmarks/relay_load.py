#!/usr/bin/env python3
"""Relay load benchmark: what `pilegate relay` costs in front of a backend, on loopback.

Starts a backend (`pilegate serve`) and a `pilegate relay --upstream` in front of it, then runs
the load driver (`pilegate-load`, as Benchmarks/gateway_load.py does) twice with the same
piles, rate and duration: once straight at the backend, once through the relay. Each run's
piles boot, start a transaction, then send Heartbeat (20 %) and MeterValues (80 %, ~600 B;
transactional, so the relay queues each durably before forwarding it). It reads the relay's
CPU time and memory from /proc and prints: relay CPU microseconds per answered message, relay
RSS per connection, round-trip p50/p99 direct and through the relay, the latency the relay
adds and the ratio. It asserts nothing.

    python3 Benchmarks/relay_load.py --piles 1000 --rate 500 --duration 20

The backend answers on --port, the relay on --port + 1. `--bin FOLDER` picks pilegate and
pilegate-load (default: this checkout's .build-release/release).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gateway_load import ROOT, cpu_seconds, rss_bytes, start_gateways, stop_all  # noqa: E402


def wait_ready(port, timeout=30):
    """The relay answers /metrics (its contract) once it listens."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=1) as r:
                if r.status == 200:
                    return True
        except OSError:
            time.sleep(0.2)
    return False


def start_relay(binary, port, upstream, work, procs, connects_per_second):
    config = os.path.join(work, "relay.yaml")
    with open(config, "w") as f:
        # The same upstream as --upstream; connects per second above the driver's ramp, so no
        # pile waits for its upstream leg; pings off, as for the backend.
        f.write(f"pingInterval: 0\nupstream: {{url: '{upstream}', connectsPerSecond: {connects_per_second}}}\n")
    cmd = [os.path.join(binary, "pilegate"), "relay", "--port", str(port), "--upstream", upstream,
           "--db", f"sqlite:{os.path.join(work, 'relay.sqlite')}", "--config", config, "--log-level", "warning"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "relay.log"), "w"), cwd=ROOT)
    procs.append(proc)
    if not wait_ready(port):
        sys.exit(f"the relay did not answer /metrics; see {work}/relay.log (set KEEP_BENCH to keep it)")
    return proc


def drive(driver, endpoint, prefix, args, watched, procs):
    """One load-driver run against `endpoint`; returns its RESULT and the CPU seconds and RSS
    growth of each watched process (pid -> name) over the steady phase / the connect phase."""
    before = {name: (cpu_seconds(pid), rss_bytes(pid)) for pid, name in watched.items()}
    start_at = time.time() + args.piles / args.ramp + 10
    cmd = [driver, "--endpoint", endpoint, "--prefix", prefix, "--connections", str(args.piles), "--rate", str(args.rate),
           "--duration", str(args.duration), "--start-at", str(start_at), "--ramp", str(args.ramp), "--sources", "16"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    procs.append(proc)
    print(f"{prefix}: {proc.stdout.readline().strip()}")
    time.sleep(max(0, start_at - time.time()) + 0.5)
    connected = {name: (cpu_seconds(pid), rss_bytes(pid)) for pid, name in watched.items()}
    result = None
    for line in proc.stdout:
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT "):])
            break
    # The driver reports after the steady phase plus 1.5 s of draining.
    after = {name: cpu_seconds(pid) for pid, name in watched.items()}
    proc.wait(timeout=30)
    if result is None:
        sys.exit(f"{prefix}: the load driver printed no RESULT (exit {proc.returncode})")
    cpu = {name: after[name] - connected[name][0] for name in after}
    rss = {name: connected[name][1] - before[name][1] for name in after}
    return result, cpu, rss


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", default=os.path.join(ROOT, ".build-release", "release"), help="folder with pilegate and pilegate-load")
    p.add_argument("--piles", type=int, default=1000, help="connections in each run (one driver process: keep below ~15,000)")
    p.add_argument("--rate", type=float, default=500, help="messages per second, all piles together")
    p.add_argument("--duration", type=float, default=20, help="steady phase of each run, seconds")
    p.add_argument("--port", type=int, default=8190, help="backend port; the relay listens on PORT + 1")
    p.add_argument("--ramp", type=float, default=1000, help="connections opened per second")
    args = p.parse_args()
    args.bin = os.path.abspath(args.bin)  # the processes run in the checkout's folder
    pilegate, driver = os.path.join(args.bin, "pilegate"), os.path.join(args.bin, "pilegate-load")
    for path in (pilegate, driver):
        if not os.access(path, os.X_OK):
            sys.exit(f"not found or not executable: {path} (build it first, see docs/benchmarks.md)")
    help_text = subprocess.run([pilegate, "relay", "--help"], capture_output=True, text=True).stdout
    if "--upstream" not in help_text:
        sys.exit(f"{pilegate} has no `relay` subcommand")
    print(f"pilegate {pilegate}, driver {driver}; {args.piles} piles, {args.rate:.0f} msg/s, {args.duration:.0f} s per run")

    work = tempfile.mkdtemp(prefix="pilegate-relay-bench-")
    backend_config = os.path.join(work, "backend.yaml")
    with open(backend_config, "w") as f:
        f.write("pingInterval: 0\nheartbeatInterval: 3600\n")
    procs = []
    try:
        backend = start_gateways(1, args.bin, args.port, os.path.join(work, "backend.sqlite"), backend_config, work, procs)[0]
        relay = start_relay(args.bin, args.port + 1, f"ws://127.0.0.1:{args.port}/ocpp", work, procs, max(200, int(args.ramp * 2)))
        time.sleep(0.5)
        watched = {backend.pid: "backend", relay.pid: "relay"}
        direct, direct_cpu, _ = drive(driver, f"ws://127.0.0.1:{args.port}/ocpp", "DIRECT", args, watched, procs)
        through, relay_cpu, relay_rss = drive(driver, f"ws://127.0.0.1:{args.port + 1}/ocpp", "RELAYED", args, watched, procs)

        def per_message(seconds, result):
            return round(seconds * 1e6 / result["answered"], 1) if result["answered"] else float("nan")

        figures = {
            "piles": args.piles, "rate": f"{args.rate:.0f} msg/s", "steady_seconds": args.duration,
            "direct_connections_held": direct["connections"], "relayed_connections_held": through["connections"],
            "direct_answered": direct["answered"], "relayed_answered": through["answered"],
            "direct_errors": direct["errors"], "relayed_errors": through["errors"],
            "relay_cpu_us_per_message": per_message(relay_cpu["relay"], through),
            "relay_rss_per_connection_kib": round(relay_rss["relay"] / max(1, through["connections"]) / 1024, 2),
            "relay_rss_mib": round(rss_bytes(relay.pid) / 2**20, 1),
            "backend_cpu_us_per_message_direct": per_message(direct_cpu["backend"], direct),
            "backend_cpu_us_per_message_relayed": per_message(relay_cpu["backend"], through),
            "direct_p50_ms": direct["p50ms"], "direct_p99_ms": direct["p99ms"],
            "relayed_p50_ms": through["p50ms"], "relayed_p99_ms": through["p99ms"],
            "added_p50_ms": round(through["p50ms"] - direct["p50ms"], 3),
            "added_p99_ms": round(through["p99ms"] - direct["p99ms"], 3),
            "p50_ratio": round(through["p50ms"] / direct["p50ms"], 2) if direct["p50ms"] else float("nan"),
            "p99_ratio": round(through["p99ms"] / direct["p99ms"], 2) if direct["p99ms"] else float("nan"),
        }
        for key, value in figures.items():
            print(f"{key:40s} {value}")
        with open(os.path.join(work, "figures.json"), "w") as f:
            json.dump(figures, f, indent=1)
    finally:
        stop_all(procs, work)


if __name__ == "__main__":
    main()
