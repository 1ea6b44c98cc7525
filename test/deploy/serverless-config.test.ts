/**
 * What the AWS deployment promises, read the way osls reads it: `osls print` for the resolved serverless.yml and
 * `osls package` for the CloudFormation template that would be deployed. Offline, no AWS credentials.
 *
 * Each osls run costs about a second of CPU, mostly loading osls, so params that do not interact share a run: the
 * prints below, one print with the three switch typos (osls names every variable it cannot resolve), and one package
 * with every optional part on. The template of the defaults is checked in artifacts.test.ts, which packages them anyway.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OSLS_BIN, oslsEnv, packageAws, scfRuntime } from "../../build/package";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require("js-yaml") as { load: (text: string) => any }; // the parser osls reads serverless.yml with
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require("asl-validator") as (definition: unknown, options?: { checkArn?: boolean; checkPaths?: boolean }) => { isValid: boolean; errorsText: (separator?: string) => string };

const ROOT = join(__dirname, "..", "..");
const ASL_FILE = join(ROOT, "examples", "step-functions", "poll-relay-task.asl.json");
const FUNCTION_ARN = { "Fn::GetAtt": ["DescribeStreamIngestLambdaFunction", "Arn"] };
const SECRET_ARN = "arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:trtc/prod/tencentcloud-AbCdEf";
const CALLBACK_KEY_REFERENCE = "{{resolve:secretsmanager:arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:trtc/prod/callback-AbCdEf:SecretString:CallbackKey}}";
const work = mkdtempSync(join(tmpdir(), "trtc-osls-"));

afterAll(() => rmSync(work, { recursive: true, force: true }));

type Run = { status: number | null; output: string; stdout: string };

function printRun(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [OSLS_BIN, "print", "--format", "json", ...args], { cwd: ROOT, env: oslsEnv() });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, output: stdout + stderr }));
  });
}

/**
 * The `osls print` runs, by the params they resolve. Params that do not interact share a run: callbackKey,
 * callbackRetentionSeconds and redisCluster set only environment variables, so they ride along with callbacks=true.
 */
const PRINTS = {
  defaults: [],
  openRoutes: ["--param=httpAuth=none"],
  callbacks: ["--param=callbacks=true", `--param=callbackKey=${CALLBACK_KEY_REFERENCE}`, "--param=callbackRetentionSeconds=86400", "--param=redisCluster=true"],
  openCallbacks: ["--param=callbacks=true", "--param=httpAuth=none"],
} satisfies Record<string, string[]>;
/** A typo in each true/false switch: osls must refuse all three, naming each (it lists every unresolved variable). */
const SWITCH_TYPOS = ["--param=stateMachine=yes", "--param=callbacks=yes", "--param=redisCluster=yes"];

/**
 * One `osls package` with every optional part on: callbacks (with a dynamic-reference key), the credentials secret,
 * the state machine, and reservedConcurrency=off. Each part adds or changes only its own resources, conditions and
 * variables, so each part's checks below hold as they did for a package with that part alone.
 */
const EVERY_OPTION = [
  "--param=callbacks=true",
  `--param=callbackKey=${CALLBACK_KEY_REFERENCE}`,
  `--param=credentialsSecretArn=${SECRET_ARN}`,
  "--param=reservedConcurrency=off",
  "--param=stateMachine=true",
];

const printed = {} as Record<keyof typeof PRINTS, any>;
let typos: Run;
let everyOption: { template: any; resources: Record<string, any> };

beforeAll(async () => {
  // The prints start first and run on in their own processes while the (synchronous) package runs: osls print
  // writes nothing into the service directory, so they cannot disturb it.
  const names = Object.keys(PRINTS) as Array<keyof typeof PRINTS>;
  const prints = Promise.all([printRun(SWITCH_TYPOS), ...names.map((name) => printRun(PRINTS[name]))]);
  packageAws(EVERY_OPTION, join(work, "every-option"));
  const template = JSON.parse(readFileSync(join(work, "every-option", "cloudformation-template-update-stack.json"), "utf8"));
  everyOption = { template, resources: template.Resources };

  const [typoRun, ...runs] = await prints;
  typos = typoRun!;
  runs.forEach((run, i) => {
    if (run.status !== 0) throw new Error(`osls print ${PRINTS[names[i]!].join(" ")} failed: ${run.output}`);
    printed[names[i]!] = JSON.parse(run.stdout.slice(run.stdout.indexOf("{")));
  });
}, 120_000);

