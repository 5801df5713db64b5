#!/usr/bin/env python3
"""Runs every shell example of README.md and docs/*.md as written, and fails on any that fails.

Each fenced ```sh block is one example: it runs as a bash script in a fresh copy of the
repository's tracked files (what a clone holds: no build, no pilegate.sqlite, no lab
reports), with `pilegate` of the debug build on the PATH and no PILEGATE_* variables set.
A command that exits non-zero fails the block (bash -e, with the line reported), and so
does a background command (`… &`) that is not running and well when the block ends: those
are stopped with SIGTERM (pilegate shuts down gracefully and exits 0) and their status is
checked. What this script changes, and nothing else:

- `swift run` and `swift build` get `--package-path <repository>`, so they use the
  checkout the docs belong to (and its existing build) rather than building the copy;
- the few commands that run until Ctrl-C (`BOUNDED`) get SIGINT after the seconds given,
  and must then exit 0;
- the commands that cannot run here (`EXCLUDED`) are not run; the reason is printed.
  An exclusion or bound that no longer matches a line of the docs is itself an error,
  so the lists cannot go stale.

Usage: python3 Tests/Docs/run_examples.py [--bin DIR] [--only README.md[:LINE]] [--keep] [--verbose]
(`.ci/run` runs it after the test suites.) The examples use the default port 8180; the
script checks it is free before each block.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Commands (one logical line of a block, as written, without its comment) that cannot run
# here, and why. Keep this short: everything else in the docs runs.
EXCLUDED = {
    "python3 Benchmarks/write_path.py --runs 3 --json before.json":
        "the write-path benchmark of issue 15 (floor and serve, three runs, minutes on a release build), recorded in docs/benchmarks.md",
    "python3 Benchmarks/write_path.py --runs 3 --json after.json":
        "the write-path benchmark of issue 15 after the WAL bound, recorded in docs/benchmarks.md",
    "python3 Benchmarks/write_path.py --runs 3 --json after-log.json":
        "the write-path benchmark of issue 15 after the record log, recorded in docs/benchmarks.md",
    "python3 Benchmarks/write_path.py --target serve --phases rate --duration 1200":
        "the 20-minute write-path run of issue 15, recorded in docs/benchmarks.md",
    '/usr/bin/time -f "%e s wall, %U s user, %S s sys, %M KB max RSS" .build-release/release/pilegate run --campaign 70000 --campaign-piles 400 --speed 20000 --json /tmp/campaign-mixed.json':
        "a benchmark of minutes on a release build, recorded in docs/benchmarks.md; not a docs example to rerun in CI",
    '/usr/bin/time -f "%e s wall, %U s user, %S s sys, %M KB max RSS" .build-release/release/pilegate run --campaign 70000 --campaign-piles 400 --speed 20000 --ocpp 1.6 --ocpp 2.0.1 --json /tmp/campaign-both.json':
        "a benchmark of minutes on a release build, recorded in docs/benchmarks.md; not a docs example to rerun in CI",
    '/usr/bin/time -f "%e s wall, %U s user, %S s sys, %M KB max RSS" .build-release/release/pilegate run --campaign 70000 --campaign-piles 400 --speed 20000 --json /tmp/campaign70k.json':
        "the 70,000-session campaign of issue 13: needs the release build and both cores for minutes",
    "nice -n 10 python3 Benchmarks/gateway_load.py --port 8291 --bin .build-release/release --connections 10000 --duration 30 --rate 5000":
        "a load benchmark of a release build (issue 12, security profiles): both cores for a minute",
    "nice -n 10 python3 Benchmarks/gateway_load.py --port 8291 --bin .build-release/release --connections 10000 --duration 30 --rate 5000 --tls":
        "a load benchmark of a release build (issue 12, security profiles): both cores for a minute",
    "nice -n 10 python3 Benchmarks/gateway_load.py --port 8291 --bin .build-release/release --connections 1000 --duration 30 --rate 300 --password":
        "a load benchmark of a release build (issue 12, security profiles): both cores for a minute",
    "nice -n 10 python3 Benchmarks/gateway_load.py --port 8291 --bin .build-release/release --connections 1000 --duration 30 --rate 300":
        "a load benchmark of a release build (issue 12, security profiles): both cores for a minute",
    "nice -n 10 python3 Benchmarks/relay_load.py --piles 1000 --rate 500 --duration 20 --port 8391":
        "a load benchmark of a release build (issue 12, relay mode): both cores for a minute",
    "nice -n 10 python3 Benchmarks/relay_load.py --piles 5000 --rate 3000 --duration 20 --port 8391":
        "a load benchmark of a release build (issue 12, relay mode): both cores for a minute",
    "nice swift build -c release --build-path .build-release": "the release build for the load-management benchmark below it (minutes on both cores)",
    ".build-release/release/rebalance_bench 1000 8 60": "a benchmark of a release build (issue 14, load management), recorded in docs/benchmarks.md",
    ".build-release/release/rebalance_bench 1 500 60 1": "a benchmark of a release build (issue 14, load management), recorded in docs/benchmarks.md",
    ".build-release/release/rebalance_bench 1 500 60 5": "a benchmark of a release build (issue 14, load management), recorded in docs/benchmarks.md",
    "swift test": ".ci/run runs the whole test suite as its first step",
    "pip install -r Tests/Interop/requirements.txt": ".ci/run installs the test requirements at its start (needs the network)",
    "PILEGATE_BIN=$(swift build --show-bin-path)/pilegate python3 -m pytest -q Tests/Interop":
        ".ci/run runs the interop tests as its own step",
    "pilegate sim --fleet xiaomi-partners --shard 1/2 &":
        "30,000 piles in two processes: more than one gateway process may hold here (20,000 open files)",
    "pilegate sim --fleet xiaomi-partners --shard 2/2": "the second half of the 30,000-pile fleet (see its first half)",
    "swift build -c release --scratch-path .build-release --product pilegate": "a release build from scratch: about 10 minutes on 2 cores",
    "swift build -c release --scratch-path .build-release --product pilegate-load": "a release build from scratch: about 10 minutes on 2 cores",
    '/usr/bin/time -f "%e s wall, %U s user, %S s sys, %M KB max RSS" \\\n  .build-release/release/pilegate run --campaign 70000 --campaign-piles 400 --speed 20000 --json /tmp/campaign.json':
        "the 70,000-session benchmark: needs the release build and both cores for minutes",
    "python3 Benchmarks/gateway_load.py --connections 10000 --closed-loop --duration 30 --bin FOLDER":
        "a saturation benchmark of a release build (FOLDER stands for its folder)",
    "python3 Benchmarks/gateway_load.py --connections 10000 --rate 5000 --duration 30 --port 8291 --bin /work/wt-before/.build/release":
        "a load benchmark against a release build of the baseline commit, kept in a separate checkout",
    "python3 Benchmarks/gateway_load.py --connections 10000 --rate 5000 --duration 30 --port 8291":
        "a load benchmark of a release build: 10,000 connections and both cores for a minute",
    "python3 Benchmarks/gateway_load.py --connections 10000 --rate 5000 --duration 30 --port 8291 --ocpp 2.0.1":
        "the same load benchmark in 2.0.1 mode",
    "nice -n 10 python3 Benchmarks/gateway_load.py --port 8291 --bin BUILD --driver-bin .build-release/release --connections 10000 --duration 30 --rate 5000":
        "a load benchmark of release builds (BUILD stands for each build's folder): 10,000 connections and both cores for a minute",
    "nice -n 10 python3 Benchmarks/gateway_load.py --port 8291 --bin BUILD --driver-bin .build-release/release --connections 10000 --duration 30 --closed-loop":
        "a saturation benchmark of release builds (BUILD stands for each build's folder)",
    "nice -n 10 python3 Benchmarks/gateway_load.py --port 8291 --bin BUILD --driver-bin .build-release/release --connections 10000 --duration 30 --rate 5000 --ocpp 2.0.1":
        "the same load benchmark in 2.0.1 mode",
}

# Commands that run until Ctrl-C: SIGINT after this many seconds; they must then exit 0.
BOUNDED = {
    "pilegate sim --profile nio-640 --count 200 --ramp 100": 10,
    "pilegate serve --config registry.yaml": 5,
}

BLOCK_TIMEOUT = 300  # seconds for one block, whatever it does
SETTLE = 2  # seconds background commands get to come up (or fail) before they are stopped


@dataclass
class Block:
    file: str
    line: int  # of the opening fence
    text: str

    @property
    def name(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Result:
    block: Block
    status: str  # passed, failed, excluded
    seconds: float = 0
    log: str = ""
    excluded: list[tuple[str, str]] = field(default_factory=list)


def doc_files() -> list[Path]:
    return [REPO / "README.md"] + sorted((REPO / "docs").glob("*.md"))


def blocks(path: Path) -> list[Block]:
    found, current, start = [], None, 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if current is None and re.fullmatch(r"```(sh|bash|shell)\s*", line):
            current, start = [], number
        elif current is not None and line.startswith("```"):
            found.append(Block(str(path.relative_to(REPO)), start, "\n".join(current) + "\n"))
            current = None
        elif current is not None:
            current.append(line)
    return found


def logical_lines(text: str) -> list[str]:
    """Lines joined over trailing backslashes; heredoc bodies stay single lines of their own."""
    lines, pending = [], ""
    for line in text.splitlines():
        if pending:
            pending += "\n" + line
        else:
            pending = line
        if not line.endswith("\\"):
            lines.append(pending)
            pending = ""
    if pending:
        lines.append(pending)
    return lines


def command_of(line: str) -> str:
    """The line without its trailing comment (# after whitespace, outside quotes), stripped."""
    quote, previous = None, " "
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#" and previous in " \t":
            return line[:index].rstrip()
        previous = char
    return line.strip()


def heredoc_word(command: str) -> str | None:
    match = re.search(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1", command)
    return match.group(2) if match else None


def script_for(block: Block, used: set[str]) -> tuple[str, list[tuple[str, str]]]:
    """The block as a bash script, and the commands left out (with reasons)."""
    excluded: list[tuple[str, str]] = []
    body: list[str] = []
    heredoc: str | None = None
    for line in logical_lines(block.text):
        if heredoc is not None:
            body.append(line)
            if line.strip() == heredoc:
                heredoc = None
            continue
        command = command_of(line)
        if command in EXCLUDED:
            used.add(command)
            excluded.append((command, EXCLUDED[command]))
            body.append(f": excluded: {shlex.quote(command)}")
            continue
        out = re.sub(r"\bswift (run|build)\b", r'swift \1 --package-path "$PILEGATE_DOCS_REPO"', line)
        if command in BOUNDED:
            used.add(command)
            out = f"timeout --preserve-status -s INT {BOUNDED[command]} {out}"
        body.append(out)
        heredoc = heredoc_word(command)
        if command.endswith("&") and not command.endswith("&&"):
            body.append("_pilegate_bg+=($!)")
    prologue = f"""set -eo pipefail
_pilegate_bg=()
_pilegate_finish() {{
    local status=$? pid bg
    set +e
    if [ ${{#_pilegate_bg[@]}} -gt 0 ]; then
        sleep {SETTLE}
        for pid in "${{_pilegate_bg[@]}}"; do kill -TERM "$pid" 2>/dev/null; done
        for pid in "${{_pilegate_bg[@]}}"; do
            wait "$pid"; bg=$?
            if [ "$bg" -ne 0 ]; then
                echo "docs-example: background command (pid $pid) ended with status $bg" >&2
                [ "$status" -eq 0 ] && status=1
            fi
        done
    fi
    exit $status
}}
trap _pilegate_finish EXIT
trap 'echo "docs-example: exit status $? from: $BASH_COMMAND" >&2' ERR
"""
    return prologue + "\n".join(body) + "\n", excluded


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def fresh_copy(into: Path) -> None:
    """The repository's tracked files (a clone's content), without build output or stores."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = REPO / name
        if not source.is_file():
            continue  # deleted in the work tree
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def run_block(block: Block, bin_dir: Path, used: set[str], keep: bool) -> Result:
    script, excluded = script_for(block, used)
    runnable = [line for line in logical_lines(block.text) if command_of(line) and command_of(line) not in EXCLUDED]
    if not runnable:
        return Result(block, "excluded", excluded=excluded)
    deadline = time.monotonic() + 30
    while not port_free(8180):
        if time.monotonic() > deadline:
            return Result(block, "failed", log="port 8180 (the examples' default) is in use by another process", excluded=excluded)
        time.sleep(0.5)
    work = Path(tempfile.mkdtemp(prefix="pilegate-docs-"))
    started = time.monotonic()
    try:
        fresh_copy(work)
        (work / ".docs-example.sh").write_text(script, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("PILEGATE_")}
        env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
        env["PILEGATE_DOCS_REPO"] = str(REPO)
        process = subprocess.Popen(
            ["bash", ".docs-example.sh"], cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True)
        try:
            output, _ = process.communicate(timeout=BLOCK_TIMEOUT)
            status = process.returncode
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                output, _ = process.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                output, _ = process.communicate()
            output += f"\ndocs-example: the block did not finish within {BLOCK_TIMEOUT} s".encode()
            status = -1
        finally:
            # Whatever the block left behind in its session goes too.
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        log = output.decode(errors="replace")
        return Result(block, "passed" if status == 0 else "failed", time.monotonic() - started, log, excluded)
    finally:
        if keep:
            print(f"  (kept {work})")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", help="folder with the pilegate binary (default: swift build --show-bin-path)")
    parser.add_argument("--only", action="append", default=[], help="FILE or FILE:LINE of a block's opening fence")
    parser.add_argument("--keep", action="store_true", help="keep each block's folder")
    parser.add_argument("--verbose", action="store_true", help="print every block's output, not only a failed one's")
    args = parser.parse_args()

    if args.bin:
        bin_dir = Path(args.bin).resolve()
    else:
        shown = subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, capture_output=True, text=True, check=True)
        bin_dir = Path(shown.stdout.strip())
    if not os.access(bin_dir / "pilegate", os.X_OK):
        print(f"no pilegate in {bin_dir}: build it first (swift build)", file=sys.stderr)
        return 2

    all_blocks = [b for path in doc_files() for b in blocks(path)]
    selected = [b for b in all_blocks if not args.only or any(b.file == o or b.name == o for o in args.only)]
    used: set[str] = set()
    results: list[Result] = []
    started = time.monotonic()
    for block in selected:
        print(f"== {block.name}", flush=True)
        result = run_block(block, bin_dir, used, args.keep)
        results.append(result)
        for command, reason in result.excluded:
            first, more = command.splitlines()[0], " …" if len(command.splitlines()) > 1 else ""
            print(f"  not run: {first}{more}\n    because {reason}")
        if result.status == "failed":
            print(f"  FAIL after {result.seconds:.1f} s; its output:\n" + "\n".join("    " + l for l in result.log.splitlines()[-60:]))
        elif result.status == "passed":
            print(f"  PASS ({result.seconds:.1f} s)")
            if args.verbose:
                print("\n".join("    " + l for l in result.log.splitlines()))
        else:
            print("  every command of this block is excluded")
        sys.stdout.flush()

    problems = []
    if not args.only:
        for command in sorted(set(EXCLUDED) - used):
            problems.append(f"EXCLUDED names a command no example has any more: {command!r}")
        for command in sorted(set(BOUNDED) - used):
            problems.append(f"BOUNDED names a command no example has any more: {command!r}")
    for problem in problems:
        print(problem)
    failed = [r for r in results if r.status == "failed"]
    commands_excluded = sum(len(r.excluded) for r in results)
    print(
        f"{len(results)} blocks in {time.monotonic() - started:.0f} s: {sum(r.status == 'passed' for r in results)} passed, "
        f"{len(failed)} failed, {sum(r.status == 'excluded' for r in results)} wholly excluded; "
        f"{commands_excluded} commands not run (listed above with the reason)")
    for result in failed:
        print(f"  failed: {result.block.name}")
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
