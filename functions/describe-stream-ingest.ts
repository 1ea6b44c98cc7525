/**
 * DescribeStreamIngest as a serverless function: the same handler for AWS Lambda (`handler`) and Tencent SCF
 * (`main_handler`). Composition only; each middleware's module says what it does, docs/architecture.md the order.
 *
 * `before` hooks run top to bottom; `after` and `onError` hooks bottom to top. Below invocationLog the response is
 * the handler's outcome (result and cost); above it, the contract result, which httpResponse wraps for gateways.
 */
import middy from "@middy/core";
import { createContainer } from "../lib/container";
import { describeStreamIngestHandler } from "../lib/describe-stream-ingest";
import { classifyErrors } from "../lib/middleware/classify-errors";
import { httpHeaders } from "../lib/middleware/http-headers";
import { httpResponse } from "../lib/middleware/http-response";
import { input } from "../lib/middleware/input";
import { invocationContext } from "../lib/middleware/invocation-context";
import { invocationLog } from "../lib/middleware/invocation-log";
import { secretCredentials } from "../lib/middleware/secrets";
import type { FunctionContext } from "../lib/middleware/types";
import { workflowErrors } from "../lib/middleware/workflow-errors";

const container = createContainer();
const { config, logger } = container;

// No timeoutEarly race: lib/platform.ts already sets a deadline ahead of the platform's limit, and the race costs
// a timer and a Promise.race on every invocation.
export const handler = middy<unknown, unknown, Error, FunctionContext>({ timeoutEarlyInMillis: 0 })
  .use(invocationContext())
  .use(workflowErrors({ throwOnError: () => config?.throwOnError ?? false }))
  .use(httpHeaders({ corsOrigins: config?.corsOrigins })) // CORS and security headers, HTTP answers only
  .use(httpResponse())
  .use(invocationLog({ logger }))
  .use(classifyErrors({ logger }))
  .use(input({ allowed: () => config?.allowedSdkAppIds }))
  .use(secretCredentials({ credentials: container.credentials, logger })) // AWS Secrets Manager, only when configured
  .handler(describeStreamIngestHandler(container));

export const main_handler = handler;
