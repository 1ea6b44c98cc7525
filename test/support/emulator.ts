/** Starts the local TRTC emulator for a test file and points the function's environment at it. */
import { DEMO_SECRET_ID, DEMO_SECRET_KEY, startEmulator, type EmulatorOptions, type RunningEmulator } from "../../emulator";
import { loadBundle, type Bundle } from "./bundle";

export const APP = 1400000001;
export const DEMO_TASK = "demo-task-in-progress";

/**
 * The function's environment for a test: pointed at `url` with `secretId`/`secretKey`, and every other setting the
 * function reads unset, so a developer's own environment (a Redis URL, a secret, a region) cannot leak into a test.
 */
export function functionEnv(url: string, secretId: string = DEMO_SECRET_ID, secretKey: string = DEMO_SECRET_KEY): Record<string, string | undefined> {
  return {
    TRTC_ENDPOINT_URL: url,
    TENCENTCLOUD_SECRET_ID: secretId,
    TENCENTCLOUD_SECRET_KEY: secretKey,
    TENCENTCLOUD_SESSION_TOKEN: undefined,
    TENCENTCLOUD_SECRETID: undefined,
    TENCENTCLOUD_SECRETKEY: undefined,
    TENCENTCLOUD_SESSIONTOKEN: undefined,
    TRTC_REGION: undefined,
    TRTC_ENDPOINT: undefined,
    TRTC_ALLOWED_SDK_APP_IDS: undefined,
    TRTC_THROW_ON_ERROR: undefined,
    TRTC_CREDENTIALS_SECRET_ID: undefined,
    TRTC_REDIS_URL: undefined,
    TRTC_REDIS_CLUSTER: undefined,
    TRTC_CALLBACK_KEY: undefined,
    TRTC_CALLBACK_RETENTION_SECONDS: undefined,
    TRTC_MAX_ATTEMPTS: undefined,
    LOG_LEVEL: "error",
  };
}

export async function startTestEmulator(options: EmulatorOptions = {}): Promise<{ emulator: RunningEmulator; env: Record<string, string | undefined> }> {
  // Explicit demo keys: the emulator would otherwise take TENCENTCLOUD_SECRET_* from the developer's environment.
  const emulator = await startEmulator({ quiet: true, credentials: [{ secretId: DEMO_SECRET_ID, secretKey: DEMO_SECRET_KEY }], ...options });
  return { emulator, env: functionEnv(emulator.url) };
}

/**
 * An emulator and a fresh container (a loaded bundle) pointed at it, for one test, closed when it finishes. Tests
 * that wait on timers (a deadline, the rate limit, a task's end) can then run at once (describe.concurrent): each
 * counts only its own requests, adds its own faults and has its own rate window and pacer. The container is
 * configured when loaded, so the environment it leaves behind does not reach tests already running.
 */
export async function isolatedEmulator(onTestFinished: (fn: () => Promise<void>) => void): Promise<{ emulator: RunningEmulator; fn: Bundle }> {
  const { emulator, env } = await startTestEmulator();
  onTestFinished(() => emulator.close());
  return { emulator, fn: loadBundle(env) };
}
