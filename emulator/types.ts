/** Public types of the TRTC emulator (re-exported by index.ts). API fields are typed with the SDK's own models. */
import type * as trtc from "tencentcloud-sdk-nodejs/tencentcloud/services/trtc/v20190722/trtc_models";
import type { CallbackFaultRule, CallbackLogEntry, CallbackSettings, CallbackSettingsView } from "./callbacks/types";

/** A task to start with: StartStreamIngest's fields that matter to its status (and the TaskId it would answer). */
export interface SeedTask extends Pick<trtc.StartStreamIngestRequest, "SdkAppId">, Partial<Pick<trtc.StartStreamIngestRequest, "RoomId" | "StreamUrl">> {
  TaskId?: trtc.StartStreamIngestResponse["TaskId"];
  /** The task ends on its own this many seconds after it was seeded. */
  endsAfterSeconds?: number;
}

export interface EmulatorCredential {
  secretId: string;
  secretKey: string;
  /** Set for temporary credentials: requests must then carry this X-TC-Token. */
  token?: string;
  /** The token has expired: every request with this SecretId fails with AuthFailure.TokenFailure. */
  expired?: boolean;
  /** Rate limits are per account; credentials without one are each their own account. */
  account?: string;
}

export interface EmulatorOptions {
  /** 0 = a free port (default 0). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: one from env TENCENTCLOUD_SECRET_ID/KEY (+ TENCENTCLOUD_SESSION_TOKEN), else the demo pair. */
  credentials?: EmulatorCredential[];
  tasks?: SeedTask[];
  /** JSON file with an array of SeedTask. Default: the bundled emulator/seed/demo-tasks.json; "" seeds nothing. */
  seedFile?: string;
  /** Default 20, per action per account, sliding 1000 ms window. */
  rateLimitPerSecond?: number;
  /** No request or callback logging. */
  quiet?: boolean;
  /** Stream-ingest callbacks: where TRTC POSTs events and the key it signs them with. Default: off. */
  callbacks?: CallbackSettings;
}

export type FaultSpec =
  | { type: "latency"; ms: number }
  | { type: "hang" }
  | { type: "http5xx"; status?: number }
  | { type: "reset" }
  | { type: "malformed-json" }
  | { type: "truncated-json" }
  | { type: "non-envelope-json" }
  | { type: "api-error"; code: string; message?: string }
  | { type: "throttle" }
  // Transport faults: what a broken proxy, a hostile upstream or a flaky network does to the HTTP exchange.
  | { type: "trickle"; headersAfterMs?: number; intervalMs: number; forMs?: number }
  | { type: "mid-body-close" }
  | { type: "oversized-body"; bytes: number; gzip?: boolean }
  | { type: "oversized-field"; field: "Status" | "RequestId" | "Code" | "Message"; length: number }
  | { type: "event-stream"; intervalMs?: number }
  | { type: "redirect"; status?: 301 | 302 | 303 | 307 | 308; location?: string }
  | { type: "http-error-envelope"; status?: number; code: string; message?: string };

export type FaultType = FaultSpec["type"];

/** No times/durationMs = until cleared. */
export interface FaultRule {
  fault: FaultSpec;
  /** Only requests with this X-TC-Action; default all. */
  action?: string;
  /** Affect this many requests, then disappear. */
  times?: number;
  /** Disappear this long after being added. */
  durationMs?: number;
}

export interface RequestLogEntry {
  at: number;
  action: string;
  traceId?: string;
  requestId: string;
  /** The API error code answered, if any. */
  code?: string;
  /** The Status answered, if any. */
  status?: trtc.DescribeStreamIngestResponse["Status"];
  sdkAppId?: unknown;
  taskId?: unknown;
  /** Whether the request carried X-TC-Token. */
  token?: boolean;
  /** The network-level fault that answered instead of the API, if any. */
  fault?: FaultType;
}

export interface EmulatorStats {
  /** Every HTTP request to the API path (not control endpoints), including rejected/faulted ones. */
  requests: number;
  byAction: Record<string, number>;
  /** TCP connections accepted since start/reset. */
  connections: number;
  throttled: number;
  /** Request counts per wall-clock second since start/reset (index 0 = first second). */
  perSecond: number[];
  /** Max requests (accepted, not throttled) of one action+account in any sliding 1000 ms window. */
  maxInAnyWindow: number;
  /** The last 1000 requests. */
  log: RequestLogEntry[];
}

export interface RunningEmulator {
  /** "http://127.0.0.1:<port>" */
  url: string;
  port: number;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  addCredential(c: EmulatorCredential): void;
  expireToken(secretId: string): void;
  /** Returns the TaskId. With callbacks on, the task's 701 is sent (and its 702 when it ends). */
  seedTask(t: SeedTask): string;
  /** Stops a running task as StopStreamIngest does (702 sent); false when no such task runs. */
  stopTask(sdkAppId: number, taskId: string): boolean;
  /** The running task restarts: 701 Status 2, then `ms` (default 1000) later 701 Status 0; false when it does not run. */
  restartTask(sdkAppId: number, taskId: string, options?: { ms?: number }): boolean;
  /** Callbacks on (URL and key checked as the console checks them) or off (undefined), for events from now on. */
  configureCallbacks(settings: CallbackSettings | undefined): void;
  /** The callback settings in effect, without the key. */
  callbackSettings(): CallbackSettingsView;
  addCallbackFault(rule: CallbackFaultRule): void;
  clearCallbackFaults(): void;
  /** Every callback event copy (latest 1000) and each of its attempts. */
  callbackLog(): CallbackLogEntry[];
  /** Resolves when no callback is pending: none in flight, waiting to retry, held back or due from a restart. */
  callbacksIdle(): Promise<void>;
  stats(): EmulatorStats;
  /** Also forgets rate-limit history, so each test starts from a quiet service. */
  resetStats(): void;
  /** Closes the server, destroys open/hanging sockets, ends every callback request and timer; resolves promptly. */
  close(): Promise<void>;
}
