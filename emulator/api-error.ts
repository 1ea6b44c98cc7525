/** An error the API answers inside the envelope: {"Response":{"Error":{Code,Message},"RequestId"}}. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Messages worded like the real platform's common errors. */
export const apiErrors = {
  signatureFailure: (why: string) =>
    new ApiError("AuthFailure.SignatureFailure", `The provided credentials could not be validated. ${why}`),
  invalidAuthorization: (why: string) => new ApiError("AuthFailure.InvalidAuthorization", `Authorization in the request header is invalid. ${why}`),
  /** How the real API refuses a v1-signed request it will not take (tencentcloud-sdk-python#42). */
  legacySignature: () =>
    new ApiError(
      "AuthFailure.SignatureFailure",
      "The provided credentials could not be validated, please use new signature method `TC3-HMAC-SHA256`.",
    ),
  signatureExpire: (timestamp: number, now: number) =>
    new ApiError(
      "AuthFailure.SignatureExpire",
      `Signature expired. Timestamp:${timestamp}, Current server time:${now}. Please check your local time.`,
    ),
  secretIdNotFound: () =>
    new ApiError("AuthFailure.SecretIdNotFound", "The SecretId is not found, please ensure that your SecretId is correct."),
  tokenFailure: (why: string) => new ApiError("AuthFailure.TokenFailure", `Token verification failed. ${why}`),
  missingParameter: (name: string) =>
    new ApiError("MissingParameter", `The request is missing a required parameter \`${name}\`.`),
  invalidAction: (action: string) =>
    new ApiError("InvalidAction", `The requested action \`${action}\` does not exist.`),
  noSuchVersion: (version: string) =>
    new ApiError("NoSuchVersion", `The requested version \`${version}\` of service \`trtc\` does not exist.`),
  unsupportedRegion: (region: string | undefined) =>
    new ApiError(
      "UnsupportedRegion",
      region ? `The action is not supported in region \`${region}\`.` : "The request is missing the region (X-TC-Region).",
    ),
  requestLimitExceeded: (count: number, limit: number) =>
    new ApiError(
      "RequestLimitExceeded",
      `Your current request times equals to \`${count}\` in a second, which exceeds the frequency limit \`${limit}\` for a second. Please reduce the frequency of calls.`,
    ),
};
