import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";

/**
 * How the suite fits in a minute on two cores. It is CPU-bound at its start (fleets of container threads, osls, the
 * type check, `npm start`) and timer-bound after (deadlines, retries, the rate limit, callback schedules), and many
 * files assert time bounds that a saturated CPU can break. So it runs in two groups, one after the other:
 * 1. the heavy files, four at a time, the slowest first so that none is left to run alone at the end;
 * 2. the files that time something to the tens of milliseconds on little CPU (a broken Redis answered within
 *    400 ms, the transport's deadline cases, a secret's lifetime) with the light ones, which fill the slots beside
 *    them. The unit files share one worker thread (pure functions: nothing of one file can reach another).
 */
const UNIT_FILES = ["test/unit/**/*.test.ts"];
const TIMED_AND_LIGHT_FILES = [
  "test/fleet/redis-faults.test.ts", "test/fleet/redis-containers.test.ts", "test/hardening/transport.test.ts",
  "test/deploy/secrets-manager.test.ts", "test/fleet/container-pacer.test.ts", "test/workflow/wait.test.ts",
  "test/emulator/**/*.test.ts", "test/integration/**/*.test.ts",
  "test/hardening/credentials.test.ts", "test/hardening/upstream-4xx.test.ts", "test/hardening/concurrency.test.ts", "test/hardening/audit.test.ts",
  "test/workflow/throw-on-error.test.ts", "test/deploy/shims.test.ts", "test/fleet/redis-parts.test.ts", "test/fleet/fleet-unit.test.ts",
];

/**
 * The longest files of each group, longest first (measured: `npx vitest run --reporter=json`). Vitest orders files by
 * its last run's durations, which a fresh clone (CI) does not have, and otherwise by size, which says little here.
 */
const SLOWEST_FIRST = [
  // group 1
  "test/fleet/redis-fleet.test.ts", "test/deploy/typecheck.test.ts", "test/fleet/redis-cluster.test.ts", "test/fleet/callbacks-fleet.test.ts",
  "test/hardening/hardening.test.ts", "test/e2e/start.test.ts", "test/fleet/redis-tls.test.ts", "test/fleet/redis-cluster-tls.test.ts",
  "test/e2e/invoke.test.ts", "test/workflow/batch.test.ts", "test/fleet/redis-store.test.ts", "test/deploy/serverless-config.test.ts",
  // group 2
  "test/fleet/redis-faults.test.ts", "test/hardening/transport.test.ts", "test/fleet/redis-containers.test.ts", "test/deploy/secrets-manager.test.ts",
  "test/fleet/container-pacer.test.ts", "test/emulator/callbacks.test.ts", "test/workflow/wait.test.ts", "test/emulator/rate-limit.test.ts",
  "test/emulator/faults.test.ts", "test/hardening/credentials.test.ts",
];

class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const at = SLOWEST_FIRST.findIndex((path) => file.moduleId.endsWith(path));
      return at < 0 ? SLOWEST_FIRST.length : at;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    // Integration tests start real servers and child processes: each file gets a process of its own (forks), four
    // at once (vitest's default on two cores is one), all four started at once.
    pool: "forks",
    poolOptions: { forks: { minForks: 4, maxForks: 4 }, threads: { minThreads: 2, maxThreads: 2 } },
    sequence: { sequencer: SlowestFirst },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ["test/global-setup.ts"],
    setupFiles: ["test/setup.ts"],
    projects: [
      { extends: true, test: { name: "suite", include: ["test/**/*.test.ts"], exclude: [...UNIT_FILES, ...TIMED_AND_LIGHT_FILES] } },
      { extends: true, test: { name: "timed", include: TIMED_AND_LIGHT_FILES, sequence: { groupOrder: 1 } } },
      { extends: true, test: { name: "unit", include: UNIT_FILES, pool: "threads", isolate: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
