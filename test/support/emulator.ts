/** Starts the local TRTC emulator for a test file and points the function's environment at it. */
import { DEMO_SECRET_ID, DEMO_SECRET_KEY, startEmulator, type EmulatorOptions, type RunningEmulator } from "../../emulator";

export const APP = 1400000001;
export const DEMO_TASK = "demo-task-in-progress";

export async function startTestEmulator(options: EmulatorOptions = {}): Promise<{ emulator: RunningEmulator; env: Record<string, string | undefined> }> {
  // Explicit demo keys: the emulator would otherwise take TENCENTCLOUD_SECRET_* from the developer's environment.
  const emulator = await startEmulator({ quiet: true, credentials: [{ secretId: DEMO_SECRET_ID, secretKey: DEMO_SECRET_KEY }], ...options });
  return {
    emulator,
    env: {
      TRTC_ENDPOINT_URL: emulator.url,
      TENCENTCLOUD_SECRET_ID: DEMO_SECRET_ID,
      TENCENTCLOUD_SECRET_KEY: DEMO_SECRET_KEY,
      TENCENTCLOUD_SESSION_TOKEN: undefined,
      TENCENTCLOUD_SECRETID: undefined,
      TENCENTCLOUD_SECRETKEY: undefined,
      TENCENTCLOUD_SESSIONTOKEN: undefined,
      TRTC_REGION: undefined,
      TRTC_ENDPOINT: undefined,
      TRTC_ALLOWED_SDK_APP_IDS: undefined,
      TRTC_THROW_ON_ERROR: undefined,
      LOG_LEVEL: "error",
    },
  };
}
