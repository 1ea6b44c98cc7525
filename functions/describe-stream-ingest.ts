/**
 * DescribeStreamIngest as a serverless function: the same handler for AWS Lambda (`handler`) and Tencent SCF
 * (`main_handler`). Composition only: the container's runtime (configuration, clients, fleet), the edge (the event
 * read in, the outcome rendered out: lib/middleware/edge.ts) and the handler (lib/answer.ts).
 */
import middy from "@middy/core";
import { answerWith } from "../lib/answer";
import { createRuntime } from "../lib/container";
import { edge } from "../lib/middleware/edge";
import type { FunctionContext } from "../lib/middleware/types";

const runtime = createRuntime();

// No timeoutEarly race: lib/platform.ts already sets a deadline ahead of the platform's limit, and the race costs
// a timer and a Promise.race on every invocation.
export const handler = middy<unknown, unknown, Error, FunctionContext>({ timeoutEarlyInMillis: 0 })
  .use(edge({ runtime }))
  .handler(answerWith(runtime) as (event: unknown, context: FunctionContext) => Promise<unknown>);

export const main_handler = handler;
