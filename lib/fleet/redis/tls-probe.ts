/**
 * Why a cluster could not be reached over TLS. A cluster client fetches its map of slots on connections of its own
 * whose errors it does not pass on, so a refused certificate (a private CA not in NODE_EXTRA_CA_CERTS) would only
 * show as "no node reachable". One TLS handshake to the URL's node, made once after such a failure, names it.
 */
import tls from "node:tls";
import type { StoreFault } from "../store";
import { faultKind } from "./faults";

/** "tls" when the handshake with host:port fails on its certificate (or its TLS), else undefined. */
export function probeTls(host: string, port: number, timeoutMs: number): Promise<StoreFault | undefined> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port });
    const done = (kind: StoreFault | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(kind);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.once("secureConnect", () => done(undefined));
    socket.once("error", (error) => done(faultKind(error) === "tls" ? "tls" : undefined));
  });
}
