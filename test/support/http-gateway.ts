/**
 * A minimal API Gateway HTTP API in front of a handler, for tests: each HTTP request becomes a payload 2.0 event
 * (AWS: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html) —
 * header names lower-cased, the body as text (or base64 with `base64: true`, as HTTP API sends a body it takes
 * for binary) — and the handler's answer is written back. It lets the emulator's real callbacks reach the bundle.
 */
import http, { type IncomingMessage } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { awsContext } from "./bundle";

export type Handler = (event: unknown, context?: unknown) => Promise<any>;

export interface TestGateway {
  url: string;
  /** Requests answered, by HTTP status. */
  answered: Map<number, number>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function eventOf(req: IncomingMessage, body: Buffer, base64: boolean) {
  const url = new URL(req.url ?? "/", "http://gateway.test");
  const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(",") : (value ?? "")]));
  const method = req.method ?? "GET";
  return {
    version: "2.0",
    routeKey: `${method} ${url.pathname}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    requestContext: { http: { method, path: url.pathname, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: headers["user-agent"] ?? "" }, requestId: "gw", stage: "$default" },
    ...(body.length ? { body: base64 ? body.toString("base64") : body.toString("utf8") } : {}),
    isBase64Encoded: base64 && body.length > 0,
  };
}

/** `handler` is called per request (read it late: a test may reload the bundle). */
export async function startGateway(handler: () => Handler, options: { base64?: boolean; timeoutMs?: number } = {}): Promise<TestGateway> {
  const answered = new Map<number, number>();
  const sockets = new Set<Socket>();
  const server = http.createServer(async (req, res) => {
    const body = await readBody(req);
    const answer = await handler()(eventOf(req, body, options.base64 ?? false), awsContext(options.timeoutMs ?? 10_000));
    const status = Number(answer?.statusCode ?? 502);
    answered.set(status, (answered.get(status) ?? 0) + 1);
    res.writeHead(status, answer?.headers ?? {});
    res.end(answer?.body ?? "");
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    answered,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
