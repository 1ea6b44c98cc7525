/**
 * The fleet's fields of the per-invocation log line: whether the answer came from the cache, how long the rate
 * budget made it wait, whether Redis was used; on AWS also CloudWatch Embedded Metric Format metadata, so CloudWatch
 * Logs extracts the metrics from the line itself (no PutMetricData call, no extra latency). Dimensionless metrics
 * in one namespace: per-function figures come from the log group.
 */
import type { QueryStats } from "../query-task";

export const METRICS_NAMESPACE = "TrtcStreamIngestStatus";

/** Shared by every line: only the timestamp changes. */
const DIRECTIVES = [
  {
    Namespace: METRICS_NAMESPACE,
    Dimensions: [[]],
    Metrics: [
      { Name: "UpstreamRequests", Unit: "Count" },
      { Name: "Throttled", Unit: "Count" },
      { Name: "CacheHits", Unit: "Count" },
      { Name: "UpstreamLatency", Unit: "Milliseconds" },
    ],
  },
];

/** `cached`: a boolean for one task, the number of tasks answered from the cache for a batch. */
export function fleetFields(stats: QueryStats | undefined, platform: string, batch: boolean, timestamp: number): Record<string, unknown> {
  const cacheHits = stats?.cacheHits ?? 0;
  const fields: Record<string, unknown> = {
    cached: batch ? cacheHits : cacheHits > 0,
    pacerWaitMs: stats?.pacerWaitMs ?? 0,
    redis: stats?.redis ?? "none",
  };
  if (platform === "aws") {
    fields._aws = { Timestamp: timestamp, CloudWatchMetrics: DIRECTIVES };
    fields.UpstreamRequests = stats?.attempts ?? 0;
    fields.Throttled = stats?.throttled ?? 0;
    fields.CacheHits = cacheHits;
    fields.UpstreamLatency = stats?.upstreamMs ?? 0;
  }
  return fields;
}
