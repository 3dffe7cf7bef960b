"""The plugin's overhead on real code: mypy with the plugin / plain mypy, in one run.

    python tests/realcode/bench.py      (run by ``python3 tasks.py bench``)

On the corpora of corpus.installed() (FastAPI's docs_src/ and tests/, SQLModel's docs_src/),
copied to a temporary folder so edits never touch the download cache, it measures
``REPEATS`` times, interleaving the two variants (the order flips every repetition):
- cold: a full check with an empty cache;
- warm: the same check again after a one-line edit of the corpus module imported most often;
- dmypy: ``dmypy check`` on a running daemon after such an edit, on the docs_src/ parts only:
  with FastAPI's tests/ in the build, mypy 2.4.1's daemon takes over 200 s for any one-line
  recheck, plugin or not (seen while writing this; its docs_src/ alone rechecks in ~1 s);
- peak memory: the cold run's maximum resident set size.
The plugin's bytecode is compiled first, as an installed package has it.
Times are CPU seconds (user + system) of the mypy process, which a busy shared machine
disturbs less than wall time; wall-time ratios are printed beside them. Each ratio is the
median over the repetitions of (sum over corpora with the plugin) / (same without).
Last, one cold run with the plugin under pyinstrument says how much of it is spent in
mypy_plugin's own code, and where. Nothing is asserted: the numbers go in the README.

    python tests/realcode/bench.py --instructions      (``python3 tasks.py instructions``)

counts instead the instructions the mypy process executes (valgrind's cachegrind, hash seed
fixed), cold and after the one-line edit, with and without the plugin, each pair side by side;
and those a dmypy server executes for its rechecks after such edits (callgrind, switched on by
``callgrind_control`` for the recheck only). The same command counts differently from run to
run (mypy's process is not deterministic to the instruction, even with threads and address
randomisation out of the way): cold, by up to about 0.35 % on FastAPI's corpus (two counts of
the same code on 2026-12-06: 48,077,485,313 and 48,243,164,254) and 0.3 % on SQLModel's, where
CPU seconds on a shared machine vary by a few percent. So each cold pair is counted twice and
the table adds both up; a change of less than a few tenths of a percent is not told apart by
one run (about 30 minutes on two cores).
"""

from __future__ import annotations

import ast
import collections
import compileall
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import corpus

REPEATS = 5
DAEMON_PARTS = ("docs_src",)  # see the module docstring
TARGETS = {"cold": 1.02, "warm": 1.03, "dmypy": 1.03, "memory": 1.02}
LABELS = {
    "cold": "cold full check",
    "warm": "warm recheck after a one-line edit",
    "dmypy": "dmypy check after a one-line edit",
}
EDIT_MARK = "_bench_edit = "
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Measure:
    cpu: float
    wall: float
    rss_mib: float = 0.0


def measured(command: Sequence[str], cwd: Path) -> Measure:
    """Run a mypy command; its CPU time, wall time and peak memory (this child alone, via wait4)."""
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in (0, 1):
            output.seek(0)
            raise RuntimeError(f"{' '.join(command)} exited {process.returncode}:\n{output.read().decode()}")
    return Measure(usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024)


def most_imported(root: Path, files: list[Path]) -> Path:
    """The corpus module that other corpus modules import most often: the edit reaches furthest."""
    modules = {".".join(path.with_suffix("").parts).removesuffix(".__init__"): path for path in files}
    counts: collections.Counter[Path] = collections.Counter()
    for path in files:
        package = path.parent.parts  # what `from . import x` names, in a module or an __init__.py
        try:
            tree = ast.parse((root / path).read_text())
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = list(package[: len(package) - (node.level - 1)]) if node.level else []
                module = ".".join([*base, *([node.module] if node.module else [])])
                names = [module, *(f"{module}.{alias.name}" for alias in node.names)]
            for name in names:
                if name in modules and modules[name] != path:
                    counts[modules[name]] += 1
    return counts.most_common(1)[0][0] if counts else files[0]


