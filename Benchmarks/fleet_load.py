#!/usr/bin/env python3
"""Fleet benchmark: a simulated fleet (default: the whole xiaomi-partners network, ~30,000
piles) against `pilegate serve` on the same machine.

Runs G gateway processes on one port (SO_REUSEPORT) and one SQLite store, and S simulator
processes (`pilegate sim --shard i/S`), each below the 20,000 open-file limit. Reads CPU
time and memory of every process from /proc and prints: piles connected and booted,
sessions, messages per second, simulator memory per pile and CPU per message, gateway
memory per pile and CPU per message. It asserts nothing.

    python3 Benchmarks/fleet_load.py --fleet xiaomi-partners --speed 30 --duration 120
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gateway_load import cpu_seconds, rss_bytes, start_gateways, stop_all  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--fleet", default="xiaomi-partners")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--speed", type=float, default=30)
    p.add_argument("--duration", type=float, default=120, help="wall seconds the simulators run")
    p.add_argument("--ramp", type=float, default=1500, help="piles connected per second, per simulator process")
    p.add_argument("--simulators", type=int, default=0, help="simulator processes (default: one per 15,000 piles)")
    p.add_argument("--gateways", type=int, default=0, help="gateway processes (default: one per 18,000 piles)")
    p.add_argument("--piles", type=int, default=30000, help="expected pile count, to size the process counts")
    p.add_argument("--port", type=int, default=8195)
    p.add_argument("--bin", default=os.path.join(ROOT, ".build-release", "release"))
    args = p.parse_args()

    piles = int(args.piles * args.scale)
    sims = args.simulators or max(1, math.ceil(piles / 15000))
    gateways = args.gateways or max(1, math.ceil(piles / 18000))
    work = tempfile.mkdtemp(prefix="pilegate-fleet-")
    config = os.path.join(work, "gateway.yaml")
    with open(config, "w") as f:
        f.write("pingInterval: 0\nheartbeatInterval: 300\n")
    db = os.path.join(work, "fleet.sqlite")
    procs = []
    try:
        gw = start_gateways(gateways, args.bin, args.port, db, config, work, procs, log_level="error")
        time.sleep(0.5)
        gw_base = sum(rss_bytes(g.pid) for g in gw)
        gw_cpu0 = sum(cpu_seconds(g.pid) for g in gw)
        sim = []
        for s in range(sims):
            summary = os.path.join(work, f"sim-{s}.json")
            cmd = [os.path.join(args.bin, "pilegate"), "sim", "--gateway", f"ws://127.0.0.1:{args.port}/ocpp",
                   "--fleet", args.fleet, "--scale", str(args.scale), "--speed", str(args.speed),
                   "--duration", f"{args.duration}s", "--ramp", str(args.ramp), "--shard", f"{s + 1}/{sims}", "--json", summary]
            proc = subprocess.Popen(cmd, stdout=open(os.path.join(work, f"sim-{s}.log"), "w"), stderr=subprocess.STDOUT, cwd=ROOT)
            procs.append(proc)
            sim.append((proc, summary))
        t0 = time.time()
        peak_sim_rss = 0
        peak_gw_rss = 0
        sim_cpu = {}
        while any(proc.poll() is None for proc, _ in sim):
            time.sleep(1)
            try:
                peak_sim_rss = max(peak_sim_rss, sum(rss_bytes(proc.pid) for proc, _ in sim if proc.poll() is None))
                peak_gw_rss = max(peak_gw_rss, sum(rss_bytes(g.pid) for g in gw))
                for proc, _ in sim:
                    if proc.poll() is None:
                        sim_cpu[proc.pid] = cpu_seconds(proc.pid)
            except OSError:
                pass
            if time.time() - t0 > args.duration + 120:
                break
        elapsed = time.time() - t0
        gw_cpu1 = sum(cpu_seconds(g.pid) for g in gw)
        summaries = []
        for proc, path in sim:
            proc.wait(timeout=60)
            with open(path) as f:
                summaries.append(json.load(f))
        total = lambda key: sum(s[key] for s in summaries)  # noqa: E731
        messages = total("messagesSent")
        errors = {}
        for s in summaries:
            for k, v in s["errors"].items():
                errors[k] = errors.get(k, 0) + v
        figures = {
            "fleet": args.fleet, "scale": args.scale, "speed": args.speed, "simulator_processes": sims, "gateway_processes": gateways,
            "piles": total("piles"), "connected_at_end": total("connected"), "booted": total("booted"),
            "sessions_started": total("sessionsStarted"), "sessions_completed": total("sessionsCompleted"),
            "energy_kwh": round(total("energyKWh"), 1), "messages_sent": messages,
            "messages_per_second": round(messages / elapsed, 1), "wall_seconds": round(elapsed, 1),
            "simulator_peak_rss_mib": round(peak_sim_rss / 2**20, 1),
            "simulator_rss_per_pile_kib": round(peak_sim_rss / max(1, total("piles")) / 1024, 2),
            "simulator_cpu_us_per_message": round(sum(sim_cpu.values()) * 1e6 / max(1, messages), 1),
            "gateway_peak_rss_mib": round(peak_gw_rss / 2**20, 1),
            "gateway_rss_per_pile_kib": round((peak_gw_rss - gw_base) / max(1, total("piles")) / 1024, 2),
            "gateway_cpu_us_per_message": round((gw_cpu1 - gw_cpu0) * 1e6 / max(1, messages), 1),
            "errors": errors,
        }
        for k, v in figures.items():
            print(f"{k:34s} {v}")
    finally:
        stop_all(procs, work)

if __name__ == "__main__":
    main()
