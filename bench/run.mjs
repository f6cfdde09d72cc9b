// @ts-check
/**
 * `npm run bench`: what the relay costs per request next to a Worker that does nothing, and how soon
 * what it accepted reaches the other side.
 *
 * 1. Bundles the Worker exactly as `wrangler deploy` would, and reports the bundle's size.
 * 2. Runs it on raw `workerd serve` (no Miniflare, no `wrangler dev`: nothing Node-side in the request
 *    path), with SQLite Durable Objects on a fresh temporary directory, next to a bare baseline worker.
 * 3. Loads three scenarios with autocannon: the bare worker, inbound platform webhooks, and sends.
 * 4. After each relay scenario, waits until the sandbox business backend has every event the relay
 *    acknowledged and the sandbox WhatsApp container every message the relay accepted: acknowledging
 *    fast means little if delivery then lags behind.
 *
 * Environment: BENCH_SECONDS (load per scenario, default 10), BENCH_CONNECTIONS (default 10),
 * BENCH_DRAIN_CAP_SECONDS (longest wait for deliveries after each scenario, default 60).
 * Everything listens on 127.0.0.1; nothing leaves the machine.
 */
// @ts-expect-error -- autocannon 8 ships no type declarations
import autocannon from "autocannon";
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { arch, cpus, platform, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { startBackend } from "../sandbox/business-backend.js";
import { startContainer } from "../sandbox/whatsapp-container.js";
import { ROOT, WORKERD_VERSION, buildRelay, freePort, loadFixtures, sleep, spawnWorkerd, writeWorkerdConfig } from "./workerd.mjs";

const require = createRequire(import.meta.url);

/**
 * @param {string} name
 * @param {number} fallback
 */
function envNumber(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
}

const SECONDS = envNumber("BENCH_SECONDS", 10);
const CONNECTIONS = Math.round(envNumber("BENCH_CONNECTIONS", 10));
const DRAIN_CAP_SECONDS = envNumber("BENCH_DRAIN_CAP_SECONDS", 60);
/** Distinct customers per scenario: each is a conversation (its own Durable Object, delivered in order). */
const PEERS = Math.round(envNumber("BENCH_PEERS", 1000));
/**
 * Production timing: a failed delivery is retried after the real backoff, so a lost or slow delivery
 * shows up as a long tail in the delivery table instead of being hidden by shrunken retries.
 */
const RETRY_TIME_SCALE = "1";

/** The tenant's account the scenarios use: the tests' "acme" tenant sends from it by default. */
const ACCOUNT = "wa-acme";

// ---------------------------------------------------------------------------------------------------
// Processes and temporary files, cleaned up on every way out: normal end, error, Ctrl-C, SIGTERM.

/** @type {string[]} */
const tempDirs = [];
/** @type {import("node:child_process").ChildProcess | undefined} */
let workerd;
/** @type {Array<() => Promise<void>>} */
const closers = [];

/** Synchronous, so that it also runs from the process "exit" event (after Ctrl-C or a crash). */
function removeProcessesAndFiles() {
  if (workerd && workerd.exitCode === null && workerd.signalCode === null) workerd.kill("SIGKILL");
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
process.on("exit", removeProcessesAndFiles);
for (const [signal, code] of /** @type {const} */ ([["SIGINT", 130], ["SIGTERM", 143]])) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping workerd and removing temporary files`);
    process.exit(code); // the "exit" handler does the rest
  });
}

/** The orderly version: lets workerd stop by itself, closes the sandbox servers. */
async function cleanUp() {
  if (workerd && workerd.exitCode === null && workerd.signalCode === null) {
    const exited = new Promise((resolve) => workerd?.once("exit", resolve));
    workerd.kill("SIGTERM");
    await Promise.race([exited, sleep(3000)]);
  }
  await Promise.allSettled(closers.splice(0).map((close) => close()));
  removeProcessesAndFiles();
}

/** @param {string} prefix */
function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

// ---------------------------------------------------------------------------------------------------
// Build and run.

/**
 * Starts `workerd serve` on a generated config and waits until both sockets accept connections.
 * @param {string} dir holds config.capnp and the modules it embeds; workerd.log is written here
 * @param {Parameters<typeof writeWorkerdConfig>[1] & { barePort: number }} options
 */
async function startWorkerd(dir, options) {
  writeWorkerdConfig(dir, options);
  const logPath = join(dir, "workerd.log");
  workerd = await spawnWorkerd({ dir, logPath, ports: [options.relayPort, options.barePort] });
  return { logPath };
}

// ---------------------------------------------------------------------------------------------------
// Load.

/**
 * @typedef {object} LoadResult
 * @property {string} name
 * @property {number} rps responses per second over the run
 * @property {number} p50 ms
 * @property {number} p99 ms
 * @property {number} responses
 * @property {number} non2xx
 * @property {number} errors connection errors and timeouts
 * @property {Record<string, number>} statuses count per non-2xx status
 * @property {number} start epoch ms
 * @property {number} end epoch ms
 */

/**
 * Runs autocannon against one URL. Latencies are collected here, from every response, rather than
 * taken from autocannon's histogram: that one counts whole milliseconds (the bare worker answers in
 * less than one) and only 2xx answers.
 * @param {string} name
 * @param {string} url
 * @param {Record<string, unknown>} request autocannon request: method, path, headers, body, setupRequest, onResponse
 * @returns {Promise<LoadResult>}
 */
async function load(name, url, request) {
  /** @type {number[]} */
  const latencies = [];
  const start = Date.now();
  const instance = autocannon({ url, connections: CONNECTIONS, duration: SECONDS, requests: [request] });
  instance.on("response", (/** @type {unknown} */ _client, /** @type {number} */ _status, /** @type {number} */ _bytes, /** @type {number} */ ms) =>
    latencies.push(ms),
  );
  const result = await instance;
  const end = Date.now();
  latencies.sort((a, b) => a - b);
  const pct = (/** @type {number} */ p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  /** @type {Record<string, number>} */
  const statuses = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) {
    if (!code.startsWith("2")) statuses[code] = Number(count);
  }
  return {
    name,
    rps: latencies.length / result.duration,
    p50: pct(50),
    p99: pct(99),
    responses: latencies.length,
    non2xx: result.non2xx,
    errors: result.errors,
    statuses,
    start,
    end,
  };
}

/** A run tag, so that ids never repeat across runs (each run has fresh storage anyway). */
const RUN = randomBytes(4).toString("hex");

/**
 * A customer number for request `seq`: PEERS of them in rotation, so load spreads over conversations.
 * @param {number} base
 * @param {number} seq
 */
const peer = (base, seq) => `49${base + (seq % PEERS)}`;

/**
 * The body the WhatsApp On-Premises container posts for one customer message.
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/webhooks/inbound
 * @param {string} id
 * @param {string} from
 */
function inboundBody(id, from) {
  return JSON.stringify({
    contacts: [{ profile: { name: "Bench Customer" }, wa_id: from }],
    messages: [{ from, id, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "Hello from the benchmark" } }],
  });
}

// ---------------------------------------------------------------------------------------------------
// Delivery: what the relay acknowledged, followed until it arrives on the other side.

/**
 * @typedef {object} Flow
 * @property {string} name
 * @property {Set<string>} expected keys of what the relay acknowledged
 * @property {() => Array<{ receivedAt: string }>} items the receiving sandbox's live list
 * @property {(item: any) => string | undefined} key the item's key, comparable with `expected`
 * @property {Map<string, number>} arrived key → arrival time (epoch ms), first arrival only
 * @property {number} duplicates expected keys that arrived more than once
 * @property {number} cursor items already looked at
 */

/**
 * @param {string} name
 * @param {Set<string>} expected
 * @param {Flow["items"]} items
 * @param {Flow["key"]} key
 * @returns {Flow}
 */
const flow = (name, expected, items, key) => ({ name, expected, items, key, arrived: new Map(), duplicates: 0, cursor: 0 });

/**
 * Waits until every flow has all it expects, or the cap. Reads the sandbox servers' in-process state
 * (the very objects their `/_sandbox/*` control APIs serialize): polling those APIs would re-serialize
 * every event received so far, many MB, in the same process as the backend being measured.
 * @param {Flow[]} flows
 */
async function waitForDelivery(flows) {
  const until = Date.now() + DRAIN_CAP_SECONDS * 1000;
  for (;;) {
    for (const f of flows) {
      const items = f.items();
      for (; f.cursor < items.length; f.cursor++) {
        const item = /** @type {{ receivedAt: string }} */ (items[f.cursor]);
        const k = f.key(item);
        if (k === undefined || !f.expected.has(k)) continue;
        if (f.arrived.has(k)) f.duplicates++;
        else f.arrived.set(k, Date.parse(item.receivedAt));
      }
    }
    if (flows.every((f) => f.arrived.size >= f.expected.size) || Date.now() > until) return;
    await sleep(100);
  }
}

/**
 * @param {Flow} f
 * @param {LoadResult} load the scenario whose acknowledged work this flow follows
 */
function deliveryRow(f, load) {
  const last = Math.max(...f.arrived.values());
  const delivered = f.arrived.size;
  return {
    name: f.name,
    accepted: f.expected.size,
    delivered,
    pending: f.expected.size - delivered,
    perSecond: delivered > 0 ? delivered / ((last - load.start) / 1000) : 0,
    // 0 when the last one arrived while the load was still running: delivery kept pace.
    lagSeconds: delivered > 0 ? Math.max(0, (last - load.end) / 1000) : NaN,
    duplicates: f.duplicates,
  };
}

// ---------------------------------------------------------------------------------------------------
// Output.

/**
 * @param {number} n
 * @param {number} [digits]
 */
const num = (n, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }) : "-";

/**
 * A fixed-width table: the first column left-aligned, the others right-aligned.
 * @param {string[]} header
 * @param {string[][]} rows
 */
function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (/** @type {string[]} */ cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

// ---------------------------------------------------------------------------------------------------

async function main() {
  const benchStart = Date.now();
  const work = tempDir("relay-bench-");
  const doDir = join(work, "do");
  mkdirSync(doDir);

  const [relayScript, fixtures] = await Promise.all([buildRelay(work), loadFixtures(work)]);
  const { ACCESS, CONTAINER_LOGIN, ENDPOINT_SECRET, TEST_KEYS, WEBHOOK_SECRET } = fixtures;
  const bundle = readFileSync(relayScript);
  copyFileSync(join(ROOT, "bench", "bare-worker.js"), join(work, "bare-worker.js"));

  // statuses: [] — with the default sent/delivered/read callbacks, every accepted message would make the
  // container post three more webhooks to the relay, one at a time, while the sends are measured.
  const container = await startContainer({ ...CONTAINER_LOGIN, access: ACCESS, statusDelayMs: 1, statuses: [], quiet: true });
  closers.push(container.close);
  const backend = await startBackend({ secret: ENDPOINT_SECRET, quiet: true });
  closers.push(backend.close);

  const [relayPort, barePort] = [await freePort(), await freePort()];
  const { logPath } = await startWorkerd(work, {
    relayModule: "index.js",
    bareModule: "bare-worker.js",
    relayPort,
    barePort,
    doDir,
    // accessTeamUrl serves the "wa-acme-access" account only, which the bench never calls: nothing listens there.
    relayConfig: JSON.stringify(
      fixtures.relayConfig({ containerUrl: container.url, backendUrl: backend.url, accessTeamUrl: "http://127.0.0.1:9", platformUrls: {} }),
    ),
    retryTimeScale: RETRY_TIME_SCALE,
  });
  const relayUrl = `http://127.0.0.1:${relayPort}`;
  const webhookPath = `/webhooks/whatsapp/${ACCOUNT}?secret=${encodeURIComponent(WEBHOOK_SECRET)}`;
  const json = { "content-type": "application/json" };
  let seq = 0;

  process.stderr.write(`bench: ${SECONDS} s per scenario, ${CONNECTIONS} connections\n`);

  // 1. Baseline: the same kind of POST body, to a worker that only reads it.
  process.stderr.write("bench: bare worker...\n");
  const bare = await load("bare worker, POST", `http://127.0.0.1:${barePort}`, {
    method: "POST",
    path: "/",
    headers: json,
    body: inboundBody(`ABGGbare${RUN}`, peer(1_500_000_000, 0)),
  });

  // 2. Inbound: every request a new platform message id (or the relay dedupes it), from PEERS customers.
  process.stderr.write("bench: inbound webhook ingest...\n");
  /** @type {Set<string>} platform message ids the relay acknowledged with 200 */
  const ingested = new Set();
  const ingest = await load("inbound webhook ingest", relayUrl, {
    method: "POST",
    path: webhookPath,
    headers: json,
    // The context lives from one request's setup to its response (one request in flight per connection).
    setupRequest(/** @type {any} */ req, /** @type {any} */ context) {
      const n = seq++;
      context.id = `ABGG${RUN}${n}`;
      return { ...req, body: inboundBody(context.id, peer(1_500_000_000, n)) };
    },
    onResponse(/** @type {number} */ status, /** @type {string} */ _body, /** @type {any} */ context) {
      if (status === 200) ingested.add(context.id);
    },
  });
  process.stderr.write(`bench: waiting for ${num(ingested.size)} events to reach the backend...\n`);
  const inboundFlow = flow("inbound events -> backend", ingested, () => backend.state.events, (e) =>
    e.payload?.type === "message.received" ? e.payload.message?.platformMessageId : undefined,
  );
  await waitForDelivery([inboundFlow]);

  // 3. Sends: the seed's API, to PEERS recipients, each text unique so the container's copy can be matched.
  process.stderr.write("bench: sends accepted...\n");
  /** @type {Set<string>} texts of accepted messages */
  const acceptedTexts = new Set();
  /** @type {Set<string>} relay message ids of accepted messages */
  const acceptedIds = new Set();
  const sends = await load("sends accepted", relayUrl, {
    method: "POST",
    path: "/api/v7/chat",
    headers: { ...json, authorization: `Bearer ${TEST_KEYS.acme}` },
    setupRequest(/** @type {any} */ req, /** @type {any} */ context) {
      const n = seq++;
      context.text = `bench ${RUN} #${n}`;
      return { ...req, body: JSON.stringify({ id: peer(1_600_000_000, n), message: context.text }) };
    },
    onResponse(/** @type {number} */ status, /** @type {string} */ body, /** @type {any} */ context) {
      if (status !== 202) return;
      acceptedTexts.add(context.text);
      acceptedIds.add(JSON.parse(body).id);
    },
  });
  process.stderr.write(`bench: waiting for ${num(acceptedTexts.size)} messages to reach the container...\n`);
  const sendFlow = flow("accepted sends -> container", acceptedTexts, () => container.state.messages, (m) => m.body?.text?.body);
  const sentFlow = flow("'sent' statuses -> backend", acceptedIds, () => backend.state.events, (e) =>
    e.payload?.type === "message.status" && e.payload.status?.status === "sent" ? e.payload.status.messageId : undefined,
  );
  await waitForDelivery([sendFlow, sentFlow]);

  // The control APIs, once: they must agree with the in-process state the waits read.
  const backendView = /** @type {{ events: unknown[], rejected: number }} */ (await (await fetch(`${backend.url}/_sandbox/events`)).json());
  const containerView = /** @type {{ messages: unknown[], logins: number }} */ (await (await fetch(`${container.url}/_sandbox/state`)).json());
  const relayLog = readFileSync(logPath, "utf8").split("\n").filter((l) => l.trim() !== "");
  await cleanUp();

  // --- Report ----------------------------------------------------------------------------------------
  const cpu = cpus();
  const out = [];
  out.push("Messenger Relay benchmark");
  out.push(
    `machine: ${cpu.length} CPU (${cpu[0]?.model.trim() ?? "?"}), ${platform()} ${arch()}, ${num(totalmem() / 2 ** 30, 1)} GiB; ` +
      `node ${process.version}; workerd ${WORKERD_VERSION}; autocannon ${require("autocannon/package.json").version}`,
  );
  out.push(`bundle:  ${num(bundle.length)} bytes, ${num(gzipSync(bundle).length)} gzipped (wrangler deploy --dry-run)`);
  out.push("");
  out.push(`Load: ${CONNECTIONS} connections, ${SECONDS} s per scenario; latency over every response; ratios relay / bare`);
  const loads = [bare, ingest, sends];
  out.push(
    table(
      ["scenario", "req/s", "p50 ms", "p99 ms", "non-2xx", "errors", "req/s vs bare", "p50 vs bare", "p99 vs bare"],
      loads.map((l) => [
        l.name,
        num(l.rps),
        num(l.p50, 2),
        num(l.p99, 2),
        num(l.non2xx),
        num(l.errors),
        num(l.rps / bare.rps, 3),
        `${num(l.p50 / bare.p50, 1)}x`,
        `${num(l.p99 / bare.p99, 1)}x`,
      ]),
    ),
  );
  for (const l of loads) {
    if (Object.keys(l.statuses).length > 0) {
      out.push(`  ${l.name}: ${Object.entries(l.statuses).map(([code, n]) => `${n} x HTTP ${code}`).join(", ")}`);
    }
  }
  out.push("");
  out.push(`Delivery: per second from load start to the last arrival; waited at most ${DRAIN_CAP_SECONDS} s after each scenario`);
  const rows = [deliveryRow(inboundFlow, ingest), deliveryRow(sendFlow, sends), deliveryRow(sentFlow, sends)];
  out.push(
    table(
      ["flow", "acknowledged", "arrived", "pending", "per s", "last arrival after load end", "duplicates"],
      rows.map((r) => [r.name, num(r.accepted), num(r.delivered), num(r.pending), num(r.perSecond), `${num(r.lagSeconds, 1)} s`, num(r.duplicates)]),
    ),
  );
  out.push("");
  out.push("Notes:");
  out.push("- The container sends no status callbacks (statuses: []): with sent/delivered/read on, each accepted message");
  out.push("  would add three webhooks to the relay during the send scenario. The relay's own 'sent' event still flows.");
  out.push(`- RETRY_TIME_SCALE=${RETRY_TIME_SCALE}: failed deliveries wait the production backoff. ${PEERS} customers per scenario.`);
  out.push(`- Durable Objects are SQLite files under ${tmpdir()} (TMPDIR), fsynced on every commit: this machine's disk, not`);
  out.push("  Cloudflare's storage. TMPDIR=/dev/shm shows the relay without the disk.");
  out.push(
    `- Control APIs at the end: backend ${num(backendView.events.length)} events (${backendView.rejected} rejected), ` +
      `container ${num(containerView.messages.length)} messages, ${containerView.logins} login(s).`,
  );
  out.push(`- Relay log (workerd stdout/stderr): ${relayLog.length} line(s)${relayLog.length ? ", first ones:" : "."}`);
  for (const line of relayLog.slice(0, 5)) out.push(`    ${line.slice(0, 160)}`);
  out.push(`- Total bench time ${num((Date.now() - benchStart) / 1000)} s.`);
  console.log(out.join("\n"));
  // Numbers about error answers measure nothing: fail, so that a broken setup is not taken for a result.
  const broken = [ingest, sends].filter((l) => l.responses - l.non2xx === 0);
  if (broken.length > 0) throw new Error(`the relay accepted nothing in: ${broken.map((l) => l.name).join(", ")} (see the relay log above)`);
}

try {
  await main();
} catch (e) {
  console.error(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
// autocannon and fetch may keep sockets referenced for a moment; the work is done.
process.exit();
