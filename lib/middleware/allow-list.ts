/**
 * Refuses SdkAppIds outside TRTC_ALLOWED_SDK_APP_IDS with Forbidden.SdkAppId, before any upstream call.
 * Runs after the validator, so the SdkAppId is known to be an integer.
 */
import { TrtcFunctionError } from "../errors";
import type { FunctionMiddleware, FunctionRequest } from "./types";

export interface AllowListOptions {
  /** Allowed SdkAppIds; undefined allows any. A function so a configuration error can leave it unset. */
  allowed: () => ReadonlySet<number> | undefined;
}

export function isAllowed(allowed: ReadonlySet<number> | undefined, sdkAppId: number): boolean {
  return allowed === undefined || allowed.has(sdkAppId);
}

export function forbidden(sdkAppId: number): TrtcFunctionError {
  return new TrtcFunctionError("Forbidden.SdkAppId", `This deployment may not query SdkAppId ${sdkAppId}`);
}

export function allowList({ allowed }: AllowListOptions): FunctionMiddleware {
  return {
    before: (request: FunctionRequest) => {
      const { SdkAppId } = request.event as { SdkAppId: number };
      if (!isAllowed(allowed(), SdkAppId)) throw forbidden(SdkAppId);
    },
  };
}
