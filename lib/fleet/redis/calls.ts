/**
 * Every call to Redis goes through here: never a reason to fail, and never a wait past what its caller can afford.
 *
 * - A call waits while the connection is alive, however late its answer (patience.ts), up to its caller's limit.
 * - A dead connection (refused, reset, closed, a refused password or certificate, or silence: patience.ts) fails the
 *   call: its caller uses its own budget and cache, the fault is reported (as a kind), and the store is left alone
 *   for RETRY_AFTER_MS (calls answer undefined at once) while ioredis reconnects in the background. A silent
 *   connection is replaced, not waited on: the server may be paused, or gone behind a network that drops packets
 *   silently, where the socket would only fail after minutes of TCP retransmissions.
 * - Writes that undo a lock or take a callback's record (`always`) are sent even while resting.
 */
import type { StoreFault } from "../store";
import type { Connection } from "./connection";
import { faultKind, NotSent } from "./faults";
import { Patience, type PatienceOptions } from "./patience";

/** After a fault, how long the store is left alone before the next call tries it again. */
export const RETRY_AFTER_MS = 1000;
/**
 * A connection is dead after this many TRTC_REDIS_TIMEOUT_MS of silence (200 ms by default) that this process
 * listened to. An answer later than TRTC_REDIS_TIMEOUT_MS is late, not a fault: on a busy host the server's own
 * share of CPU can hold it back 50 ms and more (60 containers and Redis on two cores), and giving up on it sends the
 * container to its own budget.
 */
export const DEAD_AFTER_TIMEOUTS = 4;
/** Silence is counted, and callers' limits checked, this many times per TRTC_REDIS_TIMEOUT_MS. */
const TICKS_PER_TIMEOUT = 5;

export interface CallOptions {
  /** The caller's own limit (ms from now): past it the answer is no use to the caller. */
  withinMs: number;
  /** Sent even while the store rests after a fault. */
  always?: boolean;
  /** The caller went on without the answer (dead, late): the command may still run, or its answer still come. */
  onGiveUp?: () => void;
}

export interface CallsOptions {
  /** TRTC_REDIS_TIMEOUT_MS: how soon Redis is expected to answer (see DEAD_AFTER_TIMEOUTS). */
  timeoutMs: number;
  onFault: (kind: StoreFault) => void;
  /** Redis answered something (the unreleased locks may be dropped now). */
  onAnswer?: () => void;
  now?: () => number;
  later?: PatienceOptions["later"];
}

export class Calls {
  readonly patience: Patience;
  private readonly now: () => number;
  private downUntil = 0;

  constructor(
    private readonly connection: Connection,
    private readonly options: CallsOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.patience = new Patience({
      deadAfterMs: DEAD_AFTER_TIMEOUTS * options.timeoutMs,
      tickMs: options.timeoutMs / TICKS_PER_TIMEOUT,
      onDead: () => this.dead(),
      now: options.now,
      later: options.later,
    });
  }

  /** `command`'s value, or undefined when the store is resting, faulty, dead, or later than the caller's limit. */
  async run<T>(command: () => Promise<T>, { withinMs, always = false, onGiveUp }: CallOptions): Promise<T | undefined> {
    if (!always && this.now() < this.downUntil) return undefined;
    let gaveUp = false;
    // Until the first connection attempt is over, a call waits for it rather than fail at once.
    const first = this.connection.firstAttempt();
    const answer = first ? first.then(() => (gaveUp ? Promise.reject(new NotSent()) : command())) : command();
    const outcome = await this.patience.wait(answer, withinMs);
    if (outcome.kind === "answer") {
      this.connection.answered();
      this.options.onAnswer?.();
      return outcome.value;
    }
    gaveUp = true;
    onGiveUp?.();
    if (outcome.kind === "fault") this.fault(faultKind(outcome.error));
    return undefined;
  }

  private dead(): void {
    this.connection.replace();
    this.fault("timeout");
  }

  private fault(kind: StoreFault): void {
    this.downUntil = this.now() + RETRY_AFTER_MS;
    // A refused password or certificate closes the connection, and what follows fails only as "closed".
    this.options.onFault(kind === "unreachable" ? (this.connection.lastFault() ?? kind) : kind);
  }
}
