#!/usr/bin/env python3
"""Gateway load benchmark: N OCPP 1.6 (or 2.0.1) connections against `pilegate serve` on loopback.

Starts G gateway processes sharing one port (SO_REUSEPORT) and one SQLite store, and
M load-driver processes (each below the 20,000 open-file limit), lets every connection
boot and start a transaction, then drives Heartbeat (20 %) and MeterValues (80 %, ~600 B)
at the requested rate. With `--ocpp 2.0.1` each connection offers `ocpp2.0.1`, boots with a
2.0.1 BootNotification, starts with TransactionEvent Started and sends the same readings as
TransactionEvent Updated (seqNo counting up, ~810 B) instead of MeterValues. It reads the gateways' CPU time and memory from /proc and prints:
connections held, gateway RSS per connection, gateway CPU microseconds per answered
message, answered messages per second, p50/p99 latency, errors. It asserts nothing.

    python3 Benchmarks/gateway_load.py --connections 10000 --rate 5000 --duration 30
    python3 Benchmarks/gateway_load.py --connections 10000 --rate 5000 --duration 30 --ocpp 2.0.1
    python3 Benchmarks/gateway_load.py --connections 10000 --rate 5000 --duration 30 --tls
    python3 Benchmarks/gateway_load.py --connections 1000 --rate 300 --duration 30 --password

`--tls` connects over wss:// (certificates from `pilegate certs`), `--password` logs every
connection in with a Basic password (one scrypt check per first login);
`gateway_cpu_ms_per_connection_setup` then shows what they add to a connection's set-up.

`--bin FOLDER` picks the gateway binary (e.g. an older build); the load driver comes from
`--driver-bin` (default: this checkout's `.build-release/release`, else `--bin`), so builds
are compared under the same driver.
"""
import argparse
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_PASSWORD = "0123456789abcdef0123456789abcdef01234567"
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def rss_bytes(pid):
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE


def wait_health(port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
                if r.status == 200:
                    return True
        except OSError:
            time.sleep(0.2)
    return False


def start_gateways(count, binary, port, db, config, work, procs, log_level="warning"):
    """`count` gateway processes on one port (SO_REUSEPORT when more than one) and one store;
    returns once the first answers /health. Every process is added to `procs`."""
    gateways = []
    for i in range(count):
        cmd = [os.path.join(binary, "pilegate"), "serve", "--port", str(port), "--db", f"sqlite:{db}",
               "--config", config, "--node", f"bench-{i}", "--log-level", log_level]
        if count > 1:
            cmd.append("--reuse-port")
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, f"gateway-{i}.log"), "w"), cwd=ROOT)
        procs.append(proc)
        gateways.append(proc)
        if i == 0 and not wait_health(port):
            sys.exit("gateway did not become healthy")
    return gateways


def recorded(db):
    """Frames and sample records in a stopped gateway's store: the record log's sealed
    chunks (a stopped gateway has sealed them all) and what older versions kept in tables."""
    import sqlite3
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        frames = con.execute("select count(*) from message_log").fetchone()[0]
        samples = 0
        if con.execute("select count(*) from sqlite_master where name = 'log_chunks'").fetchone()[0]:
            f, r = con.execute("select coalesce(sum(frames), 0), coalesce(sum(records), 0) from log_chunks").fetchone()
            frames, samples = frames + f, r - f
        return frames, samples
    finally:
        con.close()


