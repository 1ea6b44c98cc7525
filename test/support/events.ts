/**
 * Realistic events of every HTTP kind the contract names, shaped after the platforms' documented samples:
 * - AWS API Gateway REST proxy 1.0: https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
 * - HTTP API 2.0: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 * - Lambda Function URL: https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
 * - ALB target, single- and multi-value mode: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html
 * - Tencent SCF function URL (event function): https://cloud.tencent.com/document/product/583/96099
 * - Tencent API Gateway trigger: https://www.tencentcloud.com/document/product/583/31439
 *
 * A query value may be a string, an array (the key repeated, in order) or `true` (the key with no value); each
 * builder renders it as its platform delivers it.
 */

export type QueryValue = string | string[] | true;

/** Header names lower-cased, as HTTP API, function URLs and ALBs deliver them. */
export const lowerCased = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

/** Each header as a one-value list: a `multiValueHeaders` map. */
const multiValued = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));

export interface HttpInput {
  method?: string;
  query?: Record<string, QueryValue>;
  path?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  headers?: Record<string, string>;
}

/** Form-encodes as a browser does (URLSearchParams: a lone surrogate becomes U+FFFD instead of throwing). */
const encode = (text: unknown) => new URLSearchParams([["", String(text)]]).toString().slice(1);

const valuesOf = (value: QueryValue): string[] => (value === true ? [""] : Array.isArray(value) ? value : [value]);
const lastOf = (value: QueryValue): string => valuesOf(value).at(-1) ?? "";

/** The query as a client writes it: repeated keys repeated, a valueless key without "=". */
function queryString(query: Record<string, QueryValue> = {}): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (value === true) parts.push(encode(name));
    else for (const one of valuesOf(value)) parts.push(`${encode(name)}=${encode(one)}`);
  }
  return parts.join("&");
}

const mapQuery = <T>(query: Record<string, QueryValue>, fn: (value: QueryValue) => T) =>
  Object.fromEntries(Object.entries(query).map(([name, value]) => [name, fn(value)]));

export function awsRestEvent({ method = "GET", query, path, body, isBase64Encoded = false, headers = {} }: HttpInput = {}) {
  const allHeaders = { Accept: "*/*", Host: "abc123.execute-api.ap-southeast-1.amazonaws.com", "User-Agent": "curl/8.5.0", "X-Forwarded-For": "203.0.113.7", ...headers };
  return {
    resource: "/stream-ingest/status",
    path: "/stream-ingest/status",
    httpMethod: method,
    headers: allHeaders,
    multiValueHeaders: multiValued(allHeaders),
    // REST: the last value of a repeated key, all of them in the multi-value map; a valueless key is "".
    queryStringParameters: query ? mapQuery(query, lastOf) : null,
    multiValueQueryStringParameters: query ? mapQuery(query, valuesOf) : null,
    pathParameters: path ?? null,
    stageVariables: null,
    requestContext: {
      accountId: "123456789012",
      apiId: "abc123",
      domainName: "abc123.execute-api.ap-southeast-1.amazonaws.com",
      extendedRequestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
      httpMethod: method,
      identity: { sourceIp: "203.0.113.7", userAgent: "curl/8.5.0", accessKey: null, caller: null, user: null, userArn: null },
      path: "/prod/stream-ingest/status",
      protocol: "HTTP/1.1",
      requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
      requestTime: "24/Nov/2026:10:00:00 +0000",
      requestTimeEpoch: 1795514400000,
      resourceId: "abcdef",
      resourcePath: "/stream-ingest/status",
      stage: "prod",
    },
    body: body ?? null,
    isBase64Encoded,
  };
}

