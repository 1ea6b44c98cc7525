/**
 * A model of the rate-limit figure (b), for choosing the throttling policy without waiting on 60 real processes:
 * N callers invoke at once, each makes attempts with lib/retry.ts's own backoffDelay and canRetry and the deadline's
 * own fitWait (lib/deadline.ts), against a sliding 1000 ms window of `limit` accepted requests (throttled requests
 * take no quota), as the emulator implements it.
 *
 *   npx tsx bench/herd-model.ts [--trials 2000] [--callers 25,40,60,100] [--base 2000] [--attempts 3]
 *
 * Prints, per caller count: how often all callers got a status within 10 s spending at most 2 requests each, and
 * the distribution of upstream requests and of the slowest answer. `npm run bench` measures the real thing.
 */
import { parseArgs } from "node:util";
import { Deadline } from "../lib/deadline";
import { DEFAULT_RETRY_POLICY, backoffDelay, canRetry, type RetryPolicy } from "../lib/retry";

interface Outcome {
  answered: number;
  requests: number;
  slowestMs: number;
}

function simulate(callers: number, policy: RetryPolicy, random: () => number, limit = 20, remainingMs = 15_000): Outcome {
  let simulatedNow = 0;
  const deadline = Deadline.fromRemaining(remainingMs, { now: () => simulatedNow, sleep: async () => undefined });
  const queue: Array<{ at: number; caller: number }> = [];
  const accepted: number[] = [];
  const state = Array.from({ length: callers }, () => ({ attempts: 0, ok: false, doneAt: 0 }));
  // The "go" reaches the callers over ~30 ms; the first wave reaches the emulator over up to ~60 ms more.
  for (let i = 0; i < callers; i++) queue.push({ at: random() * 30, caller: i });
  let requests = 0;
  while (queue.length > 0) {
    queue.sort((a, b) => a.at - b.at);
    const { at, caller } = queue.shift()!;
    const c = state[caller]!;
    c.attempts++;
    requests++;
    const arrives = at + 1 + random() * (c.attempts === 1 ? 60 : 10);
    while (accepted.length > 0 && accepted[0]! <= arrives - 1000) accepted.shift();
    if (accepted.length < limit) {
      accepted.push(arrives);
      accepted.sort((a, b) => a - b);
      c.ok = true;
      c.doneAt = arrives + 1;
      continue;
    }
    const now = (simulatedNow = arrives + 1); // RequestLimitExceeded is back
    const delay = deadline.fitWait(backoffDelay(c.attempts - 1, true, policy, random), policy.maxAttempts - c.attempts);
    if (!canRetry(c.attempts, delay, deadline, policy)) {
      c.doneAt = now;
      continue;
    }
    queue.push({ at: now + delay, caller });
  }
  return { answered: state.filter((c) => c.ok).length, requests, slowestMs: Math.max(...state.map((c) => c.doneAt)) };
}

function main(): void {
  const { values } = parseArgs({
    options: { trials: { type: "string" }, callers: { type: "string" }, base: { type: "string" }, attempts: { type: "string" } },
  });
  const trials = Number(values.trials ?? 2000);
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    ...(values.base ? { throttleBaseDelayMs: Number(values.base) } : {}),
    ...(values.attempts ? { maxAttempts: Number(values.attempts) } : {}),
  };
  const quantile = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))]!;
  console.log(`throttling: wait ${policy.throttleWindowMs} ms + U(0, min(${policy.maxThrottleDelayMs}, ${policy.throttleBaseDelayMs}·2^n)), ${policy.maxAttempts} attempts, ${trials} trials`);
  for (const callers of (values.callers ?? "25,40,60,100").split(",").map(Number)) {
    let pass = 0;
    const requests: number[] = [];
    const slowest: number[] = [];
    for (let i = 0; i < trials; i++) {
      const o = simulate(callers, policy, Math.random);
      if (o.answered === callers && o.slowestMs <= 10_000 && o.requests <= 2 * callers) pass++;
      requests.push(o.requests);
      slowest.push(o.slowestMs);
    }
    requests.sort((a, b) => a - b);
    slowest.sort((a, b) => a - b);
    console.log(
      `${String(callers).padStart(4)} callers: all answered ≤ 10 s within 2× requests in ${((100 * pass) / trials).toFixed(1)}% | ` +
        `requests p50 ${quantile(requests, 0.5)} p99 ${quantile(requests, 0.99)} max ${requests[requests.length - 1]} | ` +
        `slowest answer p50 ${(quantile(slowest, 0.5) / 1000).toFixed(1)} s p99 ${(quantile(slowest, 0.99) / 1000).toFixed(1)} s`,
    );
  }
}

main();