/** The resolved serverless.yml for one of PRINTS (a copy: a test may not change what another reads). */
function print(name: keyof typeof PRINTS): any {
  return structuredClone(printed[name]);
}

/** The template packaged with EVERY_OPTION (a copy, like print's). */
function packagedWithEveryOption() {
  return structuredClone(everyOption);
}

/** The DefinitionSubstitutions placeholders (`${Name}`) a definition file uses. */
function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]))].sort();
}

const ENVIRONMENT = [
  "TRTC_REGION",
  "TRTC_ALLOWED_SDK_APP_IDS",
  "LOG_LEVEL",
  "TRTC_CREDENTIALS_SECRET_ID",
  "TRTC_CREDENTIALS_SECRET_TTL_SECONDS",
  "TENCENTCLOUD_SECRET_ID",
  "TENCENTCLOUD_SECRET_KEY",
  "TRTC_ENDPOINT_URL",
  // Fleet (docs/fleet.md): empty unless the redis params are given.
  "TRTC_REDIS_URL",
  "TRTC_REDIS_SCOPE",
  "TRTC_STATUS_CACHE_TTL_MS",
  "TRTC_REDIS_CLUSTER",
  // Callbacks (docs/callbacks.md): the key is empty unless given as a dynamic reference (else the secret's CallbackKey).
  "TRTC_CALLBACK_KEY",
  "TRTC_CALLBACK_RETENTION_SECONDS",
];

const STATUS_ROUTES = [
  { httpApi: { method: "GET", path: "/stream-ingest/status", authorizer: { type: "aws_iam" } } },
  { httpApi: { method: "POST", path: "/stream-ingest/status", authorizer: { type: "aws_iam" } } },
];

