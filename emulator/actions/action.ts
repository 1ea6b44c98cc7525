import type { Params } from "../params";
import type { TaskStore } from "../tasks";

export interface ActionContext {
  params: Params;
  /** GET: every value arrived as a string. */
  fromQuery: boolean;
  tasks: TaskStore;
  now: number;
}

/** One API action: the parameters it defines and what it answers (without RequestId). */
export interface ActionHandler {
  name: string;
  params: readonly string[];
  handle(ctx: ActionContext): Record<string, unknown>;
}
