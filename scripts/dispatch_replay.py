#!/usr/bin/env python3
"""Replays a measured run under other dispatch orders: how long would `cellfree run -j W` have taken if
the ready stages were started in manifest order, by the longest chain of pending dependents (the
runner's order), or by the longest chain weighted by each stage's measured time?

    cellfree dag manifests/reproduce.yaml --instances > dag.dot
    make reproduce > run.log 2>&1
    python3 scripts/dispatch_replay.py dag.dot run.log [--workers 2]

Durations come from the log's `done   ID (DURATION)` lines; an instance the log does not time (its key
shared with another instance, or cached) counts as 0.1 s. Each worker runs one instance at a time and
a dispatch costs nothing, so the replay is a lower bound of what the runner achieves; the floor is the
total work over the workers.
"""
import argparse
import functools
import heapq
import re


def seconds(text):
    """'13m15s', '1h01m', '54.1 s', '279 ms' → seconds."""
    text = text.strip()
    if text.endswith("ms"):
        return float(text[:-2]) / 1000
    m = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:([\d.]+)\s*s)?", text)
    if not m or not any(m.groups()):
        raise ValueError(f"unreadable duration {text!r}")
    h, mins, s = m.groups()
    return int(h or 0) * 3600 + int(mins or 0) * 60 + float(s or 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dag", help="output of `cellfree dag MANIFEST --instances` (DOT)")
    ap.add_argument("log", help="the run's log (`done   ID (DURATION)` lines)")
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()

    dot = open(a.dag).read()
    label = dict(re.findall(r'(i\d+) \[label="([^"]+)"\]', dot))
    edges = re.findall(r"(i\d+) -> (i\d+)", dot)
    if not label:
        raise SystemExit(f"{a.dag}: no instance nodes (was it written with --instances?)")
    measured = {m[0]: seconds(m[1]) for m in re.findall(r"done   (\S+) \(([^)]+)\)", open(a.log).read())}
    nodes = sorted(label, key=lambda n: int(n[1:]))
    duration = {n: measured.get(label[n], 0.1) for n in nodes}
    untimed = sum(label[n] not in measured for n in nodes)
    successors = {n: [] for n in nodes}
    predecessors = {n: [] for n in nodes}
    for u, v in edges:
        successors[u].append(v)
        predecessors[v].append(u)

    @functools.lru_cache(None)
    def chain(n):
        return 1 + max((chain(s) for s in successors[n]), default=0)

    @functools.lru_cache(None)
    def weighted_chain(n):
        return duration[n] + max((weighted_chain(s) for s in successors[n]), default=0)

    order = {n: i for i, n in enumerate(nodes)}

    def replay(priority):
        t, done, running, waiting = 0.0, set(), [], set(nodes)
        while waiting or running:
            ready = sorted((n for n in waiting if all(p in done for p in predecessors[n])), key=priority)
            while len(running) < a.workers and ready:
                n = ready.pop(0)
                waiting.discard(n)
                heapq.heappush(running, (t + duration[n], n))
            t, n = heapq.heappop(running)
            done.add(n)
        return t

    total = sum(duration.values())
    print(f"{len(nodes)} instances ({untimed} not timed in the log), {total / 60:.1f} min of work, "
          f"floor {total / a.workers / 60:.1f} min on {a.workers} workers, "
          f"longest weighted chain {max(weighted_chain(n) for n in nodes) / 60:.1f} min")
    for name, priority in [("manifest order", lambda n: order[n]),
                           ("longest chain (the runner)", lambda n: (-chain(n), order[n])),
                           ("longest chain weighted by measured time", lambda n: (-weighted_chain(n), order[n]))]:
        print(f"{name:42s} {replay(priority) / 60:6.1f} min")


if __name__ == "__main__":
    main()