describe("osls print: the resolved serverless.yml", () => {
  it("runtime, handler, route, IAM auth and environment names", () => {
    const config = print("defaults");
    expect(config.provider.runtime).toBe("nodejs24.x");
    expect(config.provider.memorySize).toBe(256);
    expect(config.provider.timeout).toBe(15);
    expect(config.provider.logRetentionInDays).toBe(30);
    expect(Object.keys(config.provider.environment).sort()).toEqual([...ENVIRONMENT].sort());
    expect(config.provider.environment.TRTC_REGION).toBe("ap-singapore");
    const fn = config.functions.describeStreamIngest;
    expect(fn.handler).toBe("dist/describe-stream-ingest/index.handler");
    expect(fn.events).toEqual([
      { httpApi: { method: "GET", path: "/stream-ingest/status", authorizer: { type: "aws_iam" } } },
      { httpApi: { method: "POST", path: "/stream-ingest/status", authorizer: { type: "aws_iam" } } },
    ]);
    expect(fn.events).toEqual(STATUS_ROUTES);
    // Callbacks are off by default: no open route, the contract's retention, a plain Redis, no key.
    expect(config.provider.environment).toMatchObject({ TRTC_REDIS_CLUSTER: "false", TRTC_CALLBACK_KEY: "", TRTC_CALLBACK_RETENTION_SECONDS: "604800" });
    // One build: the package is the esbuild bundle, no plugin rebuilds it.
    expect(config.package.patterns).toEqual(["!**", "dist/describe-stream-ingest/index.js", "dist/describe-stream-ingest/fleet-redis.js"]);
    expect(config.plugins ?? []).not.toContain("serverless-esbuild");
  });

  it("deploys on the newest Node.js runtime osls's own schema accepts; the bundle still targets Node 20", () => {
    // osls validates provider.runtime against this enum (configValidationMode: error refuses anything else).
    const schema = readFileSync(join(ROOT, "node_modules", "osls", "lib", "plugins", "aws", "provider.js"), "utf8");
    const accepted = [...new Set([...schema.matchAll(/'nodejs(\d+)\.x'/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
    expect(accepted).toContain(24);
    expect(print("defaults").provider.runtime).toBe(`nodejs${accepted.at(-1)}.x`);
    expect(readFileSync(join(ROOT, "build", "build.ts"), "utf8")).toMatch(/target:\s*"node20"/);
  });

  it("opens the route with --param=httpAuth=none", () => {
    const config = print("openRoutes");
    for (const event of config.functions.describeStreamIngest.events) expect(event.httpApi.authorizer).toBeUndefined();
  });

  it("the stateMachine switch takes true or false only: a typo stops osls instead of quietly meaning off", () => {
    expect(typos.status).not.toBe(0);
    // osls names each variable it could not resolve: this one fails only on the stateMachine typo.
    expect(typos.output).toContain('Cannot resolve variable at "resources.Conditions.UseStateMachine');
  });

  it("--param=callbacks=true adds POST /stream-ingest/callback, open at the gateway, while the status route keeps IAM", () => {
    const config = print("callbacks");
    expect(config.functions.describeStreamIngest.events).toEqual([...STATUS_ROUTES, { httpApi: { method: "POST", path: "/stream-ingest/callback" } }]);
    // With httpAuth=none too: the same three routes, none with an authorizer.
    const open = print("openCallbacks");
    expect(open.functions.describeStreamIngest.events.map((event: any) => [event.httpApi.method, event.httpApi.path, event.httpApi.authorizer])).toEqual([
      ["GET", "/stream-ingest/status", undefined],
      ["POST", "/stream-ingest/status", undefined],
      ["POST", "/stream-ingest/callback", undefined],
    ]);
  });

  it("the callbacks and redisCluster switches take true or false only, like stateMachine", () => {
    // The same run as the stateMachine typo's: each of these variables fails only on its own switch's typo.
    expect(typos.status).not.toBe(0);
    for (const [param, where] of [["callbacks", "functions.describeStreamIngest.events"], ["redisCluster", "provider.environment.TRTC_REDIS_CLUSTER"]]) {
      expect(typos.output, param).toContain(`Cannot resolve variable at "${where}"`);
    }
    // "true" passes through: the next case's print shows it.
  });

  it("passes callbackKey, redisCluster and callbackRetentionSeconds to the function's environment", () => {
    const config = print("callbacks");
    expect(config.provider.environment).toMatchObject({
      TRTC_CALLBACK_KEY: CALLBACK_KEY_REFERENCE,
      TRTC_CALLBACK_RETENTION_SECONDS: "86400",
      TRTC_REDIS_CLUSTER: "true",
    });
  });
});

describe("osls package: the CloudFormation template with every optional part on (the defaults: artifacts.test.ts)", () => {
  it("--param=callbacks=true: the callback route to the same function, no authorizer; the key stays a dynamic reference", () => {
    const { template, resources } = packagedWithEveryOption();
    const routes = Object.values(resources).filter((r) => r.Type === "AWS::ApiGatewayV2::Route").map((r) => r.Properties);
    expect(routes.map((r) => [r.RouteKey, r.AuthorizationType ?? "NONE"]).sort()).toEqual([
      ["GET /stream-ingest/status", "AWS_IAM"],
      ["POST /stream-ingest/callback", "NONE"],
      ["POST /stream-ingest/status", "AWS_IAM"],
    ]);
    // One integration, one function: a callback lands where status queries do (same Redis, same record).
    expect(new Set(routes.map((r) => JSON.stringify(r.Target))).size).toBe(1);
    expect(Object.values(resources).filter((r) => r.Type === "AWS::Lambda::Function")).toHaveLength(1);
    expect(template.Conditions.UseCallbacks).toEqual({ "Fn::Equals": ["true", "true"] });
    expect(template.Outputs.StreamIngestCallbackUrl.Value["Fn::Join"][1].at(-1)).toBe("/stream-ingest/callback");
    // CloudFormation resolves the reference at deploy time: the template (and dist/aws/) holds only the reference.
    expect(resources.DescribeStreamIngestLambdaFunction.Properties.Environment.Variables.TRTC_CALLBACK_KEY).toBe(CALLBACK_KEY_REFERENCE);
    // The stage throttle covers the callback route too (no route of its own escapes it).
    expect(resources.HttpApiStage.Properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 20 });
    expect(resources.HttpApiStage.Properties.RouteSettings).toBeUndefined();
  });

  it("grants GetSecretValue on exactly the configured secret, and passes its ARN to the function", () => {
    const { template, resources } = packagedWithEveryOption();
    const policy = resources.TrtcCredentialsSecretReadPolicy;
    expect(policy.Condition).toBe("UseSecret");
    expect(policy.Properties.Roles).toEqual([{ Ref: "IamRoleLambdaExecution" }]);
    expect(policy.Properties.PolicyDocument.Statement).toEqual([{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: SECRET_ARN }]);
    expect(template.Conditions.UseSecret).toEqual({ "Fn::Not": [{ "Fn::Equals": [SECRET_ARN, ""] }] });
    expect(template.Conditions.ReserveConcurrency).toEqual({ "Fn::Not": [{ "Fn::Equals": ["off", "off"] }] });
    expect(resources.DescribeStreamIngestLambdaFunction.Properties.Environment.Variables.TRTC_CREDENTIALS_SECRET_ID).toBe(SECRET_ARN);
  });

  it("--param=stateMachine=true: the example state machine as is, invoking this function, with a role that may do only that", () => {
    const { template, resources } = packagedWithEveryOption();
    expect(template.Conditions.UseStateMachine).toEqual({ "Fn::Equals": ["true", "true"] });
    expect(resources.DescribeStreamIngestLambdaFunction.Type).toBe("AWS::Lambda::Function");

    const machine = resources.PollRelayTaskStateMachine;
    expect(machine).toMatchObject({ Type: "AWS::StepFunctions::StateMachine", Condition: "UseStateMachine" });
    expect(machine.Properties.RoleArn).toEqual({ "Fn::GetAtt": ["PollRelayTaskStateMachineRole", "Arn"] });
    // The definition is the example file, untouched by osls (its placeholder survives variable resolution) ...
    const aslText = readFileSync(ASL_FILE, "utf8");
    expect(machine.Properties.Definition).toEqual(JSON.parse(aslText));
    // ... and every placeholder it uses is substituted with this function's ARN.
    expect(placeholders(aslText)).toEqual(["DescribeStreamIngestFunctionArn"]);
    expect(machine.Properties.DefinitionSubstitutions).toEqual({ DescribeStreamIngestFunctionArn: FUNCTION_ARN });
    // After CloudFormation's substitution the definition is valid ASL, ARN included.
    const substituted = JSON.parse(aslText.replaceAll("${DescribeStreamIngestFunctionArn}", "arn:aws:lambda:ap-southeast-1:123456789012:function:trtc-stream-ingest-status-dev-describeStreamIngest"));
    const validation = aslValidator(substituted, { checkArn: true, checkPaths: true });
    expect(validation.errorsText("\n")).toBe("");

    const role = resources.PollRelayTaskStateMachineRole;
    expect(role).toMatchObject({ Type: "AWS::IAM::Role", Condition: "UseStateMachine" });
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "states.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } } },
      },
    ]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const statements = role.Properties.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement);
    expect(statements).toEqual([{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: FUNCTION_ARN }]);
    // Nothing else refers to the role: it is the state machine's alone.
    const users = Object.keys(resources).filter((id) => id !== "PollRelayTaskStateMachineRole" && JSON.stringify(resources[id]).includes("PollRelayTaskStateMachineRole"));
    expect(users).toEqual(["PollRelayTaskStateMachine"]);

    expect(template.Outputs.PollRelayTaskStateMachineArn).toMatchObject({ Condition: "UseStateMachine", Value: { Ref: "PollRelayTaskStateMachine" } });
  });
});

