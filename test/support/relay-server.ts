/**
 * Runs the built relay on workerd (through Miniflare) as a real HTTP server on loopback, so that the
 * sandbox container can call its webhooks exactly as a container calls a deployed relay. Node-side only.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { ADMIN_KEY, MASTER_KEY } from "./constants";

const run = promisify(execFile);

/** Bundles the Worker exactly as `wrangler deploy` would; returns the script path. */
export async function buildRelay(outDir = mkdtempSync(join(tmpdir(), "relay-build-"))): Promise<string> {
  await run("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outDir], {
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
  });
  return join(outDir, "index.js");
}

export interface RelayServer {
  url: string;
  mf: Miniflare;
  close(): Promise<void>;
}

/** Starts the bundled relay; `persistDir` keeps Durable Object state across restarts. */
export async function startRelay(options: {
  scriptPath: string;
  config: unknown;
  persistDir?: string;
  port?: number;
  retryTimeScale?: string;
  /** Where the relay's outbound requests go instead of the network (tests: the test network). */
  outbound?: (request: Request) => Promise<Response>;
}): Promise<RelayServer> {
  const mf = new Miniflare({
    host: "127.0.0.1",
    port: options.port ?? 0,
    modules: true,
    scriptPath: options.scriptPath,
    modulesRoot: dirname(options.scriptPath),
    compatibilityDate: "2026-04-26",
    bindings: {
      RELAY_CONFIG: JSON.stringify(options.config),
      RETRY_TIME_SCALE: options.retryTimeScale ?? "1",
      RELAY_MASTER_KEY: MASTER_KEY,
      ADMIN_KEYS: createHash("sha256").update(ADMIN_KEY).digest("hex"),
    },
    // The Durable Objects exactly as wrangler.toml declares them.
    durableObjects: unstable_getMiniflareWorkerOptions("wrangler.toml").workerOptions.durableObjects,
    durableObjectsPersist: options.persistDir ?? false,
    ...(options.outbound && { outboundService: options.outbound }),
  });
  const url = (await mf.ready).toString().replace(/\/$/, "");
  return { url, mf, close: () => mf.dispose() };
}
