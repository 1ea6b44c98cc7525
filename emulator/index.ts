/** Public API of the local TRTC emulator. */
export { DEMO_SECRET_ID, DEMO_SECRET_KEY } from "./credentials";
export { startEmulator, readSeedFile } from "./server";
export { API_VERSION, SUPPORTED_REGIONS } from "./gateway";
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