class Edit:
    """A one-line edit of one module: the last line sets a counter that each edit increases."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.text = path.read_text().rstrip("\n") + "\n"
        self.count = 0
        self.stamp = path.stat().st_mtime_ns

    def next(self) -> None:
        self.count += 1
        self.path.write_text(f"{self.text}{EDIT_MARK}{self.count}\n")
        # dmypy sees an edit by the file's size and whole-second mtime, and most edits keep the
        # size: each one moves the mtime a second on, or a recheck in the same second sees nothing.
        self.stamp += 1_000_000_000
        os.utime(self.path, ns=(self.stamp, self.stamp))


@dataclass(frozen=True)
class Corpus:
    root: Path
    targets: tuple[str, ...]
    edit: Edit  # in a module of DAEMON_PARTS, so that every measurement sees it


def prepare(work: Path) -> list[Corpus]:
    prepared = []
    for sdist in corpus.installed():
        root = work / sdist.root.name
        shutil.copytree(corpus.fetch(sdist), root)
        files = corpus.python_files(root, sdist.parts)
        edited = most_imported(root, corpus.python_files(root, DAEMON_PARTS))
        print(f"{sdist.name} {sdist.version}: {len(files)} files; edits go to {edited}", flush=True)
        prepared.append(Corpus(root, sdist.parts, Edit(root / edited)))
    return prepared


class Daemon:
    """One dmypy server for one corpus and variant; its CPU time is read from /proc."""

    def __init__(self, work: Path, item: Corpus, config: Path, name: str) -> None:
        self.root, self.targets = item.root, DAEMON_PARTS
        self.status = work / f"{name}.dmypy.json"
        self.client = [sys.executable, "-m", "mypy.dmypy", "--status-file", str(self.status)]
        self._start(corpus.mypy_command(config, work / f"{name}.dmypy-cache", [])[3:])
        self.check()  # the first, full check: never measured

    def _start(self, flags: list[str]) -> None:
        subprocess.run([*self.client, "start", "--", *flags], cwd=self.root, check=True, capture_output=True)

    def check(self) -> Measure:
        pid = json.loads(self.status.read_text())["pid"]
        before, start = self._cpu(pid), time.perf_counter()
        done = subprocess.run([*self.client, "check", *self.targets], cwd=self.root, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if done.returncode not in (0, 1):
            raise RuntimeError(f"dmypy check exited {done.returncode}:\n{done.stdout}{done.stderr}")
        return Measure(self._cpu(pid) - before, wall)

    @staticmethod
    def _cpu(pid: int) -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime

    def stop(self) -> None:
        subprocess.run([*self.client, "stop"], cwd=self.root, capture_output=True)


Samples = dict[str, dict[bool, list[Measure]]]  # kind -> plugin? -> one per repetition


def run_all(work: Path, corpora: list[Corpus]) -> Samples:
    samples: Samples = collections.defaultdict(lambda: {True: [], False: []})
    configs = {plugin: corpus.write_config(work, plugin=plugin) for plugin in (True, False)}
    for repetition in range(REPEATS):
        order = (False, True) if repetition % 2 == 0 else (True, False)
        cold: dict[bool, list[Measure]] = {True: [], False: []}
        warm: dict[bool, list[Measure]] = {True: [], False: []}
        for index, item in enumerate(corpora):
            caches = {plugin: work / f"cache-{repetition}-{index}-{plugin}" for plugin in order}
            for plugin in order:
                cold[plugin].append(measured(corpus.mypy_command(configs[plugin], caches[plugin], item.targets), item.root))
            item.edit.next()
            for plugin in order:
                warm[plugin].append(measured(corpus.mypy_command(configs[plugin], caches[plugin], item.targets), item.root))
            for plugin in order:
                shutil.rmtree(caches[plugin])
        for plugin in order:
            samples["cold"][plugin].append(_total(cold[plugin]))
            samples["warm"][plugin].append(_total(warm[plugin]))
        print(f"  repetition {repetition + 1}/{REPEATS}: cold and warm done", flush=True)
    for index, item in enumerate(corpora):
        daemons = {plugin: Daemon(work, item, configs[plugin], f"d{index}-{plugin}") for plugin in (False, True)}
        try:
            for repetition in range(REPEATS):
                item.edit.next()
                order = (False, True) if repetition % 2 == 0 else (True, False)
                for plugin in order:
                    measure = daemons[plugin].check()
                    runs = samples["dmypy"][plugin]
                    if index == 0:
                        runs.append(measure)
                    else:
                        runs[repetition] = _total([runs[repetition], measure])
        finally:
            for daemon in daemons.values():
                daemon.stop()
        print(f"  dmypy on corpus {index + 1}/{len(corpora)} done", flush=True)
    return samples


def _total(measures: list[Measure]) -> Measure:
    return Measure(
        sum(m.cpu for m in measures), sum(m.wall for m in measures), max(m.rss_mib for m in measures)
    )


def ratio(samples: Samples, kind: str, field: str) -> float:
    """Median over repetitions of with/without (each pair measured back to back)."""
    pairs = zip(samples[kind][True], samples[kind][False])
    return statistics.median(getattr(plugin, field) / getattr(plain, field) for plugin, plain in pairs)


def median(samples: Samples, kind: str, plugin: bool, field: str) -> float:
    return statistics.median(getattr(measure, field) for measure in samples[kind][plugin])


def report(samples: Samples) -> None:
    print()
    print(f"| measurement ({REPEATS} interleaved runs, medians) | without plugin | with plugin | ratio | wall-time ratio | target |")
    print("|---|---|---|---|---|---|")
    for kind, label in LABELS.items():
        print(
            f"| {label}{' (docs_src)' if kind == 'dmypy' else ''} (CPU s) | {median(samples, kind, False, 'cpu'):.2f} | {median(samples, kind, True, 'cpu'):.2f} "
            f"| {ratio(samples, kind, 'cpu'):.3f} | {ratio(samples, kind, 'wall'):.3f} | <= {TARGETS[kind]} |"
        )
    print(
        f"| peak memory of the cold check (MiB) | {median(samples, 'cold', False, 'rss_mib'):.0f} "
        f"| {median(samples, 'cold', True, 'rss_mib'):.0f} | {ratio(samples, 'cold', 'rss_mib'):.3f} | | "
        f"<= {TARGETS['memory']} |"
    )


PROFILED = """
import sys
import mypy.api
from pyinstrument import Profiler

