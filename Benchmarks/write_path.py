#!/usr/bin/env python3
"""Write-path benchmark: `pilegate serve` against the reference floor, under the same driver and load.

The floor (`ocpp_floor`, Benchmarks/ocpp_floor) is a minimal OCPP responder on raw SwiftNIO:
correct upgrade and framing, canned replies, no store. The script runs it and `pilegate serve`
(default SQLite store, `durability: full`) one after the other, each fresh, under the same load
driver (`pilegate-load`, as Benchmarks/gateway_load.py runs it: 80 % MeterValues of ~600 B,
20 % Heartbeat, every answer checked) in three phases:

  rate    1,000 piles, 300 msg/s over all of them
  closed  1,000 piles, closed loop (each sends its next message when the last is answered)
  idle    10,000 piles at 100 msg/s: memory per connection

and prints for each: server CPU µs per answered message, answered/s, p50/p99, errors, disk
bytes written per message and write calls per second (`write_bytes`, `syscw` of
/proc/PID/io), the WAL's size at the end and the largest seen (sampled every 0.5 s), the
database's size, RSS per connection; then serve/floor ratios. It asserts nothing.

    python3 Benchmarks/write_path.py                        # every phase, both targets, once
    python3 Benchmarks/write_path.py --runs 3 --phases rate,closed
    python3 Benchmarks/write_path.py --target serve --phases rate --duration 60 --serve-config 'store: {walLimitMB: 16}'

`--bin FOLDER` holds pilegate, pilegate-load and ocpp_floor (default: this checkout's
.build-release/release). KEEP_BENCH=1 keeps each run's folder (store, logs).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gateway_load import ROOT, cpu_seconds, folder_size, recorded, rss_bytes, stop_all, wait_health  # noqa: E402

PHASES = {
    # name: (piles, rate (None: closed loop), default duration)
    "rate": (1000, 300.0, 30.0),
    "closed": (1000, None, 20.0),
    "idle": (10000, 100.0, 20.0),
}


def proc_io(pid):
    """write_bytes (what reached the block layer, page cache write-back included) and syscw."""
    fields = {}
    with open(f"/proc/{pid}/io") as f:
        for line in f:
            key, value = line.split(":")
            fields[key] = int(value)
    return fields["write_bytes"], fields["syscw"]


def file_size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


class WALWatch(threading.Thread):
    """Samples the WAL's size every half second; `largest` is the biggest seen."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path, self.largest, self.done = path, 0, threading.Event()

    def run(self):
        while not self.done.wait(0.5):
            self.largest = max(self.largest, file_size(self.path))


def start_target(target, binary, port, work, serve_config, procs):
    if target == "floor":
        cmd = [os.path.join(binary, "ocpp_floor"), "--port", str(port)]
    else:
        config = os.path.join(work, "gateway.yaml")
        with open(config, "w") as f:
            # Pings off and a long heartbeat: the driver measures OCPP traffic only (as gateway_load.py).
            f.write("pingInterval: 0\ndurability: full\nheartbeatInterval: 3600\n" + serve_config + "\n")
        cmd = [os.path.join(binary, "pilegate"), "serve", "--port", str(port), "--db", f"sqlite:{work}/bench.sqlite",
               "--config", config, "--log-level", "warning"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, f"{target}.log"), "w"), cwd=ROOT)
    procs.append(proc)
    if not wait_health(port):
        sys.exit(f"{target} did not answer /health; see {work}/{target}.log (set KEEP_BENCH to keep it)")
    return proc


