"""DEAP on the GA contract's island protocol (see bench/ga.bench.mjs).

Each island is the contract's generational GA built from DEAP's own operators: elitism, tournament
selection (selTournament), SBX (cxSimulatedBinaryBounded) and polynomial mutation
(mutPolynomialBounded); offspring evaluated in one numpy batch per generation. Islands migrate
their best individuals along a ring (island i → i + 1) every `interval` generations; the receiver's
worst are replaced. Results are JSON lines on stdout.

    deap_islands.py INSTANCES.json --jobs rastrigin-shifted:1,rastrigin-shifted:2
    deap_islands.py INSTANCES.json --speed rastrigin-shifted:1 --generations 300
"""
import argparse
import random
import time

from deap import base, creator, tools

from instances import emit, load, parse_jobs

creator.create("FitnessMin", base.Fitness, weights=(-1.0,))
creator.create("Individual", list, fitness=creator.FitnessMin)


def clone(ind):
    # A shallow copy with its fitness: deepcopy (toolbox.clone's default) costs ~10× more.
    c = creator.Individual(ind)
    if ind.fitness.valid:
        c.fitness.values = ind.fitness.values
    return c


class Island:
    """One population of the contract's GA, made of DEAP operators."""

    def __init__(self, inst, protocol, rng_seed):
        self.inst = inst
        self.size = protocol["size"]
        self.elitism = protocol["elitism"]
        self.cxpb = protocol["crossoverRate"]
        self.sbx_eta = protocol["sbxEta"]
        self.mut_eta = protocol["mutationEta"]
        self.tournament = protocol["tournamentSize"]
        self.indpb = 1.0 / inst.dim
        self.evaluations = 0
        random.seed(rng_seed)
        lo, hi = inst.lower, inst.upper
        self.pop = [creator.Individual(random.uniform(lo, hi) for _ in range(inst.dim)) for _ in range(self.size)]
        self._evaluate(self.pop)

    def _evaluate(self, individuals):
        values = self.inst.evaluate(individuals)
        for ind, v in zip(individuals, values):
            ind.fitness.values = (float(v),)
        self.evaluations += len(individuals)

    def generation(self):
        lo, hi, dim = self.inst.lower, self.inst.upper, self.inst.dim
        elites = [clone(ind) for ind in tools.selBest(self.pop, self.elitism)]
        offspring = [clone(ind) for ind in tools.selTournament(self.pop, self.size - self.elitism, self.tournament)]
        for i in range(0, len(offspring) - 1, 2):
            if random.random() < self.cxpb:
                tools.cxSimulatedBinaryBounded(offspring[i], offspring[i + 1], self.sbx_eta, [lo] * dim, [hi] * dim)
        for ind in offspring:
            tools.mutPolynomialBounded(ind, self.mut_eta, [lo] * dim, [hi] * dim, self.indpb)
            del ind.fitness.values
        self._evaluate(offspring)
        self.pop = elites + offspring

    def best(self):
        return min(ind.fitness.values[0] for ind in self.pop)


def run_islands(inst, protocol, seed):
    n = protocol["islands"]
    per_island = protocol["evaluations"] // n
    # DEAP's operators draw from the global `random`: each island's initial population from its
    # own seed, then the whole run from the run's seed.
    islands = [Island(inst, protocol, seed * 1000 + k) for k in range(n)]
    random.seed(seed)
    per_generation = protocol["size"] - protocol["elitism"]
    generation = 0
    while all(isl.evaluations + per_generation <= per_island for isl in islands):
        for isl in islands:
            isl.generation()
        generation += 1
        if protocol["migrate"] and generation % protocol["interval"] == 0:
            outgoing = [[clone(ind) for ind in tools.selBest(isl.pop, protocol["migrants"])] for isl in islands]
            for k, isl in enumerate(islands):
                incoming = outgoing[(k - 1) % n]
                isl.pop.sort(key=lambda ind: ind.fitness.values[0])
                isl.pop[-len(incoming) :] = incoming
    return min(isl.best() for isl in islands), sum(isl.evaluations for isl in islands), generation


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("instances")
    parser.add_argument("--jobs")
    parser.add_argument("--speed")
    parser.add_argument("--generations", type=int, default=300)
    args = parser.parse_args()
    protocol, instances = load(args.instances)
    if args.speed:
        (key, seed) = parse_jobs(args.speed)[0]
        inst = instances[(key, seed)]
        island = Island(inst, protocol, seed)
        for _ in range(20):
            island.generation()
        start_evals = island.evaluations
        t0 = time.perf_counter()
        for _ in range(args.generations):
            island.generation()
        seconds = time.perf_counter() - t0
        emit({"engine": "deap", "mode": "speed", "generations": args.generations,
              "evaluations": island.evaluations - start_evals, "seconds": seconds, "best": island.best()})
        return
    for key, seed in parse_jobs(args.jobs):
        t0 = time.perf_counter()
        best, evaluations, generations = run_islands(instances[(key, seed)], protocol, seed)
        emit({"engine": "deap", "key": key, "seed": seed, "best": best, "evaluations": evaluations,
              "generations": generations, "seconds": time.perf_counter() - t0})


if __name__ == "__main__":
    main()
