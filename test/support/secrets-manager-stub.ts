/**
 * A local stand-in for AWS Secrets Manager's GetSecretValue (AWS JSON 1.1 protocol: POST /, header
 * `X-Amz-Target: secretsmanager.GetSecretValue`), enough for the real AWS SDK v3 client that middy's
 * function's credential source uses. Point the SDK at it with AWS_ENDPOINT_URL_SECRETS_MANAGER. It does not check
 * SigV4 signatures; it records that each request carried one.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface StubFailure {
  status: number;
  type: string;
  message?: string;
}

export interface SecretsManagerStub {
  url: string;
  /** GetSecretValue calls received, in order. */
  calls: Array<{ secretId: string; signed: boolean }>;
  /** Sets (rotates) the secret's value; an object is stored as its JSON, as the console and CLI do. */
  setSecret(secretId: string, value: unknown): void;
  /** Makes every following call fail with this AWS error, until cleared with undefined. */
  failWith(failure: StubFailure | undefined): void;
  /** Makes every following call go unanswered (a VPC with no route to Secrets Manager), until cleared with false. */
  hang(on: boolean): void;
  /** Connections open now (a hung call the client gave up on must have closed its own). */
  openConnections(): number;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startSecretsManagerStub(): Promise<SecretsManagerStub> {
  const secrets = new Map<string, { value: string; version: number }>();
  const calls: SecretsManagerStub["calls"] = [];
  let failure: StubFailure | undefined;
  let hanging = false;

  const server: Server = createServer(async (request, response) => {
    const body = await readBody(request);
    const answer = (status: number, payload: unknown, type?: string) => {
      response.writeHead(status, {
        "content-type": "application/x-amz-json-1.1",
        "x-amzn-requestid": `stub-${calls.length}`,
        ...(type ? { "x-amzn-errortype": type } : {}),
      });
      response.end(JSON.stringify(payload));
    };
    if (request.method !== "POST" || request.headers["x-amz-target"] !== "secretsmanager.GetSecretValue") {
      return answer(400, { __type: "UnknownOperationException", message: "Only GetSecretValue is stubbed" }, "UnknownOperationException");
    }
    const { SecretId } = JSON.parse(body || "{}") as { SecretId?: string };
    calls.push({ secretId: String(SecretId), signed: /^AWS4-HMAC-SHA256 /.test(String(request.headers.authorization)) });
    if (hanging) return; // read, never answered
    if (failure) return answer(failure.status, { __type: failure.type, message: failure.message ?? failure.type }, failure.type);
    const secret = SecretId === undefined ? undefined : secrets.get(SecretId);
    if (!secret) {
      const type = "ResourceNotFoundException";
      return answer(400, { __type: type, message: "Secrets Manager can't find the specified secret." }, type);
    }
    answer(200, {
      ARN: SecretId!.startsWith("arn:") ? SecretId : `arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:${SecretId}-AbCdEf`,
      Name: SecretId,
      VersionId: `00000000-0000-4000-8000-${String(secret.version).padStart(12, "0")}`,
      SecretString: secret.value,
      VersionStages: ["AWSCURRENT"],
      CreatedDate: Date.now() / 1000,
    });
  });
  const sockets = new Set<import("node:net").Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    setSecret(secretId, value) {
      const previous = secrets.get(secretId);
      secrets.set(secretId, { value: typeof value === "string" ? value : JSON.stringify(value), version: (previous?.version ?? 0) + 1 });
    },
    failWith(next) {
      failure = next;
    },
    hang(on) {
      hanging = on;
    },
    openConnections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
