/**
 * The container's front door to TRTC: every upstream request (single, batch, wait poll, retry) takes a start from
 * one budget, and identical concurrent queries share one request in flight. With a TTL, answered statuses are
 * reused. With a shared store (Redis) the budget, the cache and the single-flight span the fleet; when the store
 * does not answer, this container's own pacer and cache take over for that call.
 */
import { taskKeyOf, type TaskParams } from "../params";
import { cachedResult, emptyStats, failureResult, queryTask, type QueryDeps, type QueryInvocation, type QueryStats, type SuccessResult, type TaskResult } from "../query-task";
import { RatePacer } from "../rate-pacer";
import { TrtcFunctionError } from "../errors";
import type { CachedStatus, SharedStore, TaskRef } from "./store";

export interface FleetOptions {
  perSecond: number;
  /** 0 = no cache. */
  cacheTtlMs: number;
  region: string;
  store?: SharedStore;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

type Answer = { result: TaskResult; stats: QueryStats };
type Invocation = QueryInvocation;

/** Statuses kept per container at most (oldest dropped first): bounds memory whatever callers ask about. */
export const LOCAL_CACHE_ENTRIES = 1000;
/** How often a container waiting for another container's answer looks for it in the store. */
export const FOLLOW_POLL_MS = 20;

/** A reserved start this late is given up for a fresh one, at most MAX_LATE_STARTS times per request. */
export const LATE_START_MS = 30;
export const MAX_LATE_STARTS = 3;


const sleeper = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Fleet {
  private readonly pacer: RatePacer;
  private readonly local = new Map<string, { entry: CachedStatus; expiresAt: number }>();
  private readonly inFlight = new Map<string, Promise<Answer>>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: FleetOptions) {
    this.pacer = new RatePacer(options.perSecond);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleeper;
  }

  /** Takes one request start before `latest` (epoch ms) from the fleet's budget, else this container's. */
  acquire(latest: number, stats: QueryStats): boolean | Promise<boolean> {
    // The warm path, synchronous: no shared store and a start free now.
    if (!this.options.store && this.pacer.tryAcquire(latest)) return true;
    return this.acquireWaiting(latest, stats);
  }

  private async acquireWaiting(latest: number, stats: QueryStats): Promise<boolean> {
    const started = this.now();
    try {
      const store = this.options.store;
      for (let late = 0; store; late++) {
        const startAt = await store.reserveStart(this.options.perSecond, latest - this.now());
        if (startAt === undefined) {
          stats.redis = "fallback";
          break;
        }
        stats.redis = stats.redis ?? "used";
        if (startAt < 0) return false;
        const wait = startAt - this.now();
        if (wait > 0) await this.sleep(wait);
        // A start taken well after its slot (a busy process, a late timer) would land in a later second of TRTC's
        // window, on top of the starts reserved there: the slot is spent, take a fresh one (a few times at most).
        if (this.now() - startAt <= LATE_START_MS || late >= MAX_LATE_STARTS) return true;
      }
      return await this.pacer.acquire(latest);
    } finally {
      stats.pacerWaitMs = (stats.pacerWaitMs ?? 0) + this.now() - started;
    }
  }

  /**
   * One task's status: from the cache, from a query in flight, or from TRTC through the budget. `fresh`: from TRTC,
   * whatever the caches hold or a request already in flight will say (the one request that confirms a relay's stop);
   * fresh queries of one task in this container still share one request.
   */
  query(deps: Omit<QueryDeps, "beforeAttempt">, params: TaskParams, invocation: Invocation, fresh = false): Promise<Answer> {
    const key = `${this.options.region}:${taskKeyOf(params)}`;
    const stats = emptyStats();
    const hit = fresh ? undefined : this.fromLocal(key, params);
    if (hit) return Promise.resolve({ result: hit, stats: { ...stats, cacheHits: 1 } });
    const flightKey = fresh ? `fresh:${key}` : key;
    const flying = this.inFlight.get(flightKey);
    if (flying) return this.follow(flying, params, invocation, stats);
    const task: TaskRef = { sdkAppId: params.SdkAppId, taskId: params.TaskId, region: this.options.region };
    const run = this.lead(deps, params, invocation, key, task, stats, fresh);
    this.inFlight.set(flightKey, run);
    const done = () => {
      if (this.inFlight.get(flightKey) === run) this.inFlight.delete(flightKey);
    };
    run.then(done, done);
    return run;
  }

