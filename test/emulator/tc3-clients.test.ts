/**
 * The emulator against requests signed the way clients other than the Node SDK sign them. The signer below is written
 * from Tencent Cloud's "Signature v3" page (TC3-HMAC-SHA256, https://cloud.tencent.com/document/api/213/30654) and
 * checked against that page's worked example before it is used; the request shapes are those of
 * tencentcloud-sdk-python's abstract_client.py (_build_req_with_tc3_signature / _get_tc3_signature), which tccli
 * uses: the Host header as the endpoint with its port, `content-type;host` signed, GET parameters urlencoded in the
 * query with Content-Type application/x-www-form-urlencoded, and the `unsignedPayload` profile option
 * (X-TC-Content-SHA256: UNSIGNED-PAYLOAD, also in the Go and Java SDKs). Nothing here comes from emulator/signature.ts.
 */
import { createHash, createHmac } from "node:crypto";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SECRET_ID, DEMO_SECRET_KEY, startEmulator, type RunningEmulator } from "../../emulator";

const sha256 = (data: string) => createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest();

interface Tc3Input {
  secretId: string;
  secretKey: string;
  service: string;
  method: "GET" | "POST";
  /** CanonicalQueryString: for GET the query as sent, for POST empty. */
  query: string;
  /** Header name (lower case) → value, as signed; sorted here, values trimmed and lower-cased as the page says. */
  signed: Record<string, string>;
  /** What HashedRequestPayload hashes: the body, or the literal UNSIGNED-PAYLOAD. */
  payload: string;
  timestamp: number;
}

/** The page's four steps: CanonicalRequest, StringToSign, the derived key, Authorization. */
function tc3Authorization(i: Tc3Input): string {
  const names = Object.keys(i.signed).sort();
  const canonicalHeaders = names.map((name) => `${name}:${i.signed[name]!.trim().toLowerCase()}\n`).join("");
  const canonicalRequest = `${i.method}\n/\n${i.query}\n${canonicalHeaders}\n${names.join(";")}\n${sha256(i.payload)}`;
  const date = new Date(i.timestamp * 1000).toISOString().slice(0, 10);
  const scope = `${date}/${i.service}/tc3_request`;
  const stringToSign = `TC3-HMAC-SHA256\n${i.timestamp}\n${scope}\n${sha256(canonicalRequest)}`;
  const secretSigning = hmac(hmac(hmac(`TC3${i.secretKey}`, date), i.service), "tc3_request");
  const signature = hmac(secretSigning, stringToSign).toString("hex");
  return `TC3-HMAC-SHA256 Credential=${i.secretId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`;
}

let emulator: RunningEmulator;
let host: string;
beforeAll(async () => {
  emulator = await startEmulator({ quiet: true, rateLimitPerSecond: 1000, credentials: [{ secretId: DEMO_SECRET_ID, secretKey: DEMO_SECRET_KEY }] });
  host = `127.0.0.1:${emulator.port}`;
});
afterAll(() => emulator.close());

interface Answer {
  status: number;
  contentType: string | undefined;
  json: any;
}

function send(method: string, path: string, headers: Record<string, string>, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: "127.0.0.1", port: emulator.port, method, path, headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, contentType: res.headers["content-type"], json: JSON.parse(text) }));
    });
    request.on("error", reject);
    request.end(body);
  });
}

interface PythonStyle {
  method?: "GET" | "POST";
  params?: Record<string, string | number>;
  secretId?: string;
  secretKey?: string;
  timestamp?: number;
  signAction?: boolean;
  contentType?: string;
  unsignedPayload?: boolean;
  /** Sent instead of the body that was signed. */
  sentBody?: string;
  /** null: no Authorization header; a string: sent instead of the computed one. */
  authorization?: string | null;
}

/** A DescribeStreamIngest request as tencentcloud-sdk-python builds it (endpoint = the emulator's host:port). */
function pythonStyle(o: PythonStyle = {}): Promise<Answer> {
  const method = o.method ?? "POST";
  const params = o.params ?? { SdkAppId: 1400000001, TaskId: "demo-task-in-progress" };
  // urlencode(params) for GET; json.dumps(params) for POST (Python's default separators: ", " and ": ").
  const query = method === "GET" ? new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString() : "";
  const body = method === "POST" ? `{${Object.entries(params).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(", ")}}` : "";
  const contentType = o.contentType ?? (method === "GET" ? "application/x-www-form-urlencoded" : "application/json");
  const timestamp = o.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    "Content-Type": contentType,
    Host: host,
    "X-TC-Action": "DescribeStreamIngest",
    "X-TC-RequestClient": "SDK_PYTHON_3.0.1400",
    "X-TC-Timestamp": String(timestamp),
    "X-TC-Version": "2019-07-22",
    "X-TC-Region": "ap-singapore",
    "X-TC-Language": "en-US",
  };
  if (o.unsignedPayload) headers["X-TC-Content-SHA256"] = "UNSIGNED-PAYLOAD";
  const signed: Record<string, string> = { "content-type": contentType, host };
  if (o.signAction) signed["x-tc-action"] = "DescribeStreamIngest";
  const authorization =
    o.authorization !== undefined
      ? o.authorization
      : tc3Authorization({
          secretId: o.secretId ?? DEMO_SECRET_ID,
          secretKey: o.secretKey ?? DEMO_SECRET_KEY,
          service: "trtc",
          method,
          query,
          signed,
          payload: o.unsignedPayload ? "UNSIGNED-PAYLOAD" : body,
          timestamp,
        });
  if (authorization !== null) headers.Authorization = authorization;
  return send(method, query ? `/?${query}` : "/", headers, o.sentBody ?? body);
}

