/**
 * How long a Redis call is waited for: slow is not dead.
 *
 * A connection is dead when it stays silent for `deadAfterMs` of time this process spent listening: refused, reset
 * and closed connections fail their calls at once by themselves; this catches the ones that say nothing (a paused
 * server, packets dropped on the way). Time the process could not listen does not count: a process starved of CPU
 * (many containers on few cores, a Lambda throttled to a fraction of a vCPU) reads its answers late, and an answer
 * that is merely late must not send its container to its own budget, which multiplies the fleet's rate exactly when
 * it is busiest. So silence is measured in ticks: each tick credits the time since the last one, but never more than
 * one tick, whatever the delay of a timer that fired late. Any answer (or connection progress)
 * restarts the count: the server is alive.
 *
 * A call is also bounded by its caller's own limit (`withinMs`, wall clock): past it, the answer is no use to the
 * caller, who goes on without it; the connection is left alone (late is not dead).
 */

export type Outcome<T> =
  | { kind: "answer"; value: T }
  | { kind: "fault"; error: unknown }
  /** The connection was judged dead while this call waited. */
  | { kind: "dead" }
  /** The caller's limit passed first. */
  | { kind: "late" };

export interface PatienceOptions {
  /** Silence, in time this process listened, after which the connection counts as dead. */
  deadAfterMs: number;
  /** How often silence is counted (and callers' limits checked). */
  tickMs: number;
  /** Called once per verdict, after every waiting call was settled as dead. */
  onDead: () => void;
  now?: () => number;
  /** Runs `fn` once after `ms`; returns a cancel. The default waits for the replies already received to be read. */
  later?: (ms: number, fn: () => void) => () => void;
}

interface Waiter {
  until: number;
  settle: (outcome: Outcome<never>) => void;
}

/**
 * A timer's verdict comes in the event loop's timers phase, before the poll phase reads a reply already waiting in
 * the socket: deferred to the check phase (setImmediate), it is given after those replies were read.
 */
export function afterPendingReads(ms: number, fn: () => void): () => void {
  let immediate: NodeJS.Immediate | undefined;
  const timer = setTimeout(() => (immediate = setImmediate(fn)), ms);
  return () => {
    clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
  };
}

export class Patience {
  readonly tickMs: number;
  private readonly waiting = new Set<Waiter>();
  private readonly now: () => number;
  private readonly later: (ms: number, fn: () => void) => () => void;
  private silentMs = 0;
  private lastTick = 0;
  private cancelTick: (() => void) | undefined;

  constructor(private readonly options: PatienceOptions) {
    this.tickMs = Math.max(1, options.tickMs);
    this.now = options.now ?? Date.now;
    this.later = options.later ?? afterPendingReads;
  }

  /** `answer`'s outcome: its value or error, or dead or late, whichever comes first. */
  wait<T>(answer: Promise<T>, withinMs: number): Promise<Outcome<T>> {
    return new Promise<Outcome<T>>((resolve) => {
      if (this.waiting.size === 0) this.restart();
      let settled = false;
      const waiter: Waiter = {
        until: this.now() + Math.max(0, withinMs),
        settle: (outcome) => {
          if (settled) return;
          settled = true;
          this.waiting.delete(waiter);
          if (this.waiting.size === 0) this.stop();
          resolve(outcome);
        },
      };
      this.waiting.add(waiter);
      answer.then(
        (value) => (this.heard(), waiter.settle({ kind: "answer", value } as Outcome<never>)),
        (error: unknown) => (this.heard(), waiter.settle({ kind: "fault", error })),
      );
    });
  }

  /** Something came from the server (an answer, a connection made): it is alive, the silence starts over. */
  heard(): void {
    this.silentMs = 0;
    this.lastTick = this.now();
  }

  /** Nothing left waiting (the store closes). */
  stop(): void {
    this.cancelTick?.();
    this.cancelTick = undefined;
  }

  private restart(): void {
    this.heard();
    this.stop();
    this.cancelTick = this.later(this.tickMs, () => this.tick());
  }

  private tick(): void {
    this.cancelTick = undefined;
    const now = this.now();
    this.silentMs += Math.min(Math.max(0, now - this.lastTick), this.tickMs);
    this.lastTick = now;
    if (this.silentMs >= this.options.deadAfterMs) {
      for (const waiter of [...this.waiting]) waiter.settle({ kind: "dead" });
      this.options.onDead();
      return;
    }
    for (const waiter of [...this.waiting]) if (now >= waiter.until) waiter.settle({ kind: "late" });
    if (this.waiting.size > 0) this.cancelTick = this.later(this.tickMs, () => this.tick());
  }
}