function v2Event(domainName: string, routeKey: string, { method = "GET", query, path, body, isBase64Encoded = false, headers = {} }: HttpInput) {
  return {
    version: "2.0",
    routeKey,
    rawPath: "/stream-ingest/status",
    rawQueryString: queryString(query),
    headers: { accept: "*/*", host: domainName, "user-agent": "curl/8.5.0", "x-forwarded-for": "203.0.113.7", ...lowerCased(headers) },
    // Payload 2.0 joins a repeated key's values with commas.
    ...(query ? { queryStringParameters: mapQuery(query, (value) => valuesOf(value).join(",")) } : {}),
    ...(path ? { pathParameters: path } : {}),
    requestContext: {
      accountId: "123456789012",
      apiId: domainName.split(".")[0],
      domainName,
      domainPrefix: domainName.split(".")[0],
      http: { method, path: "/stream-ingest/status", protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent: "curl/8.5.0" },
      requestId: "JKJaXmPLvHcESHA=",
      routeKey,
      stage: "$default",
      time: "24/Nov/2026:10:00:00 +0000",
      timeEpoch: 1795514400000,
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded,
  };
}

export const awsHttpApiEvent = (input: HttpInput = {}) =>
  v2Event("r3pmxmplak.execute-api.ap-southeast-1.amazonaws.com", `${input.method ?? "GET"} /stream-ingest/status`, input);

/** Function URLs send payload 2.0 with routeKey "$default" and, for any body, isBase64Encoded set as the client sent it. */
export const functionUrlEvent = (input: HttpInput = {}) =>
  v2Event("a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6.lambda-url.ap-southeast-1.on.aws", "$default", input);

export function tencentApiGatewayEvent({ method = "GET", query, path, body, isBase64Encoded, headers = {} }: HttpInput = {}) {
  return {
    requestContext: {
      serviceId: "service-f94sy04v",
      path: "/stream-ingest/status",
      httpMethod: method,
      requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
      identity: { secretId: "abdcdxxxxxxxsdfs" },
      sourceIp: "203.0.113.7",
      stage: "release",
    },
    headers: { Accept: "*/*", Host: "service-f94sy04v-1250000000.sg.apigw.tencentcs.com", "User-Agent": "curl/8.5.0", ...headers },
    body: body ?? "",
    pathParameters: path ?? {},
    queryStringParameters: tencentQuery(query),
    headerParameters: {},
    stageVariables: { stage: "release" },
    path: "/stream-ingest/status",
    queryString: tencentQuery(query),
    httpMethod: method,
    ...(isBase64Encoded !== undefined ? { isBase64Encoded } : {}),
  };
}

/** Tencent: a repeated key is an array of its values, a valueless key `true`. */
const tencentQuery = (query: Record<string, QueryValue> = {}) => mapQuery(query, (value) => (Array.isArray(value) && value.length === 1 ? value[0] : value));

/**
 * A Tencent SCF function URL request to an event function, as the "Function URL Overview" page shows it: the API
 * Gateway event without headerParameters, isBase64Encoded, pathParameters, queryStringParameters and requestContext;
 * header names lower-case, the client's address in x-scf-remote-addr, the path "/" (one URL per function).
 * Path parameters do not exist on this kind; isBase64Encoded is passed only when a test sets it.
 */
export function tencentFunctionUrlEvent({ method = "GET", query, body, isBase64Encoded, headers = {} }: HttpInput = {}) {
  return {
    body: body ?? "",
    headers: {
      accept: "*/*",
      "accept-encoding": "gzip, deflate, br",
      host: "1250000000-abcd1234ef.ap-singapore.tencentscf.com",
      "user-agent": "curl/8.5.0",
      "x-scf-remote-addr": "203.0.113.7",
      ...lowerCased(headers),
    },
    httpMethod: method,
    path: "/",
    queryString: tencentQuery(query),
    ...(isBase64Encoded !== undefined ? { isBase64Encoded } : {}),
  };
}

const ALB_CONTEXT = { elb: { targetGroupArn: "arn:aws:elasticloadbalancing:ap-southeast-1:123456789012:targetgroup/trtc-status/6d0ecf831eec9f09" } };
const ALB_HEADERS = {
  accept: "*/*",
  host: "trtc-status-846800462.ap-southeast-1.elb.amazonaws.com",
  "user-agent": "curl/8.5.0",
  "x-amzn-trace-id": "Root=1-5bdb40ca-556d8b0c50dc66f0511bf520",
  "x-forwarded-for": "203.0.113.7",
  "x-forwarded-port": "443",
  "x-forwarded-proto": "https",
};
/** An ALB does not decode the query: keys and values arrive as the client encoded them. */
const albEncoded = (query: Record<string, QueryValue>, fn: (value: QueryValue) => string | string[]) =>
  Object.fromEntries(Object.entries(query).map(([name, value]) => {
    const rendered = fn(value);
    return [encode(name), Array.isArray(rendered) ? rendered.map(encode) : encode(rendered)];
  }));

/** An ALB target event, multi-value headers off (the default): the last value of a repeated key, headers lower-case. */
export function albEvent({ method = "GET", query, body, isBase64Encoded = false, headers = {} }: HttpInput = {}) {
  return {
    requestContext: ALB_CONTEXT,
    httpMethod: method,
    path: "/stream-ingest/status",
    queryStringParameters: query ? albEncoded(query, lastOf) : {},
    headers: { ...ALB_HEADERS, ...lowerCased(headers) },
    body: body ?? "",
    isBase64Encoded,
  };
}

/**
 * An ALB target event with lambda.multi_value_headers.enabled=true: only multiValueQueryStringParameters and
 * multiValueHeaders, and the answer's headers are read from multiValueHeaders only.
 */
export function albMultiValueEvent({ method = "GET", query, body, isBase64Encoded = false, headers = {} }: HttpInput = {}) {
  const all = { ...ALB_HEADERS, ...lowerCased(headers) };
  return {
    requestContext: ALB_CONTEXT,
    httpMethod: method,
    path: "/stream-ingest/status",
    multiValueQueryStringParameters: query ? albEncoded(query, valuesOf) : {},
    multiValueHeaders: multiValued(all),
    body: body ?? "",
    isBase64Encoded,
  };
}

export const HTTP_EVENT_KINDS = {
  "aws-rest": awsRestEvent,
  "aws-http": awsHttpApiEvent,
  "function-url": functionUrlEvent,
  alb: albEvent,
  "alb-multi-value": albMultiValueEvent,
  "tencent-function-url": tencentFunctionUrlEvent,
  "tencent-apigw": tencentApiGatewayEvent,
} as const;

/** The kind each builder's events are logged as (`eventKind`). */
export const LOGGED_KIND: Record<keyof typeof HTTP_EVENT_KINDS, string> = {
  "aws-rest": "aws-rest",
  "aws-http": "aws-http",
  "function-url": "aws-http",
  alb: "aws-rest",
  "alb-multi-value": "aws-rest",
  "tencent-function-url": "tencent-function-url",
  "tencent-apigw": "tencent-apigw",
};

/** Kinds whose events can carry path parameters (a route template); ALBs and function URLs have none. */
export const HAS_PATH_PARAMETERS: ReadonlySet<keyof typeof HTTP_EVENT_KINDS> = new Set(["aws-rest", "aws-http", "function-url", "tencent-apigw"]);
