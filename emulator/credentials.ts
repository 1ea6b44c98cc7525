import type { EmulatorCredential } from "./types";

/** The documented demo key pair: safe to print, useless anywhere but here. */
export const DEMO_SECRET_ID = "AKIDLOCALEMULATOR00000000000000DEMO";
export const DEMO_SECRET_KEY = "LocalEmulatorDemoSecretKey0000000";

/** The pair from the environment the SDK and CLI read, else the demo pair. */
export function defaultCredentials(env: NodeJS.ProcessEnv = process.env): EmulatorCredential[] {
  const secretId = env.TENCENTCLOUD_SECRET_ID;
  const secretKey = env.TENCENTCLOUD_SECRET_KEY;
  if (secretId && secretKey) {
    const token = env.TENCENTCLOUD_SESSION_TOKEN;
    return [token ? { secretId, secretKey, token } : { secretId, secretKey }];
  }
  return [{ secretId: DEMO_SECRET_ID, secretKey: DEMO_SECRET_KEY }];
}

/** The emulator's CAM: SecretId → key, optional session token, account. */
export class CredentialStore {
  private readonly bySecretId = new Map<string, EmulatorCredential>();

  constructor(initial: EmulatorCredential[]) {
    for (const credential of initial) this.add(credential);
  }

  /** Adds or replaces the credential with this SecretId. */
  add(credential: EmulatorCredential): void {
    if (!credential || typeof credential.secretId !== "string" || !credential.secretId) {
      throw new TypeError("credential.secretId must be a non-empty string");
    }
    if (typeof credential.secretKey !== "string" || !credential.secretKey) {
      throw new TypeError("credential.secretKey must be a non-empty string");
    }
    this.bySecretId.set(credential.secretId, { ...credential });
  }

  find(secretId: string): EmulatorCredential | undefined {
    return this.bySecretId.get(secretId);
  }

  expireToken(secretId: string): void {
    const credential = this.bySecretId.get(secretId);
    if (!credential) throw new Error(`unknown SecretId ${secretId}`);
    credential.expired = true;
  }

  /** The account a credential's requests are rate-limited under. */
  static accountOf(credential: EmulatorCredential): string {
    return credential.account ?? credential.secretId;
  }
}
