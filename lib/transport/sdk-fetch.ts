/**
 * node-fetch as the SDK sees it (the build aliases `node-fetch` here): the bounded transport (./fetch.ts), with its
 * classified failures handed to the SDK in the one shape the SDK keeps a code from.
 *
 * Why: the SDK flattens anything fetch throws into a bare message (abstract_client.js:
 * `new TencentCloudSDKHttpException(e.message)`), and keeps a code only from an error envelope
 * (parseResponse: `Response.Error.Code`). So a failed exchange is answered to the SDK as an envelope holding the
 * transport's own code and message (and TRTC's RequestId where TRTC sent one); the SDK throws it like TRTC's own
 * errors, and lib/trtc-client.ts classifies both the same way, code intact. Nothing of it reaches the network.
 */
import { TrtcFunctionError } from "../errors";
import boundedFetch, { type BufferedResponse, type FetchInit } from "./fetch";

/** The SDK's view of a failed exchange: HTTP 200 with TRTC's error envelope, as parseResponse reads it. */
function failureEnvelope(failure: TrtcFunctionError): BufferedResponse {
  const envelope = { Response: { Error: { Code: failure.code, Message: failure.message }, RequestId: failure.requestId ?? "" } };
  return { status: 200, statusText: "OK", headers: { get: () => null }, json: async () => envelope };
}

export default function sdkFetch(url: string, init?: FetchInit): Promise<BufferedResponse> {
  return boundedFetch(url, init).catch((error: unknown) => {
    if (error instanceof TrtcFunctionError) return failureEnvelope(error);
    throw error; // not a verdict (a bug): the SDK's message is classified as an unreadable answer
  });
}