/**
 * The Node.js runtimes Tencent names for SCF event functions: tccli's CreateFunction description
 * (tccli/services/scf/v20180416/api.json, 2026-08: Nodejs6.10 … Nodejs18.15) and SCF's "Notes on Node.js" page
 * (583/11060), which adds Node.js 20.19. `Nodejs20.15`, which this file once named, is in neither.
 */
const SCF_NODE_RUNTIMES = ["Nodejs6.10", "Nodejs8.9", "Nodejs10.15", "Nodejs12.16", "Nodejs14.18", "Nodejs16.13", "Nodejs18.15", "Nodejs20.19"];

describe("deploy/scf/serverless.yml: the SCF deployment (Serverless Cloud Framework, component scf)", () => {
  const file = join(ROOT, "deploy", "scf", "serverless.yml");
  const config = yaml.load(readFileSync(file, "utf8"));
  const inputs = config.inputs;

  it("one event function on a runtime SCF has, the newest that runs a Node 20 bundle, named in one place", () => {
    expect(config.component).toBe("scf");
    expect(inputs.handler).toBe("index.main_handler");
    expect(SCF_NODE_RUNTIMES).toContain(inputs.runtime);
    const major = (name: string) => Number(/^Nodejs(\d+)\./.exec(name)![1]);
    expect(inputs.runtime).toBe(SCF_NODE_RUNTIMES.filter((name) => major(name) >= 20).at(-1));
    // npm run package and docs/deploy.md's tccli and console steps take it from there.
    expect(scfRuntime()).toBe(inputs.runtime);
    const docs = readFileSync(join(ROOT, "docs", "deploy.md"), "utf8");
    expect([...docs.matchAll(/--Runtime (\S+)/g)].map((m) => m[1])).toEqual([inputs.runtime]);
    expect(docs).not.toMatch(/Nodejs20\.15|Node\.js 20\.15/);
  });

  it("sets no environment variable without a value (SCF refuses an empty Value)", () => {
    const variables = inputs.environment.variables as Record<string, unknown>;
    expect(Object.keys(variables).sort()).toEqual(["LOG_LEVEL", "TRTC_REGION"]);
    for (const [name, value] of Object.entries(variables)) expect(typeof value === "string" && value.trim() !== "", name).toBe(true);
  });

  it("is reached through a function URL (trigger type http), internet-facing, CAM-protected, on $DEFAULT", () => {
    expect(inputs.events).toEqual([
      { http: { parameters: { qualifier: "$DEFAULT", authType: "CAM", netConfig: { enableIntranet: false, enableExtranet: true } } } },
    ]);
    expect(JSON.stringify(config)).not.toContain("apigw");
  });
});

