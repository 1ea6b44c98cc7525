/**
 * Realistic events of every kind the contract names, shaped after the platforms' documented samples
 * (AWS API Gateway REST proxy 1.0, HTTP API 2.0, Lambda Function URL, Tencent API Gateway trigger).
 */

export interface HttpInput {
  method?: string;
  query?: Record<string, string>;
  path?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  headers?: Record<string, string>;
}

const queryString = (query: Record<string, string> = {}) => new URLSearchParams(query).toString();

export function awsRestEvent({ method = "GET", query, path, body, isBase64Encoded = false, headers = {} }: HttpInput = {}) {
  const allHeaders = { Accept: "*/*", Host: "abc123.execute-api.ap-southeast-1.amazonaws.com", "User-Agent": "curl/8.5.0", "X-Forwarded-For": "203.0.113.7", ...headers };
  return {
    resource: "/stream-ingest/status",
    path: "/stream-ingest/status",
    httpMethod: method,
    headers: allHeaders,
    multiValueHeaders: Object.fromEntries(Object.entries(allHeaders).map(([k, v]) => [k, [v]])),
    queryStringParameters: query ?? null,
    multiValueQueryStringParameters: query ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])) : null,
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
    headers: { accept: "*/*", host: domainName, "user-agent": "curl/8.5.0", "x-forwarded-for": "203.0.113.7", ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])) },
    ...(query ? { queryStringParameters: query } : {}),
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
    queryStringParameters: query ?? {},
    headerParameters: {},
    stageVariables: { stage: "release" },
    path: "/stream-ingest/status",
    queryString: query ?? {},
    httpMethod: method,
    ...(isBase64Encoded !== undefined ? { isBase64Encoded } : {}),
  };
}

export const HTTP_EVENT_KINDS = {
  "aws-rest": awsRestEvent,
  "aws-http": awsHttpApiEvent,
  "function-url": functionUrlEvent,
  "tencent-apigw": tencentApiGatewayEvent,
} as const;
