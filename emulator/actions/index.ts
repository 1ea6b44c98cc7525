import type { ActionHandler } from "./action";
import { describeStreamIngest } from "./describe-stream-ingest";
import { startStreamIngest } from "./start-stream-ingest";
import { stopStreamIngest } from "./stop-stream-ingest";
import { updateStreamIngest } from "./update-stream-ingest";

export type { ActionContext, ActionHandler } from "./action";

/** The relay-task actions of TRTC 2019-07-22 that the emulator serves. */
export const ACTIONS: ReadonlyMap<string, ActionHandler> = new Map(
  [startStreamIngest, describeStreamIngest, stopStreamIngest, updateStreamIngest].map((a) => [a.name, a]),
);
