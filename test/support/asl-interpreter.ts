/**
 * A small interpreter of the Amazon States Language subset our example state machines use (Task, Choice, Wait,
 * Pass, Succeed, Fail; InputPath, Parameters, ResultSelector, ResultPath, OutputPath; Retry and Catch with
 * ErrorEquals, States.ALL, IntervalSeconds, MaxAttempts, BackoffRate). It follows the spec (states-language.net)
 * closely enough that a broken Choice path or a misspelt error name changes how an execution ends. Time is scaled.
 */

export interface TaskError {
  Error: string;
  Cause: string;
}

/** Invokes a Task's resource: resolves with its result or rejects with a TaskError. */
export type ResourceInvoker = (resource: string, input: unknown) => Promise<unknown>;

export interface TraceEntry {
  state: string;
  type: string;
  input: unknown;
  output?: unknown;
  error?: TaskError;
  retry?: { attempt: number; delayMs: number };
  caught?: boolean;
}

export interface Execution {
  status: "SUCCEEDED" | "FAILED";
  output?: unknown;
  error?: string;
  cause?: string;
  trace: TraceEntry[];
}

export interface InterpreterOptions {
  invoke: ResourceInvoker;
  /** Multiplies every Wait and retry interval (0.01: 30 s become 300 ms). */
  timeScale?: number;
  maxTransitions?: number;
}

class StatesError extends Error {
  constructor(readonly error: string, readonly cause: string) {
    super(`${error}: ${cause}`);
  }
}

type Json = any;
const clone = <T>(value: T): T => (value === undefined ? value : JSON.parse(JSON.stringify(value)));

/** Reference paths: $, $.a.b, $.a[0], $.a['b']. */
function parsePath(path: string): Array<string | number> {
  if (!path.startsWith("$")) throw new StatesError("States.Runtime", `Not a path: ${path}`);
  const parts: Array<string | number> = [];
  const re = /\.([A-Za-z0-9_$-]+)|\[(\d+)\]|\['([^']+)'\]/gy;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (!m) throw new StatesError("States.Runtime", `Unsupported path: ${path}`);
    parts.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]!));
  }
  return parts;
}

export function getPath(data: Json, path: string): { found: boolean; value: Json } {
  let value = data;
  for (const part of parsePath(path)) {
    if (value === null || typeof value !== "object" || !(part in value)) return { found: false, value: undefined };
    value = value[part as keyof typeof value];
  }
  return { found: true, value };
}

function mustGet(data: Json, path: string, error = "States.Runtime"): Json {
  const { found, value } = getPath(data, path);
  if (!found) throw new StatesError(error, `Path ${path} not found in ${JSON.stringify(data).slice(0, 200)}`);
  return value;
}

function setPath(data: Json, path: string | null | undefined, result: Json): Json {
  if (path === null) return data;
  if (path === undefined || path === "$") return result;
  const parts = parsePath(path);
  const root = typeof data === "object" && data !== null ? clone(data) : {};
  let node = root;
  parts.forEach((part, i) => {
    if (i === parts.length - 1) node[part] = result;
    else {
      if (typeof node[part] !== "object" || node[part] === null) node[part] = {};
      node = node[part];
    }
  });
  return root;
}

/** Payload templates (Parameters, ResultSelector): keys ending in ".$" take the value at a path of the input. */
function template(value: Json, input: Json, context: Json): Json {
  if (Array.isArray(value)) return value.map((item) => template(item, input, context));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, Json> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key.endsWith(".$")) {
      const path = String(inner);
      out[key.slice(0, -2)] = path.startsWith("$$") ? mustGet(context, path.slice(1), "States.ParameterPathFailure") : mustGet(input, path, "States.ParameterPathFailure");
    } else out[key] = template(inner, input, context);
  }
  return out;
}

const COMPARISONS: Record<string, (a: Json, b: Json) => boolean> = {
  BooleanEquals: (a, b) => typeof a === "boolean" && a === b,
  StringEquals: (a, b) => typeof a === "string" && a === b,
  NumericEquals: (a, b) => typeof a === "number" && a === b,
  NumericGreaterThan: (a, b) => typeof a === "number" && a > b,
  NumericGreaterThanEquals: (a, b) => typeof a === "number" && a >= b,
  NumericLessThan: (a, b) => typeof a === "number" && a < b,
  NumericLessThanEquals: (a, b) => typeof a === "number" && a <= b,
  IsNull: (a, b) => (a === null) === b,
  IsBoolean: (a, b) => (typeof a === "boolean") === b,
  IsString: (a, b) => (typeof a === "string") === b,
};