profiler = Profiler(interval=0.001)
profiler.start()
mypy.api.run(sys.argv[1:])
profiler.stop()
session = profiler.last_session
print(session.duration)
def walk(frame, inside):
    mine = "mypy_plugin" in (frame.file_path or "")
    if mine and not inside:
        print(frame.time, frame.function, frame.file_path, frame.line_no, sep="\\t")
    for child in frame.children:
        walk(child, inside or mine)
walk(session.root_frame(), False)
"""


def profile(work: Path, item: Corpus) -> None:
    """One cold run with the plugin under pyinstrument: time in mypy_plugin frames, by function."""
    config = corpus.write_config(work, plugin=True)
    command = corpus.mypy_command(config, work / "cache-profile", item.targets)[3:]
    done = subprocess.run([sys.executable, "-c", PROFILED, *command], cwd=item.root, capture_output=True, text=True, check=True)
    total, *rows = done.stdout.splitlines()
    by_function: collections.Counter[str] = collections.Counter()
    for row in rows:
        seconds, function, file_path, line = row.split("\t")
        by_function[f"{function} ({Path(file_path).name}:{line})"] += float(seconds)
    spent = sum(by_function.values())
    print()
    print(f"pyinstrument, one cold run with the plugin on {item.root.name}: {float(total):.1f} s sampled, "
          f"{spent:.3f} s ({100 * spent / float(total):.2f} %) in mypy_plugin code, entered from mypy at:")
    for name, seconds in by_function.most_common(8):
        print(f"  {seconds:8.3f} s  {name}")


VALGRIND = ("valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null")
_INSTRUCTIONS = re.compile(r"I\s+refs:\s+([\d,]+)")


def instructions(commands: dict[bool, list[str]], cwd: Path) -> dict[bool, int]:
    """Run the commands side by side under cachegrind: the instructions each executed."""
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    running = {
        plugin: subprocess.Popen(
            [*VALGRIND, *command], cwd=cwd, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        for plugin, command in commands.items()
    }
    counts = {}
    for plugin, process in running.items():
        _, errors = process.communicate()
        found = _INSTRUCTIONS.search(errors)
        if process.returncode not in (0, 1) or found is None:
            raise RuntimeError(f"valgrind {' '.join(commands[plugin])} exited {process.returncode}:\n{errors}")
        counts[plugin] = int(found[1].replace(",", ""))
    return counts


#: Cold pairs counted per corpus, each from an empty cache; the table adds them up, which narrows
#: the scatter of a single count (see the module docstring).
COLD_COUNTS = 2

CALLGRIND = ("valgrind", "--tool=callgrind", "--instr-atstart=no")
_SUMMARY = re.compile(r"^summary:\s+(\d+)$", re.MULTILINE)
DAEMON_RECHECKS = 2  # counted one after the other, each after its own edit


class CountedDaemon(Daemon):
    """A dmypy server under callgrind, counting instructions only while a recheck runs
    (``callgrind_control`` turns that on and off): its start and first full check are not counted."""

    profile: Path  # callgrind's output file; each dump adds ``.1``, ``.2``, ... to its name
    server: subprocess.Popen[bytes]

    def _start(self, flags: list[str]) -> None:
        self.profile = self.status.with_suffix(".callgrind")
        self.server = subprocess.Popen(
            [*CALLGRIND, f"--callgrind-out-file={self.profile}", *self.client, "daemon", "--", *flags],
            cwd=self.root,
            env={**os.environ, "PYTHONHASHSEED": "0"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while not (self.status.exists() and self.status.read_text()):
            if self.server.poll() is not None:
                raise RuntimeError(f"dmypy daemon under callgrind exited {self.server.returncode}")
            time.sleep(1)

    def count(self) -> int:
        """Instructions of one ``dmypy check``."""
        pid = str(self.server.pid)
        subprocess.run(["callgrind_control", "--instr=on", pid], check=True, capture_output=True)
        subprocess.run(["callgrind_control", "--zero", pid], check=True, capture_output=True)
        self.check()
        subprocess.run(["callgrind_control", "--dump", pid], check=True, capture_output=True)
        subprocess.run(["callgrind_control", "--instr=off", pid], check=True, capture_output=True)
        dumps = self.profile.parent.glob(f"{self.profile.name}.*")
        newest = max(dumps, key=lambda path: int(path.suffix[1:]))
        found = _SUMMARY.search(newest.read_text())
        if found is None:
            raise RuntimeError(f"no summary in {newest}")
        return int(found[1])

    def stop(self) -> None:
        super().stop()
        self.server.wait()


def count_daemon_instructions(
    work: Path, item: Corpus, configs: dict[bool, Path], index: int
) -> dict[bool, int]:
    """Both daemons start (and check everything once) side by side; then each recheck after an
    edit is counted in turn."""
    with ThreadPoolExecutor(2) as pool:
        plugins = (False, True)
        started = pool.map(
            lambda plugin: CountedDaemon(work, item, configs[plugin], f"c{index}-{plugin}"), plugins
        )
        daemons = dict(zip(plugins, started))
    try:
        counts = {True: 0, False: 0}
        for _ in range(DAEMON_RECHECKS):
            item.edit.next()
            for plugin, daemon in daemons.items():
                counts[plugin] += daemon.count()
        return counts
    finally:
        for daemon in daemons.values():
            daemon.stop()


def count_instructions(work: Path, corpora: list[Corpus]) -> None:
    configs = {plugin: corpus.write_config(work, plugin=plugin) for plugin in (True, False)}
    totals: dict[str, dict[bool, int]] = {kind: {True: 0, False: 0} for kind in ("cold", "warm", "dmypy")}
    for index, item in enumerate(corpora):
        caches = {plugin: work / f"cache-i{index}-{plugin}" for plugin in (True, False)}
        commands = {
            plugin: corpus.mypy_command(configs[plugin], cache, item.targets) for plugin, cache in caches.items()
        }
        for kind in ["cold"] * COLD_COUNTS + ["warm"]:
            if kind == "warm":
                item.edit.next()
            else:
                for cache in caches.values():
                    shutil.rmtree(cache, ignore_errors=True)
            counts = instructions(commands, item.root)
            print(f"  {item.root.name} {kind}: {counts[False]:,} without, {counts[True]:,} with "
                  f"({counts[True] / counts[False]:.4f})", flush=True)
            for plugin in (True, False):
                totals[kind][plugin] += counts[plugin]
        counts = count_daemon_instructions(work, item, configs, index)
        print(f"  {item.root.name} dmypy ({DAEMON_RECHECKS} rechecks of {', '.join(DAEMON_PARTS)}): "
              f"{counts[False]:,} without, {counts[True]:,} with ({counts[True] / counts[False]:.4f})",
              flush=True)
        for plugin in (True, False):
            totals["dmypy"][plugin] += counts[plugin]
    print()
    print("| instructions executed (cachegrind; dmypy: callgrind) "
          "| without plugin | with plugin | ratio | target |")
    print("|---|---|---|---|---|")
    where = {
        "cold": f" ({COLD_COUNTS} runs)",
        "dmypy": f" ({', '.join(DAEMON_PARTS)}, {DAEMON_RECHECKS} edits)",
    }
    for kind in ("cold", "warm", "dmypy"):
        label = LABELS[kind] + where.get(kind, "")
        without, with_plugin = totals[kind][False], totals[kind][True]
        print(f"| {label} | {without:,} | {with_plugin:,} | {with_plugin / without:.4f} | <= {TARGETS[kind]} |")


def main() -> int:
    # Installed, the plugin has its bytecode (pip compiles it); where writing bytecode is off
    # (PYTHONDONTWRITEBYTECODE), every measured run would compile it again: ~25 ms a run.
    compileall.compile_dir(corpus.ROOT / "mypy_plugin", quiet=1)
    counting = sys.argv[1:] == ["--instructions"]
    if counting and shutil.which(VALGRIND[0]) is None:
        print("--instructions needs valgrind (apt install valgrind); nothing was measured", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        corpora = prepare(work)
        if counting:
            count_instructions(work, corpora)
            return 0
        samples = run_all(work, corpora)
        report(samples)
        profile(work, corpora[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
