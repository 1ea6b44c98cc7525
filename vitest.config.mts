import { defineConfig } from "vitest/config";

/**
 * The fault files time a broken Redis to the millisecond (the slowest answer under 400 ms while Redis is killed,
 * paused or silent). A container that sees a silent Redis waits out 200 ms of silence it was awake to hear, so on a
 * CPU shared with the suite's 60-process fleets those bounds failed now and then: these run last, on their own.
 */
const TIMED_FAULT_FILES = ["test/fleet/redis-faults.test.ts", "test/fleet/redis-fleet.test.ts"];

export default defineConfig({
  test: {
    // Integration tests start real servers and child processes, so each file gets a process of its own (forks).
    // Most of the suite's wall time is waiting on timers (deadlines, retries, the rate limit), not CPU: several files
    // at once finish the suite in a fraction of the time one at a time takes, even on two cores (vitest's default
    // there is a single worker). Four, not five: the fleet files each run tens of container processes, and with five
    // at once on two cores their timing bounds (a burst's throttling, a fault's slowest answer) failed now and then.
    pool: "forks",
    poolOptions: { forks: { minForks: 1, maxForks: 4 } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ["test/global-setup.ts"],
    setupFiles: ["test/setup.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "suite",
          include: ["test/**/*.test.ts", "lib/**/*.test.ts", "emulator/**/*.test.ts"],
          exclude: TIMED_FAULT_FILES,
          sequence: { groupOrder: 0 },
        },
      },
      // One file per group: the fault files do not share the CPU with each other either.
      ...TIMED_FAULT_FILES.map((file, index) => ({
        extends: true as const,
        test: { name: file.replace(/^.*\/|\.test\.ts$/g, ""), include: [file], sequence: { groupOrder: index + 1 } },
      })),
    ],
  },
});
