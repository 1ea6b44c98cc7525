/**
 * The deployable artifacts, exercised as the platforms run them: `npm run package`'s two zips are built, unpacked
 * into a temporary folder with no node_modules in reach, loaded in a fresh Node process and invoked through the
 * handler each platform is configured with (the AWS one read from the packaged CloudFormation template, the SCF one
 * from deploy/scf/serverless.yml), with that platform's events and context, against the TRTC emulator.
 *
 * Secrets Manager is not exercised here: it needs the AWS SDK, which Lambda's runtime provides and which is
 * deliberately not in the zip (see secrets-manager.test.ts, which runs the same bundle with the SDK in reach).
 *
 * The CloudFormation template of the defaults is checked here too, from the same `osls package` run (each costs about
 * a second of CPU); serverless-config.test.ts checks the template with the optional parts on.
 */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE_PATH } from "../../build/build";
import { packageAws, packageScf, scfRuntime } from "../../build/package";
import type { RunningEmulator } from "../../emulator";
import { APP, DEMO_TASK, startTestEmulator } from "../support/emulator";
import { albMultiValueEvent, awsHttpApiEvent, awsRestEvent, tencentApiGatewayEvent, tencentFunctionUrlEvent } from "../support/events";
import { s3Event, tencentTimerEvent } from "../support/trigger-events";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require("js-yaml") as { load: (text: string) => any }; // the parser the deployment tools read YAML with

const ROOT = join(__dirname, "..", "..");
const RUNNER = join(__dirname, "support", "platform-runner.cjs");
// The temporary credentials SCF injects for a function's role (TENCENTCLOUD_SECRETID/SECRETKEY/SESSIONTOKEN).
const ROLE = { secretId: "AKIDscfRoleTemporaryKey0000000000", secretKey: "scfRoleTemporarySecretKey000000", token: "scf-role-session-token-0001" };

let emulator: RunningEmulator;
let work: string;
const artifacts = { aws: { zip: "", handler: "", root: "" }, scf: { zip: "", handler: "", root: "" } };
/** The AWS package's CloudFormation template (cloudformation-template-update-stack.json). */
let template: any;

/** A developer's shell after the quick start and a local run: none of this may end up in the package. */
const DEVELOPER_SHELL = {
  TENCENTCLOUD_SECRET_ID: "AKIDdeveloperShellKey000000000000",
  TENCENTCLOUD_SECRET_KEY: "developerShellSecretKeyNeverPackaged",
  TRTC_ENDPOINT_URL: "http://127.0.0.1:9",
};

/** Runs `fn` with `env` added to process.env, then puts process.env back as it was. */
function withEnv<T>(env: Record<string, string>, fn: () => T): T {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return fn();
  } finally {
    process.env = saved;
  }
}

/** The CloudFormation resources (or outputs) that exist only under `condition`, by logical id. */
function underCondition(entries: Record<string, any>, condition: string): string[] {
  return Object.entries(entries ?? {}).filter(([, value]) => value.Condition === condition).map(([id]) => id).sort();
}

function unpack(zip: string, into: string): string[] {
  const files = unzipSync(readFileSync(zip));
  for (const [name, data] of Object.entries(files)) {
    if (name.endsWith("/")) continue;
    mkdirSync(dirname(join(into, name)), { recursive: true });
    writeFileSync(join(into, name), data);
  }
  return Object.keys(files);
}

function nodeModulesInReach(dir: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, "node_modules"))) return join(at, "node_modules");
    if (dirname(at) === at) return undefined;
  }
}