describe("deploy/scf/callback/serverless.yml: TRTC's callbacks on SCF, a second function from the same zip", () => {
  const status = yaml.load(readFileSync(join(ROOT, "deploy", "scf", "serverless.yml"), "utf8"));
  const text = readFileSync(join(ROOT, "deploy", "scf", "callback", "serverless.yml"), "utf8");
  const config = yaml.load(text);
  const inputs = config.inputs;
  /** The variables a file names only in comments (`# NAME: value`): documented, left out until given a value. */
  const commented = (source: string) => [...source.matchAll(/^\s*#\s*([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]).sort();

  it("runs the status function's zip, handler and runtime, as another function of the same app", () => {
    expect(config.component).toBe("scf");
    expect(config.app).toBe(status.app);
    expect(config.name).not.toBe(status.name);
    expect(inputs.name).not.toBe(status.inputs.name);
    // The same directory `npm run package` writes, seen from one folder deeper.
    expect(join(ROOT, "deploy", "scf", "callback", inputs.src.src)).toBe(join(ROOT, "deploy", "scf", status.inputs.src.src));
    expect(inputs.handler).toBe(status.inputs.handler);
    expect(inputs.runtime).toBe(scfRuntime());
    expect(inputs.region).toBe(status.inputs.region);
    expect(inputs.environment.variables.TRTC_REGION).toBe(status.inputs.environment.variables.TRTC_REGION);
    // Answers a callback within 1 s; TRTC gives up on an answer after 5 s.
    expect(inputs.timeout).toBeLessThanOrEqual(5);
  });

  it("has no role: the open URL cannot reach TRTC, even with a status query", () => {
    expect(inputs.role).toBeUndefined();
    expect(status.inputs.role).toBe("SCF_TrtcStreamIngestStatus");
  });

  it("is reached through its own function URL with authType NONE, on $DEFAULT; the status URL keeps CAM", () => {
    expect(inputs.events).toEqual([
      { http: { parameters: { qualifier: "$DEFAULT", authType: "NONE", netConfig: { enableIntranet: false, enableExtranet: true } } } },
    ]);
    expect(status.inputs.events[0].http.parameters.authType).toBe("CAM");
  });

  it("sets no variable without a value; the key, allow-list and Redis are documented, commented out until filled in", () => {
    const variables = inputs.environment.variables as Record<string, unknown>;
    expect(Object.keys(variables).sort()).toEqual(["LOG_LEVEL", "TRTC_REGION"]);
    for (const [name, value] of Object.entries(variables)) expect(typeof value === "string" && value.trim() !== "", name).toBe(true);
    expect(commented(text)).toEqual([
      "TRTC_ALLOWED_SDK_APP_IDS",
      "TRTC_CALLBACK_KEY",
      "TRTC_CALLBACK_RETENTION_SECONDS",
      "TRTC_REDIS_CLUSTER",
      "TRTC_REDIS_SCOPE",
      "TRTC_REDIS_URL",
    ]);
    // The key comes from the deploying shell, never from this file.
    expect(text).toMatch(/^\s*# TRTC_CALLBACK_KEY: \$\{env:TRTC_CALLBACK_KEY\}$/m);
    // The status function documents the same Redis settings (records are shared only through Redis).
    const statusCommented = commented(readFileSync(join(ROOT, "deploy", "scf", "serverless.yml"), "utf8"));
    for (const name of ["TRTC_REDIS_URL", "TRTC_REDIS_SCOPE", "TRTC_REDIS_CLUSTER", "TRTC_CALLBACK_RETENTION_SECONDS"]) expect(statusCommented).toContain(name);
  });
});
