/**
 * The one way out: an invocation's {@link Outcome} rendered into what its caller gets. Pure.
 * - HTTP events: the gateway's response (lib/http-response.ts), its status from the error catalogue.
 * - Direct invocations: the plain result; with throwOnError, a failed task is thrown as a {@link WorkflowError}
 *   named for workflow engines' `ErrorEquals`.
 * The log line is written from the same outcome by lib/log-line.ts.
 */
import { describeErrorCode, workflowErrorName } from "./errors";
import { httpResponse, type HttpReply } from "./http-response";
import type { CallbackOutcome, Outcome } from "./outcome";
import type { FailureResult, TaskResult } from "./query-task";
import { callbackAnswerBody } from "./relay/callback";

/** Where the answer goes, decided once per invocation from its event and the configuration. */
export type ReplyTo = { kind: "direct"; throwOnError: boolean } | ({ kind: "http" } & HttpReply);

/**
 * A failed direct invocation thrown for a workflow engine: the name is the most specific catalogued code of the
 * same retryability (Step Functions' `ErrorEquals` matches whole names: the code itself, or for a sub-code the
 * catalogue does not list, its listed family), the message the failure payload as JSON, exact code included (for
 * `Catch` with a ResultPath).
 */
export class WorkflowError extends Error {
  constructor(readonly result: FailureResult) {
    super(JSON.stringify(result));
    this.name = workflowErrorName(result.error.code, result.error.retryable);
  }
}

export type Rendered = { thrown?: undefined; value: unknown } | { thrown: WorkflowError; value?: undefined };

/** A task's HTTP status: any answered status (NotExist too) is 200; a failure, its code's status. */
export function statusCodeOf(result: TaskResult): number {
  return result.ok ? 200 : describeErrorCode(result.error.code).status;
}

/** What TRTC reads of a callback's answer (lib/relay/callback.ts): `{"code":0}` when taken, the refusal otherwise. */
const callbackBody = (callback: CallbackOutcome): string => callbackAnswerBody(callback.ok ? undefined : callback.error);

function renderHttp(outcome: Outcome, reply: HttpReply): Record<string, unknown> {
  switch (outcome.kind) {
    case "preflight":
      return httpResponse(204, undefined, reply);
    case "callback": {
      const status = outcome.callback.ok ? 200 : describeErrorCode(outcome.callback.error.code).status;
      return httpResponse(status, callbackBody(outcome.callback), reply);
    }
    case "batch":
      // A batch that ran is 200 whatever its tasks answered: each result says its own outcome.
      return httpResponse(200, JSON.stringify(outcome.result), reply);
    case "task":
      return httpResponse(statusCodeOf(outcome.result), JSON.stringify(outcome.result), reply);
  }
}

function renderDirect(outcome: Outcome, throwOnError: boolean): Rendered {
  switch (outcome.kind) {
    case "task": {
      const { result } = outcome;
      // A batch that ran is never thrown: one bad task must not hide the others' answers.
      return !result.ok && throwOnError ? { thrown: new WorkflowError(result) } : { value: result };
    }
    case "batch":
      return { value: outcome.result };
    case "callback":
      return { value: JSON.parse(callbackBody(outcome.callback)) };
    case "preflight":
      return { value: undefined };
  }
}

export function render(outcome: Outcome, to: ReplyTo): Rendered {
  return to.kind === "http" ? { value: renderHttp(outcome, to) } : renderDirect(outcome, to.throwOnError);
}