/** Invokes the unpacked artifact in a fresh process, with only the environment the platform would give it. */
async function invoke(platform: "aws" | "scf", events: unknown[], env: Record<string, string>) {
  const { root, handler } = artifacts[platform];
  const child = spawn(process.execPath, [join(root, "platform-runner.cjs"), root, handler, platform], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", TZ: "UTC", LOG_LEVEL: "error", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  child.stdin.end(JSON.stringify(events));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const last = stdout.trim().split("\n").at(-1) ?? "";
  const parsed = JSON.parse(last) as { results?: Array<{ value?: any; thrown?: unknown }>; loadError?: string };
  if (parsed.loadError || code !== 0) throw new Error(`${platform} artifact failed (exit ${code}): ${parsed.loadError ?? ""}\n${stderr}`);
  return parsed.results!.map((result) => result.value ?? result.thrown);
}

beforeAll(async () => {
  ({ emulator } = await startTestEmulator({
    credentials: [
      { secretId: "AKIDtestEnvironmentKey00000000000", secretKey: "testEnvironmentSecretKey0000000" },
      ROLE,
    ],
  }));
  work = mkdtempSync(join(tmpdir(), "trtc-artifacts-"));
  // Build both artifacts into the temporary folder (npm run package writes the same into dist/), from a developer's
  // shell: the zip runs with the platform's environment below whatever the template says.
  artifacts.aws.zip = withEnv(DEVELOPER_SHELL, () => packageAws([], join(work, "aws")));
  artifacts.scf.zip = packageScf(join(work, "scf"));

  template = JSON.parse(readFileSync(join(work, "aws", "cloudformation-template-update-stack.json"), "utf8"));
  artifacts.aws.handler = template.Resources.DescribeStreamIngestLambdaFunction.Properties.Handler;
  artifacts.scf.handler = /^\s+handler:\s*(\S+)/m.exec(readFileSync(join(ROOT, "deploy", "scf", "serverless.yml"), "utf8"))![1]!;

  for (const platform of ["aws", "scf"] as const) {
    const root = join(work, `${platform}-task`);
    mkdirSync(root);
    unpack(artifacts[platform].zip, root);
    copyFileSync(RUNNER, join(root, "platform-runner.cjs"));
    artifacts[platform].root = root;
  }
  const kb = (path: string) => `${(statSync(path).size / 1024).toFixed(1)} KB`;
  console.log(
    `artifact sizes: AWS Lambda zip ${kb(artifacts.aws.zip)}, Tencent SCF zip ${kb(artifacts.scf.zip)} (bundle ${kb(BUNDLE_PATH)} unzipped)`,
  );
}, 120_000);

afterAll(async () => {
  await emulator?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the packages", () => {
  it("hold exactly the one bundle, at the path each platform's handler names", () => {
    const awsFiles = Object.keys(unzipSync(readFileSync(artifacts.aws.zip)));
    const scfFiles = Object.keys(unzipSync(readFileSync(artifacts.scf.zip)));
    expect(awsFiles.sort()).toEqual(["dist/describe-stream-ingest/fleet-redis.js", "dist/describe-stream-ingest/index.js"]);
    expect(scfFiles.sort()).toEqual(["fleet-redis.js", "index.js"]);
    expect(artifacts.aws.handler).toBe("dist/describe-stream-ingest/index.handler");
    expect(artifacts.scf.handler).toBe("index.main_handler");
    const bundle = readFileSync(BUNDLE_PATH);
    expect(Buffer.from(unzipSync(readFileSync(artifacts.aws.zip))["dist/describe-stream-ingest/index.js"]!).equals(bundle)).toBe(true);
    expect(Buffer.from(unzipSync(readFileSync(artifacts.scf.zip))["index.js"]!).equals(bundle)).toBe(true);
  });

  it("are unpacked where no node_modules can be found", () => {
    expect(nodeModulesInReach(artifacts.aws.root)).toBeUndefined();
    expect(nodeModulesInReach(artifacts.scf.root)).toBeUndefined();
  });

  it("give the same SCF zip for the same bundle (reproducible)", () => {
    const again = packageScf(join(work, "scf-again"));
    expect(readFileSync(again).equals(readFileSync(artifacts.scf.zip))).toBe(true);
  });
});

describe("osls package with the defaults: the CloudFormation template", () => {
  it("deploys the bundle with the promised runtime, limits and routes, and bakes in no local keys", () => {
    const resources = template.Resources as Record<string, any>;
    expect(Object.keys(unzipSync(readFileSync(artifacts.aws.zip))).sort()).toEqual(["dist/describe-stream-ingest/fleet-redis.js", "dist/describe-stream-ingest/index.js"]);
    const fn = resources.DescribeStreamIngestLambdaFunction.Properties;
    expect(fn).toMatchObject({ Handler: "dist/describe-stream-ingest/index.handler", Runtime: "nodejs24.x", MemorySize: 256, Timeout: 15, Architectures: ["arm64"] });
    expect(fn.ReservedConcurrentExecutions).toEqual({ "Fn::If": ["ReserveConcurrency", "5", { Ref: "AWS::NoValue" }] });
    expect(fn.Environment.Variables).toMatchObject({ TENCENTCLOUD_SECRET_ID: "", TENCENTCLOUD_SECRET_KEY: "", TRTC_ENDPOINT_URL: "", TRTC_CREDENTIALS_SECRET_ID: "" });
    expect(resources.DescribeStreamIngestLogGroup.Properties.RetentionInDays).toBe(30);

    const routes = Object.values(resources).filter((r) => r.Type === "AWS::ApiGatewayV2::Route").map((r) => r.Properties);
    expect(routes.map((r) => [r.RouteKey, r.AuthorizationType]).sort()).toEqual([
      ["GET /stream-ingest/status", "AWS_IAM"],
      ["POST /stream-ingest/status", "AWS_IAM"],
    ]);
    // No callback route, no callback output by default (CloudFormation creates nothing under a false condition).
    expect(template.Conditions.UseCallbacks).toEqual({ "Fn::Equals": ["false", "true"] });
    expect(underCondition(template.Outputs, "UseCallbacks")).toEqual(["StreamIngestCallbackUrl"]);
    expect(fn.Environment.Variables).toMatchObject({ TRTC_CALLBACK_KEY: "", TRTC_REDIS_CLUSTER: "false", TRTC_CALLBACK_RETENTION_SECONDS: "604800" });
    expect(resources.HttpApiStage.Properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 20 });
    // The role: logs only, unless a secret is configured.
    expect(JSON.stringify(resources.IamRoleLambdaExecution)).not.toContain("secretsmanager");
    // No state machine by default: its resources and output exist only under a condition that is false.
    expect(template.Conditions.UseStateMachine).toEqual({ "Fn::Equals": ["false", "true"] });
    const stateMachines = Object.keys(resources).filter((id) => resources[id].Type === "AWS::StepFunctions::StateMachine");
    expect(stateMachines).toEqual(["PollRelayTaskStateMachine"]);
    expect(underCondition(resources, "UseStateMachine")).toEqual(["PollRelayTaskStateMachine", "PollRelayTaskStateMachineRole"]);
    expect(underCondition(template.Outputs, "UseStateMachine")).toEqual(["PollRelayTaskStateMachineArn"]);
  });
});

