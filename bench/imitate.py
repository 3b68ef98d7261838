"""imitate-best on a neighbourhood threshold game, the way a Python user would write it, twice:
a plain loop over lists, and vectorised numpy / scipy.sparse code. bench/python.ts writes the
graph (CSR) and the game to a folder, runs this script, and compares the choices round by round
with the engine's.

    python3 bench/imitate.py <folder> <plain|numpy> <rounds>

Reads <folder>/game.json, offsets.i32 and targets.i32 (little-endian); writes
<folder>/<mode>.choices (rounds x n int8, the choices of each round) and prints one JSON line:
{"mode", "rounds", "seconds": [CPU seconds of the main thread per round, time.thread_time, as the engine's
side counts its main thread (bench/thread-cpu.ts)], "importSeconds": the
CPU that importing numpy and scipy.sparse took}.

The rules are the engine's (bench/baseline.ts states them): round 1 every agent takes the initial
choice and the seeded violators violate; from round 2 each agent keeps its own choice unless a
neighbour earned strictly more in the previous round, and then takes the choice of the first such
neighbour with the highest payoff (in CSR order). Each agent plays with its closed
neighbourhood: success when the share choosing option 0 reaches the threshold; capital is
multiplied by high (option 0, success), normal (the other option), or low (option 0, failure).
"""
import json
import sys
import time

# What importing numpy and scipy.sparse costs (CPU): not in the per-round figures, printed beside
# them (bench/python.ts sets it against the engine's JIT warm-up in a fresh process).
_before_imports = time.process_time()
import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
IMPORT_SECONDS = time.process_time() - _before_imports


def load(folder):
    with open(f"{folder}/game.json") as f:
        game = json.load(f)
    offsets = np.fromfile(f"{folder}/offsets.i32", dtype="<i4").astype(np.int64)
    targets = np.fromfile(f"{folder}/targets.i32", dtype="<i4").astype(np.int64)
    return game, offsets, targets


def run_plain(game, offsets, targets, rounds):
    n = game["n"]
    off = offsets.tolist()
    tg = targets.tolist()
    high, normal, low, threshold = game["high"], game["normal"], game["low"], game["threshold"]
    capital = [game["startCapital"]] * n
    prev_choice = [0] * n
    prev_payoff = [0.0] * n
    out, seconds = [], []
    for rnd in range(1, rounds + 1):
        t0 = time.thread_time()
        if rnd == 1:
            choice = [game["initial"]] * n
            for s in game["seeds"]:
                choice[s] = game["violation"]
        else:
            choice = [0] * n
            for i in range(n):
                best_choice = prev_choice[i]
                best = prev_payoff[i]
                for e in range(off[i], off[i + 1]):
                    j = tg[e]
                    if prev_payoff[j] > best:
                        best = prev_payoff[j]
                        best_choice = prev_choice[j]
                choice[i] = best_choice
        payoff = [0.0] * n
        for i in range(n):
            c = 1 if choice[i] == 0 else 0
            for e in range(off[i], off[i + 1]):
                if choice[tg[e]] == 0:
                    c += 1
            size = 1 + off[i + 1] - off[i]
            if c / size >= threshold:
                factor = high if choice[i] == 0 else normal
            else:
                factor = low if choice[i] == 0 else normal
            before = capital[i]
            after = before * factor
            payoff[i] = after - before
            capital[i] = after
        seconds.append(time.thread_time() - t0)
        out.append(bytes(c & 0xFF for c in choice))
        prev_choice, prev_payoff = choice, payoff
    return out, seconds


def run_numpy(game, offsets, targets, rounds):
    n = game["n"]
    deg = np.diff(offsets)
    starts = offsets[:-1]
    rows = np.repeat(np.arange(n), deg)
    adj = sp.csr_matrix((np.ones(len(targets)), targets, offsets), shape=(n, n))
    has = deg > 0
    capital = np.full(n, float(game["startCapital"]))
    prev_choice = np.zeros(n, dtype=np.int8)
    prev_payoff = np.zeros(n)
    seeds = np.array(game["seeds"], dtype=np.int64)
    edge_index = np.arange(len(targets))
    big = len(targets)
    out, seconds = [], []
    for rnd in range(1, rounds + 1):
        t0 = time.thread_time()
        if rnd == 1:
            choice = np.full(n, game["initial"], dtype=np.int8)
            choice[seeds] = game["violation"]
        else:
            worth = prev_payoff[targets]
            best = np.full(n, -np.inf)
            best[has] = np.maximum.reduceat(worth, starts[has])
            # The first neighbour (in CSR order) whose payoff is the best of the neighbourhood.
            first = np.full(n, big)
            at_best = np.where(worth == best[rows], edge_index, big)
            first[has] = np.minimum.reduceat(at_best, starts[has])
            better = best > prev_payoff
            choice = prev_choice.copy()
            choice[better] = prev_choice[targets[first[better]]]
        collective = (choice == 0).astype(np.float64)
        c = collective + adj @ collective
        success = c / (1 + deg) >= game["threshold"]
        factor = np.where(success, np.where(choice == 0, game["high"], game["normal"]), np.where(choice == 0, game["low"], game["normal"]))
        after = capital * factor
        payoff = after - capital
        capital = after
        seconds.append(time.thread_time() - t0)
        out.append(choice.tobytes())
        prev_choice, prev_payoff = choice, payoff
    return out, seconds


def main():
    folder, mode, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    game, offsets, targets = load(folder)
    out, seconds = (run_plain if mode == "plain" else run_numpy)(game, offsets, targets, rounds)
    with open(f"{folder}/{mode}.choices", "wb") as f:
        for b in out:
            f.write(b)
    print(json.dumps({"mode": mode, "rounds": rounds, "seconds": seconds, "importSeconds": IMPORT_SECONDS}))


if __name__ == "__main__":
    main()