def run_phase(target, phase, duration, args):
    piles, rate, _ = PHASES[phase]
    work = tempfile.mkdtemp(prefix=f"pilegate-wp-{target}-")
    procs = []
    try:
        server = start_target(target, args.bin, args.port, work, args.serve_config, procs)
        wal = WALWatch(os.path.join(work, "bench.sqlite-wal"))
        wal.start()
        time.sleep(0.5)
        base_rss, base_cpu = rss_bytes(server.pid), cpu_seconds(server.pid)
        start_at = time.time() + piles / 1500 + 4
        cmd = [os.path.join(args.bin, "pilegate-load"), "--endpoint", f"ws://127.0.0.1:{args.port}/ocpp",
               "--connections", str(piles), "--prefix", f"WP{phase[0].upper()}", "--duration", str(duration),
               "--start-at", str(start_at), "--sources", "16", "--ramp", "3000"]
        cmd += ["--closed-loop"] if rate is None else ["--rate", str(rate)]
        if args.plausible_readings:
            cmd += ["--plausible-readings"]
        driver = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        procs.append(driver)
        connected = driver.stdout.readline().strip()
        if time.time() > start_at:
            print(f"warning: {connected}: later than the steady phase's start")
        time.sleep(max(0, start_at - time.time()))
        rss_connected, cpu0, io0, t0 = rss_bytes(server.pid), cpu_seconds(server.pid), proc_io(server.pid), time.time()
        result = None
        for line in driver.stdout:
            if line.startswith("RESULT "):
                result = json.loads(line[len("RESULT "):])
                break
        # The driver reports after the steady phase plus 1.5 s of draining.
        cpu1, io1, t1, rss_end = cpu_seconds(server.pid), proc_io(server.pid), time.time(), rss_bytes(server.pid)
        wal.done.set()
        wal_path, db_path = os.path.join(work, "bench.sqlite-wal"), os.path.join(work, "bench.sqlite")
        wal_end, db_end = file_size(wal_path), file_size(db_path)
        driver.wait(timeout=60)
        if result is None:
            sys.exit(f"the driver gave no RESULT ({connected})")
        answered = result["answered"]
        held = result["connections"]
        figures = {
            "target": target, "phase": phase, "piles": held, "mode": "closed loop" if rate is None else f"{rate:.0f} msg/s",
            "cpu_us_per_msg": round((cpu1 - cpu0) * 1e6 / answered, 1) if answered else None,
            "cpu_share_of_2_cores": round((cpu1 - cpu0) / (t1 - t0) / 2, 3),
            "answered_per_s": result["answeredPerSecond"], "answered": answered, "errors": result["errors"],
            "p50_ms": result["p50ms"], "p99_ms": result["p99ms"],
            "disk_bytes_per_msg": round((io1[0] - io0[0]) / answered) if answered else None,
            "write_syscalls_per_s": round((io1[1] - io0[1]) / (t1 - t0)),
            "rss_per_conn_kib": round((rss_connected - base_rss) / max(1, held) / 1024, 2),
            "rss_per_conn_end_kib": round((rss_end - base_rss) / max(1, held) / 1024, 2),
        }
        if target == "serve":
            figures.update({"wal_end_mb": round(wal_end / 1e6, 1), "wal_largest_mb": round(max(wal.largest, wal_end) / 1e6, 1),
                            "db_mb": round(db_end / 1e6, 1), "log_mb": round(folder_size(db_path + "-log") / 1e6, 1)})
            try:
                stop_all([server], None)
                figures["frames_recorded"], figures["sample_records"] = recorded(db_path)
            except Exception as e:  # the figures above stand on their own
                figures["frames_recorded"] = f"could not read the store: {e}"
        return figures
    finally:
        stop_all(procs, work)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--target", choices=["floor", "serve", "both"], default="both")
    p.add_argument("--phases", default="rate,closed,idle", help="comma-separated: " + ", ".join(PHASES))
    p.add_argument("--runs", type=int, default=1, help="repeat every phase this many times (floor and serve alternate)")
    p.add_argument("--plausible-readings", action="store_true",
                   help="energy registers that rise with the stated power (default: random ones, which the meter rules flag as findings)")
    p.add_argument("--duration", type=float, help="steady phase, seconds (default: rate 30, closed 20, idle 20)")
    p.add_argument("--port", type=int, default=8190)
    p.add_argument("--bin", default=os.path.join(ROOT, ".build-release", "release"))
    p.add_argument("--serve-config", default="", help="YAML appended to the gateway's configuration")
    p.add_argument("--json", help="write every run's figures to this file")
    args = p.parse_args()
    phases = [x for x in args.phases.split(",") if x]
    targets = ["floor", "serve"] if args.target == "both" else [args.target]
    needed = {"floor": "ocpp_floor", "serve": "pilegate"}
    for name in [needed[t] for t in targets] + ["pilegate-load"]:
        if not os.access(os.path.join(args.bin, name), os.X_OK):
            sys.exit(f"not found: {os.path.join(args.bin, name)} (swift build -c release --build-path .build-release)")
    if any(p not in PHASES for p in phases):
        sys.exit(f"unknown phase in {args.phases}; known: {', '.join(PHASES)}")

    runs = []
    for run in range(1, args.runs + 1):
        for phase in phases:
            for target in targets:
                figures = run_phase(target, phase, args.duration or PHASES[phase][2], args)
                figures["run"] = run
                runs.append(figures)
                print(f"--- run {run}, {phase}, {target}")
                for k, v in figures.items():
                    if k not in ("run", "phase", "target"):
                        print(f"  {k:24s} {v}")
                sys.stdout.flush()

    print("\nsummary (one line per run; ratio = serve / floor of the same run)")
    print(f"{'phase':7s} {'run':>3s} {'target':6s} {'µs/msg':>8s} {'msg/s':>9s} {'p50 ms':>8s} {'p99 ms':>8s} {'err':>4s} "
          f"{'B/msg':>7s} {'wr/s':>6s} {'KiB/conn':>8s} {'WAL MB end/max':>14s} {'DB MB':>6s} {'log MB':>6s} {'ratio':>6s}")
    for f in runs:
        floor = next((g for g in runs if g["target"] == "floor" and g["phase"] == f["phase"] and g["run"] == f["run"]), None)
        ratio = ""
        if f["target"] == "serve" and floor and floor["cpu_us_per_msg"] and f["cpu_us_per_msg"]:
            ratio = f"{f['cpu_us_per_msg'] / floor['cpu_us_per_msg']:.1f}x"
        wal = f"{f['wal_end_mb']}/{f['wal_largest_mb']}" if "wal_end_mb" in f else "-"
        print(f"{f['phase']:7s} {f['run']:3d} {f['target']:6s} {f['cpu_us_per_msg']!s:>8s} {f['answered_per_s']:9.0f} "
              f"{f['p50_ms']:8.2f} {f['p99_ms']:8.2f} {f['errors']:4d} {f['disk_bytes_per_msg']!s:>7s} {f['write_syscalls_per_s']:6d} "
              f"{f['rss_per_conn_kib']:8.2f} {wal:>14s} {f.get('db_mb', '-')!s:>6s} {f.get('log_mb', '-')!s:>6s} {ratio:>6s}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(runs, out, indent=1)


if __name__ == "__main__":
    main()