/** The API's answer is always HTTP 200 application/json {"Response": {..., "RequestId"}}; errors as {Error: {Code, Message}}. */
function expectEnvelope(answer: Answer): any {
  expect(answer.status).toBe(200);
  expect(answer.contentType).toMatch(/^application\/json/);
  expect(Object.keys(answer.json)).toEqual(["Response"]);
  expect(answer.json.Response.RequestId).toMatch(/^[0-9a-f-]{36}$/);
  return answer.json.Response;
}

function expectError(answer: Answer, code: string): void {
  const response = expectEnvelope(answer);
  expect(Object.keys(response).sort()).toEqual(["Error", "RequestId"]);
  expect(Object.keys(response.Error).sort()).toEqual(["Code", "Message"]);
  expect(response.Error.Code).toBe(code);
  expect(response.Error.Message).toBeTypeOf("string");
  expect(response.Error.Message.length).toBeGreaterThan(0);
}

describe("the test's own TC3 signer", () => {
  it("reproduces the worked example of Tencent's Signature v3 page (DescribeInstances, x-tc-action signed)", () => {
    // The page's example: its masked key is what it signed with, and its Authorization is printed in full.
    const authorization = tc3Authorization({
      secretId: "AKID********************************",
      secretKey: "********************************",
      service: "cvm",
      method: "POST",
      query: "",
      signed: { "content-type": "application/json; charset=utf-8", host: "cvm.tencentcloudapi.com", "x-tc-action": "DescribeInstances" },
      payload: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
      timestamp: 1551113065,
    });
    expect(authorization).toBe(
      "TC3-HMAC-SHA256 Credential=AKID********************************/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host;x-tc-action, " +
        "Signature=10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f",
    );
  });
});

describe("requests signed as tencentcloud-sdk-python and tccli sign them", () => {
  it("POST with json.dumps spacing and the Host header with its port is answered", async () => {
    expect(expectEnvelope(await pythonStyle())).toMatchObject({ Status: "InProgress" });
  });

  it("GET with the parameters urlencoded in the query (form content type) is answered, also with a value that needs escaping", async () => {
    expect(expectEnvelope(await pythonStyle({ method: "GET" }))).toMatchObject({ Status: "InProgress" });
    expect(expectEnvelope(await pythonStyle({ method: "GET", params: { SdkAppId: 1400000001, TaskId: "a/b:c" } }))).toMatchObject({ Status: "NotExist" });
  });

  it("x-tc-action among the signed headers and a charset in the content type (the page's own example) are answered", async () => {
    expect(expectEnvelope(await pythonStyle({ signAction: true, contentType: "application/json; charset=utf-8" }))).toMatchObject({ Status: "InProgress" });
    expect(expectEnvelope(await pythonStyle({ method: "GET", signAction: true }))).toMatchObject({ Status: "InProgress" });
  });

  it("the unsignedPayload option (X-TC-Content-SHA256: UNSIGNED-PAYLOAD) is answered; the payload hash must then be of that literal", async () => {
    expect(expectEnvelope(await pythonStyle({ unsignedPayload: true }))).toMatchObject({ Status: "InProgress" });
    // The body is not covered by such a signature: another body under the same signature is still accepted.
    const other = `{"SdkAppId": 1400000001, "TaskId": "another-task"}`;
    expect(expectEnvelope(await pythonStyle({ unsignedPayload: true, sentBody: other }))).toMatchObject({ Status: "NotExist" });
    // Without the header, a body that is not the one signed fails.
    expectError(await pythonStyle({ sentBody: other }), "AuthFailure.SignatureFailure");
  });
});

describe("authentication failures, each with its common code in the JSON envelope", () => {
  it.each<[string, PythonStyle, string]>([
    ["no Authorization header", { authorization: null }, "AuthFailure.InvalidAuthorization"],
    ["an Authorization that is not TC3", { authorization: "Bearer abc" }, "AuthFailure.InvalidAuthorization"],
    ["a TC3 Authorization without its parts", { authorization: "TC3-HMAC-SHA256 Credential=AKID" }, "AuthFailure.InvalidAuthorization"],
    ["a timestamp an hour old", { timestamp: Math.floor(Date.now() / 1000) - 3600 }, "AuthFailure.SignatureExpire"],
    ["an unknown SecretId", { secretId: "AKIDnotAKeyTheEmulatorKnows0000000" }, "AuthFailure.SecretIdNotFound"],
    ["the wrong SecretKey", { secretKey: "not-the-key" }, "AuthFailure.SignatureFailure"],
  ])("%s: %s", async (_case, options, code) => {
    expectError(await pythonStyle(options), code);
  });
});