describe("AWS Lambda zip: handler from the CloudFormation template, AWS events and context", () => {
  const env = () => ({
    TRTC_ENDPOINT_URL: emulator.url,
    TENCENTCLOUD_SECRET_ID: "AKIDtestEnvironmentKey00000000000",
    TENCENTCLOUD_SECRET_KEY: "testEnvironmentSecretKey0000000",
    AWS_REGION: "ap-southeast-1",
    AWS_LAMBDA_FUNCTION_NAME: "trtc-stream-ingest-status-dev-describeStreamIngest",
  });

  it("answers HTTP API, REST API, ALB multi-value and direct invocations; refuses an S3 event", async () => {
    const [running, missing, posted, rest, invalid, direct, alb, s3] = await invoke(
      "aws",
      [
        awsHttpApiEvent({ query: { SdkAppId: String(APP), TaskId: DEMO_TASK } }),
        awsHttpApiEvent({ query: { SdkAppId: String(APP), TaskId: "no-such-task" } }),
        awsHttpApiEvent({ method: "POST", body: JSON.stringify({ SdkAppId: APP, TaskId: DEMO_TASK }), headers: { "content-type": "application/json" } }),
        awsRestEvent({ query: { SdkAppId: String(APP), TaskId: DEMO_TASK } }),
        awsHttpApiEvent({ query: { SdkAppId: "0x10", TaskId: DEMO_TASK } }),
        { SdkAppId: APP, TaskId: DEMO_TASK },
        albMultiValueEvent({ query: { SdkAppId: String(APP), TaskId: DEMO_TASK } }),
        s3Event,
      ],
      env(),
    );
    expect(alb).toMatchObject({ statusCode: 200, statusDescription: "200 OK", multiValueHeaders: { "content-type": ["application/json"] } });
    expect(alb).not.toHaveProperty("headers");
    expect(JSON.parse(alb.body)).toMatchObject({ ok: true, status: "InProgress" });
    expect(s3).toMatchObject({ ok: false, error: { code: "InvalidRequest.Event" } });
    expect(running.statusCode).toBe(200);
    expect(running.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(running.body)).toMatchObject({ ok: true, status: "InProgress", running: true, region: "ap-singapore" });
    expect(missing.statusCode).toBe(200);
    expect(JSON.parse(missing.body)).toMatchObject({ ok: true, status: "NotExist", running: false });
    expect(JSON.parse(posted.body)).toMatchObject({ ok: true, status: "InProgress" });
    expect(rest.statusCode).toBe(200);
    expect(invalid.statusCode).toBe(400);
    expect(JSON.parse(invalid.body).error.code).toBe("InvalidParameter.SdkAppId");
    expect(direct).toMatchObject({ ok: true, sdkAppId: APP, taskId: DEMO_TASK, status: "InProgress" });
  });

  it("answers InvalidConfiguration.Credentials (HTTP 500) when deployed without keys", async () => {
    const [answer] = await invoke("aws", [awsHttpApiEvent({ query: { SdkAppId: String(APP), TaskId: DEMO_TASK } })], {
      TRTC_ENDPOINT_URL: emulator.url,
      AWS_REGION: "ap-southeast-1",
      TENCENTCLOUD_SECRET_ID: "", // what serverless.yml deploys when the quick-start variables were not set
      TENCENTCLOUD_SECRET_KEY: "",
    });
    expect(answer.statusCode).toBe(500);
    expect(JSON.parse(answer.body).error.code).toBe("InvalidConfiguration.Credentials");
  });
});

