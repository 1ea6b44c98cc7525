/**
 * DescribeStreamIngest as a serverless function: the same handler for AWS Lambda (`handler`) and Tencent SCF
 * (`main_handler`). Composition only; each middleware's module says what it does.
 */
import middy from "@middy/core";
import validator from "@middy/validator";
import { createContainer } from "../lib/container";
import { describeStreamIngestHandler } from "../lib/describe-stream-ingest";
import { validateTaskParams } from "../lib/generated/validators";
import { allowList } from "../lib/middleware/allow-list";
import { classifyErrors } from "../lib/middleware/classify-errors";
import { httpHeaders } from "../lib/middleware/http-headers";
import { httpResponse } from "../lib/middleware/http-response";
import { invocationContext } from "../lib/middleware/invocation-context";
import { secretCredentials } from "../lib/middleware/secrets";
import { singleTaskOnly, taskParameters } from "../lib/middleware/task-parameters";
import type { FunctionContext } from "../lib/middleware/types";
import { workflowErrors } from "../lib/middleware/workflow-errors";

const container = createContainer();
const { config, logger } = container;

// No timeoutEarly race: lib/platform.ts already sets a deadline ahead of the platform's limit, and the race costs
// a timer and a Promise.race on every invocation.
export const handler = middy<unknown, unknown, Error, FunctionContext>({ timeoutEarlyInMillis: 0 })
  .use(invocationContext({ logger }))
  .use(workflowErrors({ throwOnError: () => config?.throwOnError ?? false }))
  .use(httpHeaders({ corsOrigins: config?.corsOrigins })) // CORS and security headers, HTTP answers only
  .use(httpResponse())
  .use(classifyErrors({ logger }))
  .use(taskParameters())
  .use(singleTaskOnly(validator({ eventSchema: validateTaskParams }))) // a batch is validated per task (lib/batch.ts)
  .use(singleTaskOnly(allowList({ allowed: () => config?.allowedSdkAppIds })))
  .use(secretCredentials({ credentials: container.credentials, logger })) // AWS Secrets Manager, only when configured
  .handler(describeStreamIngestHandler(container));

export const main_handler = handler;