def folder_size(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                pass
    return total


def stop_all(procs, work):
    """SIGTERM every process still running, SIGKILL after 30 s, then remove the work folder
    (kept when KEEP_BENCH is set)."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    if work is None:
        return
    if os.environ.get("KEEP_BENCH") is None:
        subprocess.run(["rm", "-rf", work])
    else:
        print(f"kept {work}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--connections", type=int, default=10000)
    p.add_argument("--rate", type=float, default=1000, help="messages per second, all connections together")
    p.add_argument("--duration", type=float, default=30, help="steady phase, seconds")
    p.add_argument("--closed-loop", action="store_true", help="saturate instead of a fixed rate")
    p.add_argument("--gateways", type=int, default=0, help="gateway processes (default: one per 18,000 connections)")
    p.add_argument("--drivers", type=int, default=0, help="driver processes (default: one per 15,000 connections)")
    p.add_argument("--port", type=int, default=8190)
    p.add_argument("--durability", choices=["full", "normal"], default="full")
    default_bin = os.path.join(ROOT, ".build-release", "release")
    p.add_argument("--bin", default=default_bin, help="folder with pilegate (the gateway)")
    p.add_argument("--driver-bin", help="folder with pilegate-load (default: %s if it has one, else --bin)" % default_bin)
    p.add_argument("--ocpp", choices=["1.6", "2.0.1"], default="1.6", help="OCPP version the driver's connections speak")
    p.add_argument("--tls", action="store_true", help="connect over wss:// (security profile 2's channel; certificates from pilegate certs)")
    p.add_argument("--password", action="store_true", help="every connection logs in with a Basic password (security profile 1; scrypt at the gateway's default cost)")
    args = p.parse_args()
    driver_bin = args.driver_bin
    if driver_bin is None:
        driver_bin = default_bin if os.path.exists(os.path.join(default_bin, "pilegate-load")) else args.bin
    for path in (os.path.join(args.bin, "pilegate"), os.path.join(driver_bin, "pilegate-load")):
        if not os.access(path, os.X_OK):
            sys.exit(f"not found or not executable: {path} (build it first, see docs/benchmarks.md)")
    print(f"gateway {os.path.join(args.bin, 'pilegate')}, driver {os.path.join(driver_bin, 'pilegate-load')}, OCPP {args.ocpp}")

    gateways = args.gateways or max(1, math.ceil(args.connections / 18000))
    drivers = args.drivers or max(1, math.ceil(args.connections / 15000))
    work = tempfile.mkdtemp(prefix="pilegate-bench-")
    config = os.path.join(work, "gateway.yaml")
    with open(config, "w") as f:
        # Pings off: the driver measures OCPP traffic only.
        f.write(f"pingInterval: 0\ndurability: {args.durability}\nheartbeatInterval: 3600\n")
        if args.tls:
            subprocess.run([os.path.join(args.bin, "pilegate"), "certs", "--out", os.path.join(work, "pki")], check=True, stdout=subprocess.DEVNULL)
            f.write(f"security:\n  tls: {{port: {args.port + 1}, certificate: {work}/pki/server.pem, key: {work}/pki/server-key.pem}}\n")
        if args.password:
            # One hash for every pile (what is measured is the gateway's check per login).
            hashed = subprocess.run([os.path.join(args.bin, "pilegate"), "password-hash"], input=BENCH_PASSWORD + "\n",
                                    check=True, capture_output=True, text=True).stdout.strip()
            f.write("chargePoints:\n" + "".join(f"  - {{id: LOAD-{i}, passwordHash: \"{hashed}\"}}\n" for i in range(args.connections)))
    db = os.path.join(work, "bench.sqlite")
    procs = []
    try:
        gw = start_gateways(gateways, args.bin, args.port, db, config, work, procs)
        time.sleep(0.5)
        base_rss = sum(rss_bytes(g.pid) for g in gw)
        base_cpu = sum(cpu_seconds(g.pid) for g in gw)

        per_driver = math.ceil(args.connections / drivers)
        connect_budget = args.connections / 2500 + 10
        if args.password:  # one scrypt per first login, on the gateway's hashing thread
            connect_budget += args.connections * 0.06
        start_at = time.time() + connect_budget
        drv = []
        for d in range(drivers):
            n = min(per_driver, args.connections - d * per_driver)
            endpoint = f"wss://127.0.0.1:{args.port + 1}/ocpp" if args.tls else f"ws://127.0.0.1:{args.port}/ocpp"
            cmd = [os.path.join(driver_bin, "pilegate-load"), "--endpoint", endpoint,
                   "--connections", str(n), "--first-id", str(d * per_driver), "--rate", str(args.rate / drivers),
                   "--duration", str(args.duration), "--start-at", str(start_at), "--sources", "16", "--ramp", "3000"]
            if args.ocpp != "1.6":  # drivers from before the option know 1.6 only
                cmd += ["--ocpp", args.ocpp]
            if args.closed_loop:
                cmd.append("--closed-loop")
            if args.tls:
                cmd += ["--ca", os.path.join(work, "pki", "ca.pem")]
            if args.password:
                cmd += ["--password", BENCH_PASSWORD]
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
            procs.append(proc)
            drv.append(proc)

        connected_lines = [d.stdout.readline().strip() for d in drv]
        print("\n".join(connected_lines))
        now = time.time()
        if now > start_at:
            print(f"warning: connecting took longer than the {connect_budget:.0f} s budget; the steady phase started late")
        time.sleep(max(0, start_at - now) + 0.5)
        rss_connected = sum(rss_bytes(g.pid) for g in gw)
        cpu0 = sum(cpu_seconds(g.pid) for g in gw)
        connect_cpu = cpu0 - base_cpu
        t0 = time.time()
        results = []
        for d in drv:
            for line in d.stdout:
                if line.startswith("RESULT "):
                    results.append(json.loads(line[len("RESULT "):]))
                    break
        # The drivers report after the steady phase plus 1.5 s of draining.
        cpu1 = sum(cpu_seconds(g.pid) for g in gw)
        t1 = time.time()
        rss_end = sum(rss_bytes(g.pid) for g in gw)
        for d in drv:
            d.wait(timeout=30)

        held = sum(r["connections"] for r in results)
        answered = sum(r["answered"] for r in results)
        seconds = max(r["seconds"] for r in results) if results else 0
        errors = sum(r["errors"] for r in results)
        p50 = max((r["p50ms"] for r in results), default=0)
        p99 = max((r["p99ms"] for r in results), default=0)
        rate = answered / seconds if seconds else 0
        cpu_us = (cpu1 - cpu0) * 1e6 / answered if answered else float("nan")
        figures = {
            "connections_requested": args.connections, "connections_held": held, "gateway_processes": gateways,
            "driver_processes": drivers, "ocpp": args.ocpp, "mode": "closed loop" if args.closed_loop else f"{args.rate:.0f} msg/s",
            "durability": args.durability,
            "gateway_rss_mib": round(rss_end / 2**20, 1),
            "gateway_rss_per_connection_kib": round((rss_connected - base_rss) / max(1, held) / 1024, 2),
            # The same growth read after the steady phase (what the connections' traffic left behind).
            "gateway_rss_per_connection_end_kib": round((rss_end - base_rss) / max(1, held) / 1024, 2),
            "gateway_cpu_us_per_message": round(cpu_us, 1),
            # Handshake (TLS, login), boot and StartTransaction of each connection: compare runs with and without --tls / --password.
            "gateway_cpu_ms_per_connection_setup": round(connect_cpu * 1e3 / max(1, held), 3),
            "channel": ("wss" if args.tls else "ws") + (" + password" if args.password else ""),
            "gateway_cpu_share_of_2_cores": round((cpu1 - cpu0) / (t1 - t0) / 2, 3),
            "answered_per_second": round(rate, 1), "answered": answered, "errors": errors,
            "p50_ms": p50, "p99_ms": p99, "steady_seconds": seconds,
        }
        for k, v in figures.items():
            print(f"{k:40s} {v}")
        with open(os.path.join(work, "figures.json"), "w") as f:
            json.dump(figures, f, indent=1)
        # How much was recorded, as a check that every frame reached the store.
        try:
            stop_all(procs, None)
            frames, samples = recorded(db)
            print(f"{'frames_recorded':40s} {frames}\n{'sample_records':40s} {samples}")
        except Exception as e:  # the figures above stand on their own
            print(f"could not read the store: {e}")
    finally:
        stop_all(procs, work)

if __name__ == "__main__":
    main()