describe("Tencent SCF zip: index.main_handler, Tencent events and SCF context, credentials from the function's role", () => {
  const env = () => ({
    TRTC_ENDPOINT_URL: emulator.url,
    // What SCF injects for a function with a role; no TENCENTCLOUD_SECRET_* set by the operator.
    TENCENTCLOUD_SECRETID: ROLE.secretId,
    TENCENTCLOUD_SECRETKEY: ROLE.secretKey,
    TENCENTCLOUD_SESSIONTOKEN: ROLE.token,
    SCF_RUNTIME: scfRuntime(),
    TENCENTCLOUD_REGION: "ap-singapore",
  });

  it("answers function URL GET and POST, and refuses a timer trigger's event", async () => {
    const [get, post, missing, timer] = await invoke(
      "scf",
      [
        tencentFunctionUrlEvent({ query: { SdkAppId: String(APP), TaskId: DEMO_TASK } }),
        tencentFunctionUrlEvent({ method: "POST", body: JSON.stringify({ SdkAppId: APP, TaskId: "no-such-task" }), headers: { "content-type": "application/json" } }),
        tencentFunctionUrlEvent({ query: { TaskId: DEMO_TASK } }),
        tencentTimerEvent,
      ],
      env(),
    );
    expect(get).toMatchObject({ statusCode: 200, headers: { "content-type": "application/json" } });
    expect(JSON.parse(get.body)).toMatchObject({ ok: true, status: "InProgress", running: true });
    expect(JSON.parse(post.body)).toMatchObject({ ok: true, status: "NotExist", running: false });
    expect(missing.statusCode).toBe(400);
    expect(JSON.parse(missing.body).error.code).toBe("MissingParameter.SdkAppId");
    expect(timer).toMatchObject({ ok: false, error: { code: "InvalidRequest.Event" } });
  });

  it("answers Tencent API Gateway (integrated response, existing triggers) and direct invocations", async () => {
    const [running, missing, posted, missingParam, direct, camel] = await invoke(
      "scf",
      [
        tencentApiGatewayEvent({ query: { SdkAppId: String(APP), TaskId: DEMO_TASK } }),
        tencentApiGatewayEvent({ query: { SdkAppId: String(APP), TaskId: "no-such-task" } }),
        tencentApiGatewayEvent({ method: "POST", body: JSON.stringify({ SdkAppId: APP, TaskId: DEMO_TASK }), headers: { "Content-Type": "application/json" } }),
        tencentApiGatewayEvent({ query: { SdkAppId: String(APP) } }),
        { SdkAppId: APP, TaskId: DEMO_TASK },
        { sdkAppId: String(APP), taskId: "no-such-task" },
      ],
      env(),
    );
    expect(running.statusCode).toBe(200);
    expect(JSON.parse(running.body)).toMatchObject({ ok: true, status: "InProgress", running: true });
    expect(JSON.parse(missing.body)).toMatchObject({ ok: true, status: "NotExist" });
    expect(JSON.parse(posted.body)).toMatchObject({ ok: true, status: "InProgress" });
    expect(missingParam.statusCode).toBe(400);
    expect(JSON.parse(missingParam.body).error.code).toBe("MissingParameter.TaskId");
    expect(direct).toMatchObject({ ok: true, status: "InProgress", requestId: expect.any(String) });
    expect(camel).toMatchObject({ ok: true, status: "NotExist" });
  });

  it("does not load the AWS SDK path on SCF (no Secrets Manager configured)", async () => {
    // No @aws-sdk anywhere in reach: had the bundle required it at load, the artifact would not even load.
    const [answer] = await invoke("scf", [{ SdkAppId: APP, TaskId: DEMO_TASK }], env());
    expect(answer).toMatchObject({ ok: true });
  });
});

