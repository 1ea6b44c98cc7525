/**
 * The fleet's rate budget: one RESERVE round trip per request start, on Redis's clock, converted to this container's.
 *
 * A Lua script rather than rate-limiter-flexible: its Redis limiters count fixed windows (a burst at a window's edge
 * can start 2× the limit within one rolling second) and do not space starts, while TRTC counts a sliding 1 s window.
 */
import type { SharedStore } from "../store";
import { parseReservation } from "./answers";
import type { Calls } from "./calls";
import type { RedisClock } from "./clock";
import type { StoreKeys } from "./keys";
import type { ScriptedClient } from "./scripts";

/** The pause after a burst's first starts (see RESERVE). */
export const BURST_SETTLE_MS = 250;
const WINDOW_MS = 1000;

export function budgetCalls(calls: Calls, client: ScriptedClient, keys: StoreKeys, clock: RedisClock): Pick<SharedStore, "reserveStart"> {
  return {
    // Waited for as long as a start could still be used: a late answer is not a dead Redis.
    reserveStart: (perSecond, maxWaitMs) =>
      calls.run(
        async () => {
          const answer = await client.trtcReserve(keys.rate, perSecond, WINDOW_MS, Math.max(0, Math.floor(maxWaitMs)), BURST_SETTLE_MS);
          const received = Date.now();
          const { at, redisNow } = parseReservation(answer);
          clock.sample(redisNow, received);
          return at === -1 ? -1 : clock.toLocal(at);
        },
        { withinMs: maxWaitMs },
      ),
  };
}

/** A first reading of Redis's clock, on the budget's node, while the container starts (not yet busy). */
export function sampleClock(client: ScriptedClient, keys: StoreKeys, clock: RedisClock): void {
  client.trtcClock(keys.rate).then(
    (now) => typeof now === "number" && clock.sample(now, Date.now()),
    () => undefined,
  );
}
