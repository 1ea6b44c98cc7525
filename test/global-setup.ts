/** Builds the bundle once, so integration tests exercise the real build output. */
import { buildBundle } from "../build/build";

export default async function setup(): Promise<void> {
  await buildBundle();
}