describe("Tencent SCF zip as the callback function (deploy/scf/callback/serverless.yml): the same artifact, no role", () => {
  const callbackYml = yaml.load(readFileSync(join(ROOT, "deploy", "scf", "callback", "serverless.yml"), "utf8"));
  // What SCF gives a function without a role: its variables, the runtime's own, and no TENCENTCLOUD_SECRET* at all.
  const env = () => ({
    ...(callbackYml.inputs.environment.variables as Record<string, string>),
    TRTC_ENDPOINT_URL: emulator.url,
    SCF_RUNTIME: scfRuntime(),
    TENCENTCLOUD_REGION: "ap-singapore",
  });
  const fixture = (name: string) => JSON.parse(readFileSync(join(ROOT, "examples", "events", "callbacks", name), "utf8"));

  it("runs the SCF zip's handler", () => {
    expect(callbackYml.inputs.handler).toBe(artifacts.scf.handler);
    expect(callbackYml.inputs.runtime).toBe(scfRuntime());
  });

  it("cannot reach TRTC: a status query sent to its open URL is refused with no upstream request", async () => {
    const before = emulator.stats().requests;
    const [get, post, keyless] = await invoke(
      "scf",
      [
        tencentFunctionUrlEvent({ query: { SdkAppId: String(APP), TaskId: DEMO_TASK } }),
        tencentFunctionUrlEvent({ method: "POST", body: JSON.stringify({ SdkAppId: APP, TaskId: DEMO_TASK }), headers: { "content-type": "application/json" } }),
        // A real callback while no key is configured (the file ships with TRTC_CALLBACK_KEY commented out): refused.
        fixture("tencent-function-url-started.json"),
      ],
      env(),
    );
    for (const answer of [get, post]) {
      expect(answer.statusCode).toBe(500);
      expect(JSON.parse(answer.body).error.code).toBe("InvalidConfiguration.Credentials");
    }
    expect(keyless.statusCode).toBeGreaterThanOrEqual(400);
    expect(keyless.body).not.toContain('"code":0');
    expect(emulator.stats().requests).toBe(before);
  });
});
