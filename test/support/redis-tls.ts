/**
 * Certificates for TLS tests, made with `openssl` in a temporary directory: a private CA and a server certificate it
 * signed (for 127.0.0.1 and localhost), as a managed Redis's would be, and a second pair from another CA that nobody
 * trusts. Containers trust the private CA the way Lambda and SCF functions do: NODE_EXTRA_CA_CERTS in their
 * environment (read by Node at start-up).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** What redis-server needs for TLS (the CA file is the one clients should trust). */
export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

export interface TestCertificates {
  /** Signed by the private CA that containers trust (NODE_EXTRA_CA_CERTS = trusted.ca). */
  trusted: TlsFiles;
  /** Signed by another CA, trusted by nobody. */
  untrusted: TlsFiles;
  remove(): void;
}

const openssl = (dir: string, args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

function authority(dir: string, name: string): TlsFiles {
  openssl(dir, ["req", "-x509", ...EC, "-keyout", `${name}-ca.key`, "-out", `${name}-ca.crt`, "-days", "2", "-subj", `/CN=trtc test ${name} CA`]);
  openssl(dir, ["req", ...EC, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", "/CN=localhost"]);
  writeFileSync(join(dir, `${name}.ext`), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  openssl(dir, ["x509", "-req", "-in", `${name}.csr`, "-CA", `${name}-ca.crt`, "-CAkey", `${name}-ca.key`, "-CAcreateserial", "-out", `${name}.crt`, "-days", "2", "-extfile", `${name}.ext`]);
  return { ca: join(dir, `${name}-ca.crt`), cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), "trtc-tls-"));
  return { trusted: authority(dir, "trusted"), untrusted: authority(dir, "untrusted"), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** redis-server arguments for TLS only (no plain port) with `files`; clients are not asked for certificates. */
export function tlsArgs(port: number, files: TlsFiles): string[] {
  return ["--port", "0", "--tls-port", String(port), "--tls-cert-file", files.cert, "--tls-key-file", files.key, "--tls-ca-cert-file", files.ca, "--tls-auth-clients", "no"];
}
