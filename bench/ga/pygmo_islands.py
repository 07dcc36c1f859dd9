"""pygmo archipelagos on the GA contract's island protocol (see bench/ga.bench.mjs).

A ring archipelago (island i → i + 1, a pygmo free_form topology) of `islands` islands of
`size` individuals; every island evolves `interval` generations per evolve() call and migration
happens between calls (select_best / fair_replace of `migrants`), until each island has spent
its share of the evaluation budget. Algorithms: `sga` (SBX + polynomial, tournament 2), `de`
and `sade`. Results are JSON lines on stdout.

    pygmo_islands.py INSTANCES.json --algo sga --jobs rastrigin-shifted:1,rastrigin-shifted:2
"""
import argparse
import time

import numpy as np
import pygmo as pg

from instances import Instance, emit, load, parse_jobs


class Problem:
    """The instance as a pygmo user-defined problem (minimisation, one objective)."""

    def __init__(self, inst: Instance):
        self.inst = inst

    def fitness(self, x):
        return [self.inst.evaluate_one(x)]

    def batch_fitness(self, dvs):
        return self.inst.evaluate(np.asarray(dvs).reshape(-1, self.inst.dim))

    def get_bounds(self):
        return ([self.inst.lower] * self.inst.dim, [self.inst.upper] * self.inst.dim)

    def get_name(self):
        return f"{self.inst.key} seed {self.inst.seed}"


def algorithm(name, protocol, dim, seed):
    gen = protocol["interval"]
    if name == "sga":
        return pg.algorithm(pg.sga(gen=gen, cr=protocol["crossoverRate"], eta_c=protocol["sbxEta"], m=1.0 / dim,
                                   param_m=protocol["mutationEta"], param_s=protocol["tournamentSize"],
                                   crossover="sbx", mutation="polynomial", selection="tournament", seed=seed))
    # ftol = xtol = 0: never stop an evolve() early, the budget decides.
    if name == "de":
        return pg.algorithm(pg.de(gen=gen, F=0.8, CR=0.9, variant=2, ftol=0, xtol=0, seed=seed))
    if name == "sade":
        return pg.algorithm(pg.sade(gen=gen, variant=2, variant_adptv=1, ftol=0, xtol=0, seed=seed))
    raise ValueError(f"unknown algorithm {name}")


def ring(n):
    topo = pg.free_form()
    for _ in range(n):
        topo.add_vertex()
    for k in range(n):
        topo.add_edge(k, (k + 1) % n, 1.0)
    return pg.topology(topo)


def run_archipelago(name, inst, protocol, seed):
    n = protocol["islands"]
    size = protocol["size"]
    per_island = protocol["evaluations"] // n
    archi = pg.archipelago()
    prob = pg.problem(Problem(inst))
    migrants = protocol["migrants"]
    for k in range(n):
        archi.push_back(
            algo=algorithm(name, protocol, inst.dim, seed * 1000 + k),
            prob=prob,
            size=size,
            seed=seed * 1000 + k,
            r_pol=pg.r_policy(pg.fair_replace(rate=migrants)),
            s_pol=pg.s_policy(pg.select_best(rate=migrants)),
        )
    if protocol["migrate"]:
        archi.set_topology(ring(n))
    # Every algorithm here evaluates `size` new individuals per generation: one evolve() call
    # costs interval × size evaluations; the initial population cost `size`.
    per_call = protocol["interval"] * size
    calls = (per_island - size) // per_call
    archi.evolve(calls)
    archi.wait_check()
    spent = [isl.get_population().problem.get_fevals() for isl in archi]
    left = per_island - max(spent)
    if left >= size:
        # The last, shorter stretch: fewer generations per island, then no migration after it.
        gens = left // size
        for k, isl in enumerate(archi):
            isl.set_algorithm(algorithm(name, dict(protocol, interval=gens), inst.dim, seed * 7919 + k))
        archi.evolve(1)
        archi.wait_check()
    evaluations = sum(isl.get_population().problem.get_fevals() for isl in archi)
    return float(min(f[0] for f in archi.get_champions_f())), int(evaluations)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("instances")
    parser.add_argument("--algo", required=True, choices=["sga", "de", "sade"])
    parser.add_argument("--jobs", required=True)
    args = parser.parse_args()
    protocol, instances = load(args.instances)
    for key, seed in parse_jobs(args.jobs):
        t0 = time.perf_counter()
        best, evaluations = run_archipelago(args.algo, instances[(key, seed)], protocol, seed)
        emit({"engine": f"pygmo-{args.algo}", "key": key, "seed": seed, "best": best,
              "evaluations": evaluations, "seconds": time.perf_counter() - t0})


if __name__ == "__main__":
    main()
