import type { Params } from "../params";
import type { TaskStore } from "../tasks";

export interface ActionContext {
  params: Params;
  /** GET: every value arrived as a string. */
  fromQuery: boolean;
  tasks: TaskStore;
  now: number;
}

/** One API action as the gateway runs it: the parameters it defines and what it answers (without RequestId). */
export interface ActionHandler {
  name: string;
  params: readonly string[];
  handle(ctx: ActionContext): Record<string, unknown>;
}

/** The request model's names that `Listed` leaves out (never, when it lists them all). */
type Unlisted<Request, Listed extends readonly PropertyKey[]> = Exclude<keyof Request, Listed[number]>;

/**
 * An action typed with the SDK's own models (tencentcloud-sdk-nodejs's trtc_models): `params` must list exactly the
 * request model's names, and `handle` must answer the response model's fields (RequestId is added by the gateway).
 * When an SDK update adds a parameter or changes an answer's shape, the emulator no longer compiles.
 */
export function defineAction<Request extends object, Response extends { RequestId?: string }>() {
  return <const Listed extends ReadonlyArray<keyof Request & string>>(action: {
    name: string;
    params: Listed & (Unlisted<Request, Listed> extends never ? unknown : { missing: Unlisted<Request, Listed> });
    handle(ctx: ActionContext): Omit<Response, "RequestId">;
  }): ActionHandler => action as unknown as ActionHandler;
}
