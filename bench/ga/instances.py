"""Problem instances handed over by bench/ga.bench.mjs, and the contract's objectives in numpy.

The JSON file holds, per instance, the shift vector o and the rotation M that the native
`describeObjective` drew, plus a few genomes with their native fitness: `load` evaluates those
again here and refuses to go on if the two disagree, so every engine optimises the same function.
"""
import json
import math
import sys

import numpy as np

SCHWEFEL_OFFSET = 420.9687462275036


class Instance:
    """f(M(x - o)) of one (name, dim, problemSeed, shift, rotate), on whole batches of genomes."""

    def __init__(self, spec):
        self.key = spec["key"]
        self.name = spec["name"]
        self.dim = int(spec["dim"])
        self.seed = int(spec["seed"])
        self.lower = float(spec["lower"])
        self.upper = float(spec["upper"])
        self.shift = np.asarray(spec["shift"], dtype=np.float64)
        rotation = spec.get("rotation")
        self.rotation_t = (
            None if rotation is None else np.asarray(rotation, dtype=np.float64).reshape(self.dim, self.dim).T.copy()
        )
        self.check = spec.get("check")

    def evaluate(self, genomes):
        """Fitness of a (count, dim) array (or a list of genomes), as a float64 array."""
        x = np.asarray(genomes, dtype=np.float64).reshape(-1, self.dim)
        z = x - self.shift
        if self.rotation_t is not None:
            z = z @ self.rotation_t
        d = self.dim
        if self.name == "sphere":
            return np.sum(z * z, axis=1)
        if self.name == "rastrigin":
            return 10.0 * d + np.sum(z * z - 10.0 * np.cos(2.0 * math.pi * z), axis=1)
        if self.name == "rosenbrock":
            z = z + 1.0
            a = z[:, :-1]
            b = z[:, 1:]
            return np.sum(100.0 * (b - a * a) ** 2 + (a - 1.0) ** 2, axis=1)
        if self.name == "ackley":
            sq = np.sum(z * z, axis=1) / d
            cs = np.sum(np.cos(2.0 * math.pi * z), axis=1) / d
            return -20.0 * np.exp(-0.2 * np.sqrt(sq)) - np.exp(cs) + 20.0 + math.e
        if self.name == "griewank":
            i = np.sqrt(np.arange(1, d + 1, dtype=np.float64))
            return 1.0 + np.sum(z * z, axis=1) / 4000.0 - np.prod(np.cos(z / i), axis=1)
        if self.name == "schwefel":
            z = z + SCHWEFEL_OFFSET
            return 418.9828872724339 * d - np.sum(z * np.sin(np.sqrt(np.abs(z))), axis=1)
        raise ValueError(f"unknown objective {self.name}")

    def evaluate_one(self, genome):
        return float(self.evaluate(genome)[0])

    def verify(self):
        """Raises ValueError when this module's values differ from the native ones handed over."""
        if not self.check:
            return
        ours = self.evaluate(self.check["genomes"])
        theirs = np.asarray(self.check["values"], dtype=np.float64)
        err = np.abs(ours - theirs) / np.maximum(1.0, np.abs(theirs))
        if np.max(err) > 1e-9:
            raise ValueError(
                f"{self.key} seed {self.seed}: numpy objective differs from the native one "
                f"(max relative error {np.max(err):.3g}: {ours[:3]} vs {theirs[:3]})"
            )


def load(path):
    """(protocol, {(key, seed): Instance}) from the harness's JSON file, every instance verified."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    instances = {}
    for spec in doc["instances"]:
        inst = Instance(spec)
        inst.verify()
        instances[(inst.key, inst.seed)] = inst
    return doc["protocol"], instances


def parse_jobs(text):
    """`key:seed,key:seed` → [(key, seed)]."""
    jobs = []
    for item in text.split(","):
        key, seed = item.rsplit(":", 1)
        jobs.append((key, int(seed)))
    return jobs


def emit(record):
    """One result as a JSON line on stdout (the harness reads them as they come)."""
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()