  private async lead(deps: Omit<QueryDeps, "beforeAttempt">, params: TaskParams, invocation: Invocation, key: string, task: TaskRef, stats: QueryStats, fresh: boolean): Promise<Answer> {
    const { cacheTtlMs: ttl, store } = this.options;
    let token: string | undefined;
    if (ttl > 0 && store && !fresh) {
      // Cross-container single-flight: one container asks, the others read its answer from the store. A follower
      // waits until the deadline's give-up time, then asks TRTC itself; a leader's lock lapses with its deadline.
      const { deadline } = invocation;
      const giveUpAt = deadline.followerGiveUpAt();
      for (;;) {
        const found = await store.lookup(task, deadline.lockMs(), Math.max(0, giveUpAt - deadline.now()));
        if (!found) {
          stats.redis = "fallback";
          break;
        }
        stats.redis = stats.redis ?? "used";
        if (found.kind === "hit") {
          // Never past checkedAt + TTL: the remaining TTL Redis read is late by the time its answer took to come.
          this.remember(key, found.entry, Math.min(this.now() + Math.max(0, found.ttlMs), found.entry.checkedAt + ttl));
          return { result: cachedResult(found.entry, params, this.options.region), stats: { ...stats, cacheHits: 1 } };
        }
        if (found.kind === "leader") {
          token = found.token;
          break;
        }
        const left = giveUpAt - deadline.now();
        if (left <= 0) break;
        await deadline.sleep(Math.max(1, Math.min(FOLLOW_POLL_MS, found.ms, left)));
      }
    }
    // The last moment an attempt may start, as the deadline says (a slot later than that is not taken).
    const latestStart = invocation.deadline.lastAttemptStart();
    const answer = await queryTask({ ...deps, beforeAttempt: () => this.acquire(latestStart, stats) }, params, invocation);
    const { result } = answer;
    const entry = result.ok ? { status: result.status, requestId: result.requestId, checkedAt: Date.parse(result.checkedAt) } : undefined;
    if (entry && ttl > 0) this.remember(key, entry, entry.checkedAt + ttl);
    // Errors are never cached: the lock is dropped and the next caller asks again.
    if (token && store) await store.release(task, token, entry, entry ? entry.checkedAt + ttl - this.now() : 0, invocation.deadline.beforeAnswerMs());
    return { result, stats: { ...stats, attempts: answer.stats.attempts, upstreamMs: answer.stats.upstreamMs, throttled: answer.stats.throttled } };
  }

  /** Shares the answer of a query in flight in this container, but never past this caller's own deadline. */
  private async follow(flying: Promise<Answer>, params: TaskParams, invocation: Invocation, stats: QueryStats): Promise<Answer> {
    const { deadline } = invocation;
    const shared = await deadline.race(flying, deadline.beforeAnswerMs());
    if (shared) return { result: { ...shared.result }, stats };
    const error = new TrtcFunctionError("UpstreamTimeout", "The shared request for this task did not answer before the invocation's deadline");
    return { result: failureResult(error, params), stats };
  }

  private fromLocal(key: string, params: TaskParams): SuccessResult | undefined {
    if (this.options.cacheTtlMs <= 0) return undefined;
    const found = this.local.get(key);
    if (!found) return undefined;
    if (found.expiresAt <= this.now()) {
      this.local.delete(key);
      return undefined;
    }
    return cachedResult(found.entry, params, this.options.region);
  }

  private remember(key: string, entry: CachedStatus, expiresAt: number): void {
    if (expiresAt <= this.now()) return;
    this.local.delete(key);
    this.local.set(key, { entry, expiresAt });
    if (this.local.size > LOCAL_CACHE_ENTRIES) this.local.delete(this.local.keys().next().value!);
  }
}
