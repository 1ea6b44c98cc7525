/** Public API of the local TRTC emulator. */
export { DEMO_SECRET_ID, DEMO_SECRET_KEY } from "./credentials";
export { startEmulator, readSeedFile } from "./server";
export { API_VERSION, SUPPORTED_REGIONS } from "./gateway";
export { callbackBody, signBody, TRTC_TIMING, EVENT_GROUP_STREAM_INGEST, EVENT_TYPE_START, EVENT_TYPE_STOP } from "./callbacks";
export type {
  CallbackAttempt,
  CallbackFaultRule,
  CallbackFaultSpec,
  CallbackFaultType,
  CallbackLogEntry,
  CallbackSettings,
  CallbackSettingsView,
  CallbackTiming,
} from "./callbacks";
export type {
  EmulatorCredential,
  EmulatorOptions,
  EmulatorStats,
  FaultRule,
  FaultSpec,
  FaultType,
  RequestLogEntry,
  RunningEmulator,
  SeedTask,
} from "./types";
