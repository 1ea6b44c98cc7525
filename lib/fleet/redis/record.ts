/**
 * The callback record in Redis (lib/relay/types.ts RecordStore): per task, a sorted set of its events (member: the
 * event's encoding, score: its time; ZADD NX deduplicates; the RECORD_MAX_EVENTS latest kept) and the final answer
 * beside it, under the task's hash tag, both kept for the retention from the last write.
 *
 * A callback's 200 depends on these writes: they are sent even while the store rests after a fault, wait for a
 * slow Redis up to the caller's `timeoutMs`, and answer undefined only when Redis did not take the write.
 */
import { RECORD_MAX_EVENTS, type RecordStore } from "../../relay/types";
import { encodeEvent, parseRecord } from "./answers";
import type { Calls } from "./calls";
import { InvalidAnswer } from "./faults";
import type { StoreKeys } from "./keys";
import type { ScriptedClient } from "./scripts";

const ms = (value: number) => Math.max(1, Math.ceil(value));

export function recordCalls(calls: Calls, client: ScriptedClient, keys: StoreKeys): RecordStore {
  return {
    recordEvent: (task, event, retentionMs, timeoutMs) =>
      calls.run(
        async () => {
          const added = await client.trtcRecord(keys.events(task), keys.final(task), encodeEvent(event), event.at, RECORD_MAX_EVENTS, ms(retentionMs));
          if (added !== 0 && added !== 1) throw new InvalidAnswer();
          return added === 1 ? ("recorded" as const) : ("duplicate" as const);
        },
        { withinMs: timeoutMs, always: true },
      ),
    // On the way of an answer: not sent while the store rests (the answer goes without the record).
    readRecord: (task, timeoutMs) =>
      calls.run(async () => parseRecord(await client.trtcReadRecord(keys.events(task), keys.final(task), RECORD_MAX_EVENTS), RECORD_MAX_EVENTS), { withinMs: timeoutMs }),
    settleRecord: async (task, final, retentionMs, timeoutMs) => {
      await calls.run(() => client.set(keys.final(task), JSON.stringify(final), "PX", ms(retentionMs)), { withinMs: timeoutMs, always: true });
    },
  };
}