function evaluateRule(rule: Json, input: Json): boolean {
  if (rule.And) return rule.And.every((r: Json) => evaluateRule(r, input));
  if (rule.Or) return rule.Or.some((r: Json) => evaluateRule(r, input));
  if (rule.Not) return !evaluateRule(rule.Not, input);
  if (typeof rule.Variable !== "string") throw new StatesError("States.Runtime", "Choice rule without Variable");
  if ("IsPresent" in rule) return getPath(input, rule.Variable).found === rule.IsPresent;
  // As in Step Functions: a Variable that is not in the input is a run-time error, not a non-match.
  const value = mustGet(input, rule.Variable);
  for (const [name, compare] of Object.entries(COMPARISONS)) {
    if (name in rule) return compare(value, rule[name]);
    if (`${name}Path` in rule) return compare(value, mustGet(input, rule[`${name}Path`]));
  }
  throw new StatesError("States.Runtime", `Unsupported Choice rule ${JSON.stringify(rule)}`);
}

const matches = (errorEquals: string[], error: string) =>
  errorEquals.includes(error) || errorEquals.includes("States.ALL") || (errorEquals.includes("States.TaskFailed") && error !== "States.Timeout" && !error.startsWith("States."));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function execute(definition: Json, input: Json, options: InterpreterOptions): Promise<Execution> {
  const scale = options.timeScale ?? 1;
  const trace: TraceEntry[] = [];
  let name: string = definition.StartAt;
  let data = clone(input);
  const context = { Execution: { Input: clone(input) } };

  for (let transitions = 0; transitions < (options.maxTransitions ?? 200); transitions++) {
    const state = definition.States[name];
    if (!state) return { status: "FAILED", error: "States.Runtime", cause: `No state named ${name}`, trace };
    const entry: TraceEntry = { state: name, type: state.Type, input: clone(data) };
    trace.push(entry);
    try {
      const effective = state.InputPath === null ? {} : state.InputPath ? mustGet(data, state.InputPath) : data;
      switch (state.Type) {
        case "Succeed":
          entry.output = effective;
          return { status: "SUCCEEDED", output: effective, trace };
        case "Fail":
          return { status: "FAILED", error: state.Error, cause: state.Cause, trace };
        case "Choice": {
          const choice = (state.Choices as Json[]).find((rule) => evaluateRule(rule, effective));
          const next = choice?.Next ?? state.Default;
          if (!next) throw new StatesError("States.NoChoiceMatched", `No Choice rule of ${name} matched`);
          entry.output = effective;
          data = state.OutputPath ? mustGet(effective, state.OutputPath) : effective;
          name = next;
          continue;
        }
        case "Wait": {
          const seconds = state.SecondsPath ? mustGet(effective, state.SecondsPath) : state.Seconds;
          await sleep(seconds * 1000 * scale);
          break;
        }
        case "Pass": {
          const result = state.Result !== undefined ? clone(state.Result) : state.Parameters ? template(state.Parameters, effective, context) : effective;
          data = setPath(effective, state.ResultPath, result);
          break;
        }
        case "Task": {
          const params = state.Parameters ? template(state.Parameters, effective, context) : effective;
          const retries = new Map<number, number>();
          let result: Json;
          let caughtBy: Json;
          for (;;) {
            try {
              result = await options.invoke(state.Resource, params);
              break;
            } catch (thrown) {
              const error: TaskError = thrown instanceof StatesError ? { Error: thrown.error, Cause: thrown.cause } : (thrown as TaskError);
              trace.push({ state: name, type: "TaskFailed", input: params, error });
              // The first retrier whose ErrorEquals matches decides; once its attempts are spent, Catch decides.
              const index = ((state.Retry ?? []) as Json[]).findIndex((retrier) => matches(retrier.ErrorEquals, error.Error));
              const retrier = index >= 0 ? state.Retry[index] : undefined;
              const attempt = retries.get(index) ?? 0;
              if (retrier && attempt < (retrier.MaxAttempts ?? 3)) {
                const delayMs = (retrier.IntervalSeconds ?? 1) * 1000 * (retrier.BackoffRate ?? 2) ** attempt * scale;
                retries.set(index, attempt + 1);
                trace.push({ state: name, type: "Retry", input: params, error, retry: { attempt: attempt + 1, delayMs } });
                await sleep(delayMs);
                continue;
              }
              caughtBy = ((state.Catch ?? []) as Json[]).find((c) => matches(c.ErrorEquals, error.Error));
              if (!caughtBy) return { status: "FAILED", error: error.Error, cause: error.Cause, trace };
              trace.push({ state: name, type: "Caught", input: params, error, caught: true });
              data = setPath(effective, caughtBy.ResultPath ?? "$", error);
              break;
            }
          }
          if (caughtBy) {
            name = caughtBy.Next;
            continue;
          }
          const selected = state.ResultSelector ? template(state.ResultSelector, result, context) : result;
          data = setPath(effective, state.ResultPath, selected);
          break;
        }
        default:
          throw new StatesError("States.Runtime", `Unsupported state type ${state.Type}`);
      }
      if (state.OutputPath) data = mustGet(data, state.OutputPath);
      entry.output = clone(data);
      if (state.End) return { status: "SUCCEEDED", output: data, trace };
      name = state.Next;
    } catch (error) {
      if (error instanceof StatesError) return { status: "FAILED", error: error.error, cause: error.cause, trace };
      throw error;
    }
  }
  return { status: "FAILED", error: "States.Runtime", cause: "Too many transitions", trace };
}
