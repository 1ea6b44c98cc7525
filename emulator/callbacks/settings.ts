/** Callback settings: checked as the TRTC console checks them, with TRTC's delivery timings as defaults. */
import type { CallbackSettings, CallbackSettingsView, CallbackTiming } from "./types";

/** trtc.io/document/62717, "Timeout Retry": 5 s to answer, an immediate retry, then every 10 s for a minute. */
export const TRTC_TIMING: Readonly<CallbackTiming> = { answerTimeoutMs: 5_000, retryIntervalMs: 10_000, retryWindowMs: 60_000 };

/** The console's rule for the signature key (trtc.io/document/62717, "Configuration Information"). */
const KEY_PATTERN = /^[A-Za-z0-9]{1,32}$/;

/** Settings after checking: the URL parsed, every option filled in. */
export interface ResolvedSettings {
  url: URL;
  key: string;
  timing: CallbackTiming;
  bodyStyle: "compact" | "tabbed";
  eventMsTsAs: "number" | "string";
}

function resolveTiming(timing: Partial<CallbackTiming> | undefined): CallbackTiming {
  if (timing !== undefined && (typeof timing !== "object" || timing === null)) throw new TypeError("callbacks.timing must be an object");
  const resolved = { ...TRTC_TIMING, ...timing };
  for (const name of Object.keys(TRTC_TIMING) as (keyof CallbackTiming)[]) {
    const value = resolved[name];
    if (!(typeof value === "number" && Number.isFinite(value) && value >= 0)) throw new TypeError(`callbacks.timing.${name} must be a number >= 0`);
  }
  if (resolved.answerTimeoutMs === 0) throw new TypeError("callbacks.timing.answerTimeoutMs must be > 0");
  return resolved;
}

/** Checks settings as given to startEmulator, configureCallbacks or the control route; errors never show the key. */
export function resolveSettings(settings: CallbackSettings): ResolvedSettings {
  if (!settings || typeof settings !== "object") throw new TypeError("callbacks must be an object {url, key}");
  let url: URL;
  try {
    url = new URL(String(settings.url));
  } catch {
    throw new TypeError("callbacks.url must be an absolute http:// or https:// URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError("callbacks.url must be an absolute http:// or https:// URL");
  if (typeof settings.key !== "string" || !KEY_PATTERN.test(settings.key)) {
    throw new TypeError("callbacks.key must be 1 to 32 letters and digits (the TRTC console's rule)");
  }
  const bodyStyle = settings.bodyStyle ?? "compact";
  if (bodyStyle !== "compact" && bodyStyle !== "tabbed") throw new TypeError('callbacks.bodyStyle must be "compact" or "tabbed"');
  const eventMsTsAs = settings.eventMsTsAs ?? "number";
  if (eventMsTsAs !== "number" && eventMsTsAs !== "string") throw new TypeError('callbacks.eventMsTsAs must be "number" or "string"');
  return { url, key: settings.key, timing: resolveTiming(settings.timing), bodyStyle, eventMsTsAs };
}

/** The URL as it may be printed: no user information, and a query (which may carry a token) shown as "?…". */
export function printableUrl(url: URL): string {
  return `${url.origin}${url.pathname}${url.search ? "?…" : ""}`;
}

export function settingsView(settings: ResolvedSettings | undefined): CallbackSettingsView {
  return {
    url: settings ? printableUrl(settings.url) : null,
    timing: { ...(settings?.timing ?? TRTC_TIMING) },
    bodyStyle: settings?.bodyStyle ?? "compact",
    eventMsTsAs: settings?.eventMsTsAs ?? "number",
  };
}
