import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "lib/**/*.test.ts", "emulator/**/*.test.ts"],
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
  },
});
