// @ts-check
/**
 * `npm run bench`: what the relay costs per request next to a Worker that does nothing, and how soon
 * what it accepted reaches the other side.
 *
 * 1. Bundles the Worker exactly as `wrangler deploy` would, and reports the bundle's size.
 * 2. Runs it on raw `workerd serve` (no Miniflare, no `wrangler dev`: nothing Node-side in the request
 *    path), with SQLite Durable Objects on a fresh temporary directory, next to a bare baseline worker.
 * 3. Loads the scenarios one after the other, each with its own customers and ids so that what it
 *    sent can be followed: the bare worker; the bare worker storing each POST in one Durable Object
 *    (the floor of any acknowledgement that follows a durable write); inbound webhooks of one message,
 *    then of many (as the container batches them under load); sends through `/api/v7/chat` without and
 *    with the container's status callbacks; a thousand messages to one customer; a broadcast through
 *    `/v1/messages/batch` with one-to-one replies sent while it is handed over.
 * 4. After each relay scenario, waits until the sandbox business backend has every event the relay
 *    acknowledged and the sandbox WhatsApp container every message the relay accepted: acknowledging
 *    fast means little if delivery then lags behind.
 * 5. Reads workerd's own CPU time at each scenario's boundaries (Linux), writes every figure to
 *    bench/results/latest.json, compares them with the previous run's, and checks them against targets.
 *
 * Environment: BENCH_SECONDS (load per timed scenario, default 10), BENCH_CONNECTIONS (default 10),
 * BENCH_DRAIN_CAP_SECONDS (longest wait for deliveries after each scenario, default 60), BENCH_PEERS
 * (customers per scenario, default 1000), BENCH_EVENT_WEBHOOKS and BENCH_EVENTS_PER_WEBHOOK (the
 * many-message ingest: default 500 webhooks of 20), BENCH_HOT (messages to one customer, default 1000),
 * BENCH_BROADCAST (recipients, default 10000), BENCH_REPLIES (one-to-one sends during it, default 5),
 * BENCH_RESULTS (the results file, default bench/results/latest.json).
 * Everything listens on 127.0.0.1; nothing leaves the machine.
 */
// @ts-expect-error -- autocannon 8 ships no type declarations
import autocannon from "autocannon";
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createRequire } from "node:module";
import { arch, cpus, platform, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { startBackend } from "../sandbox/business-backend.js";
import { startContainer } from "../sandbox/whatsapp-container.js";
import { CLOCK_TICKS, processCpuMs } from "./cpu.mjs";
import { comparisonRows, readPrevious, writeResults } from "./results.mjs";
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
 * Webhooks of the many-message ingest, and messages in each: under load the container puts several
 * customer messages in one callback, so the relay stores events faster than one webhook each would
 * let it, and its delivery to the business endpoint is what is measured.
 */
const EVENT_WEBHOOKS = Math.round(envNumber("BENCH_EVENT_WEBHOOKS", 500));
const EVENTS_PER_WEBHOOK = Math.round(envNumber("BENCH_EVENTS_PER_WEBHOOK", 20));
/** Messages to one customer, one request at a time: the acceptance order is then the order to check. */
const HOT = Math.round(envNumber("BENCH_HOT", 1000));
/** Recipients of the broadcast, sent in batches of the batch endpoint's maximum. */
const BROADCAST = Math.round(envNumber("BENCH_BROADCAST", 10_000));
const BROADCAST_BATCH = 1000;
/** One-to-one sends made while the broadcast is handed over, and the pause between them. */
const REPLIES = Math.round(envNumber("BENCH_REPLIES", 5));
const REPLY_SPACING_MS = 500;
const RESULTS_PATH = resolve(process.env.BENCH_RESULTS || join(ROOT, "bench", "results", "latest.json"));
/**
 * Production timing: a failed delivery is retried after the real backoff, so a lost or slow delivery
 * shows up as a long tail in the delivery table instead of being hidden by shrunken retries.
 */
const RETRY_TIME_SCALE = "1";

/** The tenant's account the scenarios use: the tests' "acme" tenant sends from it by default. */
const ACCOUNT = "wa-acme";
/**
 * Its sending rate, where the relay's configuration has one: high enough that the broadcast measures the
 * relay's handover to the container, not a limiter set for a real number's quality rating.
 */
const ACCOUNT_RATE_PER_SECOND = 2000;
/**
 * The tests' second tenant's only account, pointed at a container of its own that posts sent, delivered
 * and read for every message: the status callbacks then load the relay only in the scenario that
 * measures them.
 */
const STATUS_ACCOUNT = "wa-globex";

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

/**
 * workerd's CPU time so far (ms, every thread: the relay's isolate, its Durable Objects and SQLite), NaN
 * off Linux. Node's share (autocannon, the sandbox servers) is not in it.
 */
const workerdCpuMs = () => processCpuMs(workerd?.pid);

/**
 * @typedef {{ tenants: Array<{ id: string, accounts: Array<Record<string, any>> }> } & Record<string, unknown>} MutableConfig
 */

/**
 * The tests' configuration, changed only where the benchmark needs it: the sending rate of ACCOUNT (when
 * the relay knows account rates) and STATUS_ACCOUNT's container. Each change is made on the one account
 * object it names, found by id, so no other account or tenant is touched.
 * @param {unknown} tests the configuration of test/support/fixtures-config.ts
 * @param {{ rate: boolean, statusContainerUrl: string }} o
 * @returns {MutableConfig}
 */
function benchConfig(tests, o) {
  const config = /** @type {MutableConfig} */ (structuredClone(tests));
  const accounts = config.tenants.flatMap((t) => t.accounts);
  const account = (/** @type {string} */ id) => {
    const found = accounts.find((a) => a.id === id);
    if (!found || typeof found !== "object") throw new Error(`the tests' configuration has no account '${id}'`);
    return found;
  };
  if (o.rate) {
    const acme = account(ACCOUNT);
    acme.rate = { ...(typeof acme.rate === "object" ? acme.rate : {}), perSecond: ACCOUNT_RATE_PER_SECOND };
  }
  const globex = account(STATUS_ACCOUNT);
  globex.container = { ...globex.container, origin: o.statusContainerUrl };
  return config;
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
 * @property {number} cpuStart workerd's CPU ms when the load started
 * @property {number} cpuEnd workerd's CPU ms when it ended
 */

/**
 * Runs autocannon against one URL, for SECONDS or for `amount` requests. Latencies are collected here,
 * from every response, rather than taken from autocannon's histogram: that one counts whole
 * milliseconds (the bare worker answers in less than one) and only 2xx answers.
 * @param {string} name
 * @param {string} url
 * @param {Record<string, unknown>} request autocannon request: method, path, headers, body, setupRequest, onResponse
 * @param {{ amount?: number, connections?: number }} [size] a number of requests instead of SECONDS
 * @returns {Promise<LoadResult>}
 */
async function load(name, url, request, size = {}) {
  /** @type {number[]} */
  const latencies = [];
  const connections = size.connections ?? CONNECTIONS;
  const cpuStart = workerdCpuMs();
  const start = Date.now();
  const instance = autocannon({
    url,
    connections,
    ...(size.amount !== undefined ? { amount: size.amount } : { duration: SECONDS }),
    requests: [request],
  });
  instance.on("response", (/** @type {unknown} */ _client, /** @type {number} */ _status, /** @type {number} */ _bytes, /** @type {number} */ ms) =>
    latencies.push(ms),
  );
  const result = await instance;
  const end = Date.now();
  const cpuEnd = workerdCpuMs();
  latencies.sort((a, b) => a - b);
  const pct = (/** @type {number} */ p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  /** @type {Record<string, number>} */
  const statuses = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) {
    if (!code.startsWith("2")) statuses[code] = Number(count);
  }
  return {
    name,
    // autocannon's own duration (whole seconds when timed); a run of `amount` requests is timed here.
    rps: latencies.length / (size.amount !== undefined ? (end - start) / 1000 : result.duration),
    p50: pct(50),
    p99: pct(99),
    responses: latencies.length,
    non2xx: result.non2xx,
    errors: result.errors,
    statuses,
    start,
    end,
    cpuStart,
    cpuEnd,
  };
}

/** A run tag, so that ids never repeat across runs (each run has fresh storage anyway). */
const RUN = randomBytes(4).toString("hex");

/**
 * A customer number for request `seq`: PEERS of them in rotation, so load spreads over conversations.
 * Each scenario has its own `base`, so that no two share a conversation.
 * @param {number} base
 * @param {number} seq
 */
const peer = (base, seq) => `49${base + (seq % PEERS)}`;

/** Each scenario's first customer number (after "49"): ranges that never overlap. */
const CUSTOMERS = {
  ingest: 1_500_000_000,
  manyPerWebhook: 1_520_000_000,
  sends: 1_600_000_000,
  statuses: 1_620_000_000,
  hot: 1_640_000_000,
  broadcast: 1_700_000_000,
  replies: 1_790_000_000,
};

/**
 * The body the WhatsApp On-Premises container posts for customer messages: one, or several when it
 * batches them.
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/webhooks/inbound
 * @param {Array<{ id: string, from: string }>} messages
 */
function inboundBody(messages) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return JSON.stringify({
    contacts: messages.map(({ from }) => ({ profile: { name: "Bench Customer" }, wa_id: from })),
    messages: messages.map(({ id, from }) => ({ from, id, timestamp, type: "text", text: { body: "Hello from the benchmark" } })),
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

/** @param {Flow} f */
function scan(f) {
  const items = f.items();
  for (; f.cursor < items.length; f.cursor++) {
    const item = /** @type {{ receivedAt: string }} */ (items[f.cursor]);
    const k = f.key(item);
    if (k === undefined || !f.expected.has(k)) continue;
    if (f.arrived.has(k)) f.duplicates++;
    else f.arrived.set(k, Date.parse(item.receivedAt));
  }
}

/**
 * Waits until every flow has all it expects, or the cap. Reads the sandbox servers' in-process state
 * (the very objects their `/_sandbox/*` control APIs serialize): polling those APIs would re-serialize
 * every event received so far, many MB, in the same process as the backend being measured.
 * @param {Flow[]} flows
 * @returns {Promise<{ complete: boolean, cpuDone: number }>} whether all arrived; workerd's CPU ms then
 */
async function waitForDelivery(flows) {
  const until = Date.now() + DRAIN_CAP_SECONDS * 1000;
  for (;;) {
    for (const f of flows) scan(f);
    const complete = flows.every((f) => f.arrived.size >= f.expected.size);
    if (complete || Date.now() > until) return { complete, cpuDone: workerdCpuMs() };
    // Short: the CPU reading that closes the scenario should follow the last arrival closely.
    await sleep(50);
  }
}

/** @param {Flow} f */
const lastArrival = (f) => (f.arrived.size > 0 ? Math.max(...f.arrived.values()) : NaN);

/**
 * @param {Flow} f
 * @param {{ start: number, end: number }} window the load whose acknowledged work this flow follows
 */
function deliveryRow(f, window) {
  const last = lastArrival(f);
  const delivered = f.arrived.size;
  return {
    name: f.name,
    accepted: f.expected.size,
    delivered,
    pending: f.expected.size - delivered,
    perSecond: delivered > 0 ? delivered / ((last - window.start) / 1000) : 0,
    // 0 when the last one arrived while the load was still running: delivery kept pace.
    lagSeconds: delivered > 0 ? Math.max(0, (last - window.end) / 1000) : NaN,
    duplicates: f.duplicates,
  };
}

/**
 * @typedef {object} CpuRow What workerd spent on one scenario.
 * @property {string} name
 * @property {number} accepted requests (or, for the broadcast, messages) the relay accepted during the load
 * @property {number} loadMs workerd CPU ms from load start to load end
 * @property {number} items what the scenario's flows follow to the other side
 * @property {number} endToEndMs workerd CPU ms from load start until every item arrived; NaN if some never did
 */

/**
 * @param {string} name
 * @param {{ cpuStart: number, cpuEnd: number }} l
 * @param {number} accepted
 * @param {number} items
 * @param {{ complete: boolean, cpuDone: number }} done
 * @returns {CpuRow}
 */
const cpuRow = (name, l, accepted, items, done) => ({
  name,
  accepted,
  loadMs: l.cpuEnd - l.cpuStart,
  items,
  endToEndMs: done.complete ? done.cpuDone - l.cpuStart : NaN,
});

/** @param {LoadResult} l */
const accepted = (l) => l.responses - l.non2xx;

// ---------------------------------------------------------------------------------------------------
// The broadcast: batches to many customers, and one-to-one sends timed while it is handed over.

/**
 * @typedef {object} Reply
 * @property {string} to
 * @property {number} acceptedAt epoch ms of its 202
 * @property {number} broadcastPending broadcast messages not yet at the container at that moment
 */

/**
 * @typedef {object} BroadcastResult
 * @property {string} [skipped] why it did not run
 * @property {number} start epoch ms: the first batch's request
 * @property {number} end epoch ms: the last batch's answer
 * @property {number} cpuStart
 * @property {number} cpuEnd
 * @property {number} batches answered 202 or 207
 * @property {Record<string, number>} failures items refused, by error code or HTTP status
 * @property {Flow} toContainer broadcast messages, by recipient
 * @property {Flow} sentEvents the relay's 'sent' events for them, by message id
 * @property {Flow} replies the one-to-one sends, by recipient
 * @property {Reply[]} replied
 * @property {{ complete: boolean, cpuDone: number }} done
 */

/**
 * Sends BROADCAST recipients one text through `POST /v1/messages/batch`, BROADCAST_BATCH at a time,
 * one batch after the other. Once the first batch is accepted, REPLIES one-to-one messages go out
 * through `POST /v1/messages` REPLY_SPACING_MS apart: bulk messages queue behind one-to-one ones of the
 * same account, so a reply should reach the customer within a second however long the broadcast is.
 * @param {{ relayUrl: string, apiKey: string, container: Awaited<ReturnType<typeof startContainer>>, backend: Awaited<ReturnType<typeof startBackend>> }} o
 * @returns {Promise<BroadcastResult>}
 */
async function broadcast({ relayUrl, apiKey, container, backend }) {
  const headers = { "content-type": "application/json", authorization: `Bearer ${apiKey}` };
  const text = `broadcast ${RUN}`;
  /** @type {Set<string>} recipients whose item was queued */
  const queuedTo = new Set();
  /** @type {Set<string>} the relay's ids of those items */
  const queuedIds = new Set();
  /** @type {Set<string>} */
  const replyTo = new Set();
  const toContainer = flow("broadcast -> container", queuedTo, () => container.state.messages, (m) => (m.body?.text?.body === text ? m.body.to : undefined));
  const sentEvents = flow("broadcast 'sent' events -> backend", queuedIds, () => backend.state.events, (e) =>
    e.payload?.type === "message.status" && e.payload.status?.status === "sent" ? e.payload.status.messageId : undefined,
  );
  const replies = flow("replies -> container", replyTo, () => container.state.messages, (m) => m.body?.to);
  /** @type {Reply[]} */
  const replied = [];
  /** @type {Record<string, number>} */
  const failures = {};
  /** Broadcast items refused (not replies): they will never be handed over. */
  let refused = 0;
  const count = (/** @type {string} */ why, n = 1) => {
    failures[why] = (failures[why] ?? 0) + n;
  };

  /**
   * POSTs JSON to the relay, each request on a connection of its own: a pooled keep-alive connection
   * that the server closes while idle can fail the next request sent on it, and a reply lost that way
   * would say nothing about the relay. A request that still gets no answer is status 0 with the reason
   * as its text: counted like a refusal, never thrown, so that one lost request cannot end the run.
   * @param {string} path
   * @param {unknown} body
   * @returns {Promise<{ status: number, text: string }>}
   */
  const post = (path, body) =>
    new Promise((resolve) => {
      const payload = Buffer.from(JSON.stringify(body));
      const req = httpRequest(`${relayUrl}${path}`, { method: "POST", agent: false, headers: { ...headers, "content-length": payload.length } }, (res) => {
        /** @type {Buffer[]} */
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", (e) => resolve({ status: 0, text: e.message }));
      });
      req.on("error", (e) => resolve({ status: 0, text: e.message }));
      req.end(payload);
    });

  const sendReplies = async () => {
    for (let r = 0; r < REPLIES; r++) {
      if (r > 0) await sleep(REPLY_SPACING_MS);
      const to = `49${CUSTOMERS.replies + r}`;
      const res = await post("/v1/messages", { to, content: { type: "text", text: `reply ${RUN} #${r}` } });
      const acceptedAt = Date.now();
      if (res.status !== 202) {
        count(res.status === 0 ? `reply failed: ${res.text}` : `reply answered HTTP ${res.status}${problemCode(res.text)}`);
        continue;
      }
      // How much of the broadcast was still to hand over (batches not yet posted included): a reply
      // accepted after it was all out measures no contention.
      scan(toContainer);
      replyTo.add(to);
      replied.push({ to, acceptedAt, broadcastPending: BROADCAST - refused - toContainer.arrived.size });
    }
  };

  const cpuStart = workerdCpuMs();
  const start = Date.now();
  let batches = 0;
  /** @type {Promise<void> | undefined} */
  let replying;
  for (let first = 0; first < BROADCAST; first += BROADCAST_BATCH) {
    const recipients = Array.from({ length: Math.min(BROADCAST_BATCH, BROADCAST - first) }, (_, i) => `49${CUSTOMERS.broadcast + first + i}`);
    const res = await post("/v1/messages/batch", { content: { type: "text", text }, recipients: recipients.map((to) => ({ to })) });
    const raw = res.text;
    if (res.status === 404 && first === 0) {
      await replying;
      return {
        skipped: `POST /v1/messages/batch answered 404${problemCode(raw)}: this relay has no batch endpoint`,
        start, end: Date.now(), cpuStart, cpuEnd: workerdCpuMs(), batches, failures, toContainer, sentEvents, replies, replied,
        done: { complete: false, cpuDone: NaN },
      };
    }
    if (res.status !== 202 && res.status !== 207) {
      count(res.status === 0 ? `batch failed: ${raw}` : `batch answered HTTP ${res.status}${problemCode(raw)}`, recipients.length);
      refused += recipients.length;
      continue;
    }
    batches++;
    /** @type {{ results?: Array<{ index: number, id?: string, status?: string, error?: { code?: string, status?: number } }> }} */
    let body;
    try {
      body = JSON.parse(raw);
    } catch {
      count(`batch HTTP ${res.status} without a JSON body`, recipients.length);
      refused += recipients.length;
      continue;
    }
    const listed = (Array.isArray(body?.results) ? body.results : []).filter((r) => typeof r === "object" && r !== null);
    // Items the answer does not list are counted as refused: nothing says they were queued.
    if (listed.length < recipients.length) {
      count("not listed in the answer", recipients.length - listed.length);
      refused += recipients.length - listed.length;
    }
    for (const r of listed) {
      const to = recipients[r.index];
      if (r.id && to !== undefined) {
        queuedTo.add(to);
        queuedIds.add(r.id);
      } else {
        count(r.error?.code ?? `item status ${r.error?.status ?? "?"}`);
        refused++;
      }
    }
    replying ??= sendReplies();
  }
  const end = Date.now();
  const cpuEnd = workerdCpuMs();
  await replying;
  const done = await waitForDelivery([toContainer, sentEvents, replies]);
  return { start, end, cpuStart, cpuEnd, batches, failures, toContainer, sentEvents, replies, replied, done };
}

/**
 * The `code` of a problem+json answer, as " <code>", or "" when the body is not one.
 * @param {string} raw
 */
function problemCode(raw) {
  try {
    const code = JSON.parse(raw)?.code;
    return typeof code === "string" ? ` ${code}` : "";
  } catch {
    return "";
  }
}

/** @param {number[]} values */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 === 1 ? /** @type {number} */ (sorted[mid]) : (/** @type {number} */ (sorted[mid - 1]) + /** @type {number} */ (sorted[mid])) / 2;
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

/** How many decimals a figure is printed with, by unit. */
const DIGITS = /** @type {Record<string, number>} */ ({ "ms": 2, "ms CPU": 3, "x bare": 3, "x floor": 3, "s": 1 });

/** @param {import("./results.mjs").Figure} f */
const formatFigure = (f) => `${num(f.value, DIGITS[f.unit] ?? 0)} ${f.unit}`;

// ---------------------------------------------------------------------------------------------------

async function main() {
  const benchStart = Date.now();
  const previous = readPrevious(RESULTS_PATH);
  const work = tempDir("relay-bench-");
  const doDir = join(work, "do");
  mkdirSync(doDir);

  const [relayScript, fixtures] = await Promise.all([buildRelay(work), loadFixtures(work)]);
  const { ACCESS, CONTAINER_LOGIN, ENDPOINT_SECRET, TEST_KEYS, WEBHOOK_SECRET } = fixtures;
  const bundle = readFileSync(relayScript);
  copyFileSync(join(ROOT, "bench", "bare-worker.js"), join(work, "bare-worker.js"));
  // A configuration schema that does not know `rate` would drop it or, if strict, refuse the whole
  // configuration: set it only when the bundle's schema names the field.
  const rateKnown = bundle.includes("perSecond");

  // statuses: [] — with the default sent/delivered/read callbacks, every accepted message would make the
  // container post three more webhooks to the relay, one at a time, in every send scenario: only the one
  // that measures them gets them, from its own container.
  const container = await startContainer({ ...CONTAINER_LOGIN, access: ACCESS, statusDelayMs: 1, statuses: [], quiet: true });
  closers.push(container.close);
  const statusContainer = await startContainer({
    ...CONTAINER_LOGIN,
    access: ACCESS,
    statusDelayMs: 1,
    statuses: ["sent", "delivered", "read"],
    quiet: true,
  });
  closers.push(statusContainer.close);
  const backend = await startBackend({ secret: ENDPOINT_SECRET, quiet: true });
  closers.push(backend.close);

  const [relayPort, barePort] = [await freePort(), await freePort()];
  const relayConfig = benchConfig(
    // accessTeamUrl serves the "wa-acme-access" account only, which the bench never calls: nothing listens there.
    fixtures.relayConfig({ containerUrl: container.url, backendUrl: backend.url, accessTeamUrl: "http://127.0.0.1:9", platformUrls: {} }),
    { rate: rateKnown, statusContainerUrl: statusContainer.url },
  );
  const { logPath } = await startWorkerd(work, {
    relayModule: "index.js",
    bareModule: "bare-worker.js",
    relayPort,
    barePort,
    doDir,
    relayConfig: JSON.stringify(relayConfig),
    retryTimeScale: RETRY_TIME_SCALE,
  });
  const relayUrl = `http://127.0.0.1:${relayPort}`;
  const webhookPath = (/** @type {string} */ account) => `/webhooks/whatsapp/${account}?secret=${encodeURIComponent(WEBHOOK_SECRET)}`;
  statusContainer.state.webhookUrl = `${relayUrl}${webhookPath(STATUS_ACCOUNT)}`;
  const json = { "content-type": "application/json" };
  let seq = 0;

  process.stderr.write(`bench: ${SECONDS} s per timed scenario, ${CONNECTIONS} connections\n`);

  /** The bare worker's POST of an inbound body to `path`. @param {string} name @param {string} path */
  const barePost = (name, path) =>
    load(name, `http://127.0.0.1:${barePort}`, { method: "POST", path, headers: json, body: inboundBody([{ id: `ABGGbare${RUN}`, from: peer(CUSTOMERS.ingest, 0) }]) });

  // 1. Baseline: the same kind of POST body, to a worker that only reads it.
  process.stderr.write("bench: bare worker...\n");
  const bare = await barePost("bare worker, POST", "/");

  // The floor of an acknowledgement that follows a durable write: the same POST, stored by one Durable
  // Object in SQLite on the relay's disk before the answer. No relay scenario that stores what it
  // acknowledges can be faster than this one on this machine.
  process.stderr.write("bench: bare worker with one durable write...\n");
  const floor = await barePost("bare worker + 1 durable write", "/durable");

  // 2. Inbound: every request a new platform message id (or the relay dedupes it), from PEERS customers.
  process.stderr.write("bench: inbound webhook ingest...\n");
  /** @type {Set<string>} platform message ids the relay acknowledged with 200 */
  const ingested = new Set();
  const ingest = await load("inbound webhook ingest", relayUrl, {
    method: "POST",
    path: webhookPath(ACCOUNT),
    headers: json,
    // The context lives from one request's setup to its response (one request in flight per connection).
    setupRequest(/** @type {any} */ req, /** @type {any} */ context) {
      const n = seq++;
      context.id = `ABGG${RUN}${n}`;
      return { ...req, body: inboundBody([{ id: context.id, from: peer(CUSTOMERS.ingest, n) }]) };
    },
    onResponse(/** @type {number} */ status, /** @type {string} */ _body, /** @type {any} */ context) {
      if (status === 200) ingested.add(context.id);
    },
  });
  process.stderr.write(`bench: waiting for ${num(ingested.size)} events to reach the backend...\n`);
  /** @param {string} name @param {Set<string>} ids */
  const receivedFlow = (name, ids) =>
    flow(name, ids, () => backend.state.events, (e) => (e.payload?.type === "message.received" ? e.payload.message?.platformMessageId : undefined));
  const inboundFlow = receivedFlow("inbound events -> backend", ingested);
  const ingestDone = await waitForDelivery([inboundFlow]);

  // 3. Many messages per webhook: a fixed number of events, stored faster than one webhook each allows,
  //    so that what is measured is the delivery to the tenant's one endpoint.
  process.stderr.write(`bench: ${num(EVENT_WEBHOOKS)} webhooks of ${EVENTS_PER_WEBHOOK} messages...\n`);
  /** @type {Set<string>} */
  const batchedIds = new Set();
  let batchSeq = 0;
  const batched = await load(
    `inbound webhooks of ${EVENTS_PER_WEBHOOK} messages`,
    relayUrl,
    {
      method: "POST",
      path: webhookPath(ACCOUNT),
      headers: json,
      setupRequest(/** @type {any} */ req, /** @type {any} */ context) {
        const first = batchSeq;
        batchSeq += EVENTS_PER_WEBHOOK;
        // Each message from another customer, as a busy number's callback carries them.
        context.messages = Array.from({ length: EVENTS_PER_WEBHOOK }, (_, i) => ({
          id: `ABGGm${RUN}${first + i}`,
          from: peer(CUSTOMERS.manyPerWebhook, first + i),
        }));
        return { ...req, body: inboundBody(context.messages) };
      },
      onResponse(/** @type {number} */ status, /** @type {string} */ _body, /** @type {any} */ context) {
        if (status === 200) for (const m of context.messages) batchedIds.add(m.id);
      },
    },
    { amount: EVENT_WEBHOOKS },
  );
  process.stderr.write(`bench: waiting for ${num(batchedIds.size)} events to reach the backend...\n`);
  const batchedFlow = receivedFlow("events of batched webhooks -> backend", batchedIds);
  const batchedDone = await waitForDelivery([batchedFlow]);

  // 4. Sends: the seed's API, to PEERS recipients, each text unique so the container's copy can be matched.
  process.stderr.write("bench: sends accepted...\n");
  /**
   * A send scenario through `/api/v7/chat`, and its flows: every accepted text to `target`, and events
   * about the accepted ids to the backend.
   * @param {string} name
   * @param {string} apiKey
   * @param {(n: number) => string} recipient the customer of request n
   * @param {Awaited<ReturnType<typeof startContainer>>} target
   * @param {string[]} statuses the `message.status` events to follow per accepted message
   * @param {{ amount?: number, connections?: number }} [size]
   */
  const sendScenario = async (name, apiKey, recipient, target, statuses, size) => {
    /** @type {string[]} texts of accepted messages, in the order their 202 came */
    const acceptedTexts = [];
    /** @type {Set<string>} relay message ids of accepted messages */
    const acceptedIds = new Set();
    const tag = name.replace(/[^a-z]+/gi, "-");
    const result = await load(
      name,
      relayUrl,
      {
        method: "POST",
        path: "/api/v7/chat",
        headers: { ...json, authorization: `Bearer ${apiKey}` },
        setupRequest(/** @type {any} */ req, /** @type {any} */ context) {
          const n = seq++;
          context.text = `bench ${RUN} ${tag} #${n}`;
          return { ...req, body: JSON.stringify({ id: recipient(n), message: context.text }) };
        },
        onResponse(/** @type {number} */ status, /** @type {string} */ body, /** @type {any} */ context) {
          if (status !== 202) return;
          acceptedTexts.push(context.text);
          acceptedIds.add(JSON.parse(body).id);
        },
      },
      size,
    );
    const texts = new Set(acceptedTexts);
    process.stderr.write(`bench: waiting for ${num(texts.size)} messages to reach the container...\n`);
    const flows = [
      flow(`${name} -> container`, texts, () => target.state.messages, (m) => m.body?.text?.body),
      ...statuses.map((s) =>
        flow(`${name}: '${s}' events -> backend`, acceptedIds, () => backend.state.events, (e) =>
          e.payload?.type === "message.status" && e.payload.status?.status === s ? e.payload.status.messageId : undefined,
        ),
      ),
    ];
    const done = await waitForDelivery(flows);
    return { result, acceptedTexts, flows, done };
  };
  const sends = await sendScenario("sends accepted", TEST_KEYS.acme, (n) => peer(CUSTOMERS.sends, n), container, ["sent"]);

  // 5. Sends again, with the container posting sent, delivered and read for each: the callbacks come
  //    in while the sends are measured, as they do in production.
  process.stderr.write("bench: sends with status callbacks...\n");
  const withStatuses = await sendScenario("sends, statuses on", TEST_KEYS.globex, (n) => peer(CUSTOMERS.statuses, n), statusContainer, ["delivered", "read"]);

  // 6. One customer, HOT messages, one request at a time: the order the 202s came is the order the
  //    container must see (with several connections in flight, which was "first" would be a guess).
  process.stderr.write(`bench: ${num(HOT)} messages to one customer...\n`);
  const hot = await sendScenario("hot conversation", TEST_KEYS.acme, () => `49${CUSTOMERS.hot}`, container, [], { amount: HOT, connections: 1 });
  const hotFlow = /** @type {Flow} */ (hot.flows[0]);
  const hotRank = new Map(hot.acceptedTexts.map((t, i) => [t, i]));
  let outOfOrder = 0;
  let highest = -1;
  const seenHot = new Set();
  for (const m of container.state.messages) {
    const rank = hotRank.get(/** @type {any} */ (m.body)?.text?.body);
    if (rank === undefined || seenHot.has(rank)) continue;
    seenHot.add(rank);
    // Arrived after one that was accepted later than it.
    if (rank < highest) outOfOrder++;
    else highest = rank;
  }

  // 7. The broadcast, last: whatever of it is still queued when the wait gives up cannot weigh on the others.
  process.stderr.write(`bench: broadcast to ${num(BROADCAST)} customers, ${REPLIES} replies during it...\n`);
  const cast = await broadcast({ relayUrl, apiKey: TEST_KEYS.acme, container, backend });
  if (cast.skipped) process.stderr.write(`bench: broadcast skipped: ${cast.skipped}\n`);

  // The control APIs, once: they must agree with the in-process state the waits read.
  const backendView = /** @type {{ events: unknown[], rejected: number }} */ (await (await fetch(`${backend.url}/_sandbox/events`)).json());
  const containerView = /** @type {{ messages: unknown[], logins: number }} */ (await (await fetch(`${container.url}/_sandbox/state`)).json());
  const statusView = /** @type {{ messages: unknown[], webhooks: Array<{ status: number | "error" }> }} */ (
    await (await fetch(`${statusContainer.url}/_sandbox/state`)).json()
  );
  const relayLog = readFileSync(logPath, "utf8").split("\n").filter((l) => l.trim() !== "");
  await cleanUp();

  // --- Figures ---------------------------------------------------------------------------------------
  const sendsFlow = /** @type {Flow} */ (sends.flows[0]);
  const statusesToContainer = /** @type {Flow} */ (withStatuses.flows[0]);
  const readFlow = /** @type {Flow} */ (withStatuses.flows[2]);
  const inboundRow = deliveryRow(inboundFlow, ingest);
  const batchedRow = deliveryRow(batchedFlow, batched);
  const hotRow = deliveryRow(hotFlow, hot.result);
  const castRow = deliveryRow(cast.toContainer, cast);
  const replyLatencies = cast.replied.map((r) => (cast.replies.arrived.get(r.to) ?? NaN) - r.acceptedAt);
  const replyMax = replyLatencies.length > 0 && replyLatencies.length === REPLIES ? Math.max(...replyLatencies) : NaN;
  const castComplete = !cast.skipped && castRow.pending === 0 && cast.toContainer.expected.size === BROADCAST;
  const castSeconds = castRow.delivered > 0 ? (lastArrival(cast.toContainer) - cast.start) / 1000 : NaN;

  const cpuRows = [
    cpuRow(ingest.name, ingest, accepted(ingest), ingested.size, ingestDone),
    cpuRow(batched.name, batched, accepted(batched), batchedIds.size, batchedDone),
    cpuRow(sends.result.name, sends.result, accepted(sends.result), sendsFlow.expected.size, sends.done),
    cpuRow(withStatuses.result.name, withStatuses.result, accepted(withStatuses.result), statusesToContainer.expected.size, withStatuses.done),
    cpuRow(hot.result.name, hot.result, accepted(hot.result), hotFlow.expected.size, hot.done),
    ...(cast.skipped ? [] : [cpuRow("broadcast (per message)", cast, cast.toContainer.expected.size, cast.toContainer.expected.size, cast.done)]),
  ];
  const bareCpu = (bare.cpuEnd - bare.cpuStart) / bare.responses;
  const floorCpu = (floor.cpuEnd - floor.cpuStart) / floor.responses;
  const perAccepted = (/** @type {CpuRow} */ r) => r.loadMs / r.accepted;
  const sendsCpu = perAccepted(/** @type {CpuRow} */ (cpuRows[2]));
  // A message accepted in a batch of 1,000 (the broadcast's POST /v1/messages/batch), sending going on meanwhile.
  const batchCpu = cast.skipped ? NaN : perAccepted(/** @type {CpuRow} */ (cpuRows[5]));

  /** @type {Record<string, import("./results.mjs").Figure>} */
  const figures = {};
  const figure = (
    /** @type {string} */ key,
    /** @type {string} */ label,
    /** @type {number} */ value,
    /** @type {string} */ unit,
    /** @type {"higher" | "lower"} */ better,
  ) => {
    figures[key] = { label, value, unit, better };
  };
  figure("bundle.gzipBytes", "bundle, gzipped", gzipSync(bundle).length, "bytes", "lower");
  for (const [key, l] of /** @type {const} */ ([["bare", bare], ["floor", floor], ["ingest", ingest], ["batchedIngest", batched], ["sends", sends.result], ["sendsStatuses", withStatuses.result], ["hot", hot.result]])) {
    figure(`${key}.rps`, `${l.name}: req/s`, l.rps, "req/s", "higher");
    if (key !== "bare") figure(`${key}.vsBare`, `${l.name}: req/s vs bare`, l.rps / bare.rps, "x bare", "higher");
    figure(`${key}.p99`, `${l.name}: p99`, l.p99, "ms", "lower");
  }
  figure("bare.cpuPerRequest", "bare worker: CPU per request", bareCpu, "ms CPU", "lower");
  figure("floor.cpuPerRequest", "bare worker + 1 durable write: CPU per request", floorCpu, "ms CPU", "lower");
  figure("ingest.vsFloor", "inbound webhook ingest: req/s vs 1 durable write", ingest.rps / floor.rps, "x floor", "higher");
  figure("sends.vsFloor", "sends accepted: req/s vs 1 durable write", sends.result.rps / floor.rps, "x floor", "higher");
  const cpuKeys = ["ingest", "batchedIngest", "sends", "sendsStatuses", "hot", "broadcast"];
  cpuRows.forEach((r, i) => {
    const key = cpuKeys[i];
    figure(`${key}.cpuPerAccepted`, `${r.name}: CPU per accepted, load`, perAccepted(r), "ms CPU", "lower");
    figure(`${key}.cpuPerItemEndToEnd`, `${r.name}: CPU per item, end to end`, r.endToEndMs / r.items, "ms CPU", "lower");
  });
  figure("ingest.deliveredPerSecond", "ingest: events to backend /s", inboundRow.perSecond, "/s", "higher");
  figure("batchedIngest.deliveredPerSecond", "events delivered to the endpoint /s", batchedRow.perSecond, "/s", "higher");
  figure("sends.toContainerPerSecond", "sends: messages to container /s", deliveryRow(sendsFlow, sends.result).perSecond, "/s", "higher");
  figure("sendsStatuses.readPerSecond", "sends, statuses on: 'read' events /s", deliveryRow(readFlow, withStatuses.result).perSecond, "/s", "higher");
  figure("hot.allArrivedSeconds", "hot conversation: all at container after", (lastArrival(hotFlow) - hot.result.start) / 1000, "s", "lower");
  figure("hot.outOfOrder", "hot conversation: out of order", outOfOrder, "messages", "lower");
  figure("broadcast.handedPerSecond", "broadcast: handed to container /s", cast.skipped ? NaN : castRow.perSecond, "/s", "higher");
  figure("broadcast.allArrivedSeconds", "broadcast: all at container after", castComplete ? castSeconds : NaN, "s", "lower");
  figure("broadcast.replyMaxMs", "broadcast: reply latency, max", replyMax, "ms", "lower");
  figure("broadcast.replyMedianMs", "broadcast: reply latency, median", median(replyLatencies), "ms", "lower");

  /** @type {Array<{ target: string, measured: string, status: string }>} */
  const targets = [];
  const target = (/** @type {string} */ name, /** @type {string} */ measured, /** @type {boolean | undefined} */ pass) =>
    targets.push({ target: name, measured, status: pass === undefined ? "NOT RUN" : pass ? "PASS" : "FAIL" });
  target("ingest req/s >= 0.25x bare", `${num(ingest.rps / bare.rps, 3)}x`, ingest.rps / bare.rps >= 0.25);
  target("sends accepted >= 0.1x bare", `${num(sends.result.rps / bare.rps, 3)}x`, sends.result.rps / bare.rps >= 0.1);
  target("events delivered to the endpoint >= 3,000/s", `${num(batchedRow.perSecond)}/s`, batchedRow.perSecond >= 3000);
  target(
    "messages handed to the container >= 1,000/s (broadcast)",
    cast.skipped ? "-" : `${num(castRow.perSecond)}/s`,
    cast.skipped ? undefined : castRow.perSecond >= 1000,
  );
  target(
    "broadcast fully handed over, max reply latency < 1 s",
    cast.skipped
      ? "-"
      : `${castComplete ? "all" : `${num(castRow.delivered)} of ${num(BROADCAST)}`}, ` +
          (cast.replied.length === REPLIES ? `max ${num(replyMax)} ms` : `${cast.replied.length} of ${REPLIES} replies accepted`),
    cast.skipped ? undefined : castComplete && replyMax < 1000,
  );
  target(
    "CPU per accepted message < 0.5 ms (sends, load)",
    Number.isFinite(sendsCpu) ? `${num(sendsCpu, 3)} ms` : "-",
    Number.isFinite(sendsCpu) ? sendsCpu < 0.5 : undefined,
  );
  target(
    "CPU per accepted message < 0.5 ms (batches of 1,000, load)",
    Number.isFinite(batchCpu) ? `${num(batchCpu, 3)} ms` : "-",
    Number.isFinite(batchCpu) ? batchCpu < 0.5 : undefined,
  );

  const cpu = cpus();
  const machine =
    `${cpu.length} CPU (${cpu[0]?.model.trim() ?? "?"}), ${platform()} ${arch()}, ${num(totalmem() / 2 ** 30, 1)} GiB; ` +
    `node ${process.version}; workerd ${WORKERD_VERSION}; autocannon ${require("autocannon/package.json").version}`;
  const settings = {
    seconds: SECONDS, connections: CONNECTIONS, peers: PEERS, eventWebhooks: EVENT_WEBHOOKS, eventsPerWebhook: EVENTS_PER_WEBHOOK,
    hot: HOT, broadcast: BROADCAST, replies: REPLIES, tmpdir: tmpdir(),
  };
  // Numbers about error answers measure nothing: such a run is reported, then fails, and is kept from
  // becoming the next run's reference.
  const broken = [ingest, batched, sends.result, withStatuses.result, hot.result].filter((l) => accepted(l) === 0);
  if (broken.length === 0) writeResults(RESULTS_PATH, { at: new Date(benchStart).toISOString(), machine, settings, figures, targets });

  // --- Report ----------------------------------------------------------------------------------------
  const out = [];
  out.push("Messenger Relay benchmark");
  out.push(`machine: ${machine}`);
  out.push(`bundle:  ${num(bundle.length)} bytes, ${num(gzipSync(bundle).length)} gzipped (wrangler deploy --dry-run)`);
  out.push("");
  out.push(`Load: ${CONNECTIONS} connections, ${SECONDS} s per timed scenario; latency over every response; ratios relay / bare`);
  const loads = [bare, floor, ingest, batched, sends.result, withStatuses.result, hot.result];
  out.push(
    table(
      ["scenario", "requests", "req/s", "p50 ms", "p99 ms", "non-2xx", "errors", "req/s vs bare", "p50 vs bare", "p99 vs bare"],
      loads.map((l) => [
        l.name,
        num(l.responses),
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
  out.push(`  ${batched.name}: ${num(EVENT_WEBHOOKS)} requests; hot conversation: ${num(HOT)} requests on 1 connection.`);
  for (const l of loads) {
    if (Object.keys(l.statuses).length > 0) {
      out.push(`  ${l.name}: ${Object.entries(l.statuses).map(([code, n]) => `${n} x HTTP ${code}`).join(", ")}`);
    }
  }
  out.push("");
  out.push(`Delivery: per second from load start to the last arrival; waited at most ${DRAIN_CAP_SECONDS} s after each scenario`);
  const rows = [
    inboundRow,
    batchedRow,
    ...sends.flows.map((f) => deliveryRow(f, sends.result)),
    ...withStatuses.flows.map((f) => deliveryRow(f, withStatuses.result)),
    hotRow,
    ...(cast.skipped ? [] : [castRow, deliveryRow(cast.sentEvents, cast), deliveryRow(cast.replies, cast)]),
  ];
  out.push(
    table(
      ["flow", "acknowledged", "arrived", "pending", "per s", "last arrival after load end", "duplicates"],
      rows.map((r) => [r.name, num(r.accepted), num(r.delivered), num(r.pending), num(r.perSecond), `${num(r.lagSeconds, 1)} s`, num(r.duplicates)]),
    ),
  );
  out.push("");
  out.push(`Isolate CPU: workerd's own user+system time (/proc/<pid>/stat, ${CLOCK_TICKS.source})`);
  out.push(
    `  load: from load start to end, per request the relay accepted; end to end: from load start until every item of the scenario's flows arrived, per item`,
  );
  out.push(
    table(
      ["scenario", "accepted", "CPU s, load", "ms/accepted", "minus bare", "items", "CPU s, end to end", "ms/item"],
      [
        ["bare worker, POST", num(bare.responses), num((bare.cpuEnd - bare.cpuStart) / 1000, 2), num(bareCpu, 3), "", "", "", ""],
        [floor.name, num(floor.responses), num((floor.cpuEnd - floor.cpuStart) / 1000, 2), num(floorCpu, 3), num(floorCpu - bareCpu, 3), "", "", ""],
        ...cpuRows.map((r) => [
          r.name,
          num(r.accepted),
          num(r.loadMs / 1000, 2),
          num(perAccepted(r), 3),
          num(perAccepted(r) - bareCpu, 3),
          num(r.items),
          num(r.endToEndMs / 1000, 2),
          num(r.endToEndMs / r.items, 3),
        ]),
      ],
    ),
  );
  out.push("");
  out.push(`Hot conversation: ${num(HOT)} messages to one customer, one at a time`);
  out.push(
    `  ${num(accepted(hot.result))} accepted at ${num(hot.result.rps)}/s; all ${hotRow.pending === 0 ? "" : `but ${num(hotRow.pending)} `}at the container ` +
      `${num((lastArrival(hotFlow) - hot.result.start) / 1000, 1)} s after the first request; ${num(outOfOrder)} out of the order accepted; ` +
      `${num(hotFlow.duplicates)} duplicate(s)`,
  );
  out.push("");
  out.push(`Broadcast: ${num(BROADCAST)} customers in batches of ${num(BROADCAST_BATCH)} (POST /v1/messages/batch), ${REPLIES} replies (POST /v1/messages) during it`);
  if (cast.skipped) {
    out.push(`  skipped: ${cast.skipped}.`);
  } else {
    const failed = Object.entries(cast.failures);
    out.push(
      `  ${num(cast.toContainer.expected.size)} queued in ${cast.batches} accepted batch(es) in ${num((cast.end - cast.start) / 1000, 1)} s` +
        (failed.length > 0 ? `; refused: ${failed.map(([why, n]) => `${num(n)} x ${why}`).join(", ")}` : ""),
    );
    out.push(
      `  ${num(castRow.delivered)} of the ${num(castRow.accepted)} queued at the container ` +
        `${castRow.pending === 0 ? `after ${num(castSeconds, 1)} s` : "when the wait ended"}, ${num(castRow.perSecond)} handed over per second` +
        (castComplete ? " (the whole broadcast)" : `; ${num(BROADCAST - castRow.delivered)} of ${num(BROADCAST)} not there when the wait ended`),
    );
    out.push(
      table(
        ["reply", "202 at (s)", "broadcast still to hand over", "at container after (ms)"],
        cast.replied.map((r, i) => [
          r.to,
          num((r.acceptedAt - cast.start) / 1000, 2),
          num(r.broadcastPending),
          num(replyLatencies[i] ?? NaN),
        ]),
      ),
    );
    out.push(
      `  reply latency: max ${num(replyMax)} ms, median ${num(median(replyLatencies))} ms` +
        (cast.replied.length < REPLIES ? ` (${cast.replied.length} of ${REPLIES} replies accepted: no max)` : ""),
    );
    if (cast.replied.some((r) => r.broadcastPending === 0)) out.push("  (a reply accepted once the broadcast was all handed over measures no contention)");
  }
  out.push("");
  if ("results" in previous) {
    out.push(`Against the previous run (${previous.results.at}, ${RESULTS_PATH}); "WORSE"/"better" past ±10%`);
    if (JSON.stringify(previous.results.settings) !== JSON.stringify(settings)) {
      out.push(`  its settings differed, so some figures do not compare: ${JSON.stringify(previous.results.settings)}`);
    }
    out.push(table(["figure", "this run", "previous", "change", ""], comparisonRows(figures, previous.results.figures, formatFigure)));
  } else {
    out.push(`Against the previous run: ${previous.missing}. This run's figures are the next run's reference.`);
  }
  out.push("");
  out.push("Targets (a FAIL does not fail the run)");
  out.push(table(["target", "measured", "status"], targets.map((t) => [t.target, t.measured, t.status])));
  out.push(
    `  What the runtime allows here: a POST stored by one Durable Object before its answer runs at ${num(floor.rps / bare.rps, 3)}x bare ` +
      `and ${num(floorCpu, 3)} ms CPU; ingest is ${num(ingest.rps / floor.rps, 3)}x of that, sends accepted ${num(sends.result.rps / floor.rps, 3)}x.`,
  );
  out.push("");
  out.push("Notes:");
  out.push("- Two containers: the send scenarios' one posts no status callbacks (statuses: []); the relay's own 'sent' event");
  out.push(`  still flows. '${STATUS_ACCOUNT}' (tenant globex) sends to one posting sent, delivered and read for each message, one at a time.`);
  out.push(
    rateKnown
      ? `- ${ACCOUNT}'s rate.perSecond set to ${ACCOUNT_RATE_PER_SECOND}, so that the broadcast measures the handover, not the limiter.`
      : `- This relay's configuration has no account rate ('perSecond' is not in the bundle): ${ACCOUNT}'s rate left unset.`,
  );
  out.push(`- RETRY_TIME_SCALE=${RETRY_TIME_SCALE}: failed deliveries wait the production backoff. ${PEERS} customers per scenario.`);
  out.push(`- Durable Objects are SQLite files under ${tmpdir()} (TMPDIR), fsynced on every commit: this machine's disk, not`);
  out.push("  Cloudflare's storage. TMPDIR=/dev/shm shows the relay without the disk.");
  out.push("- workerd shares the machine's cores with Node (autocannon, the sandbox container and backend, which verifies every");
  out.push("  signature): rates that Node's side caps show in the CPU table as a low ms per item beside a low rate.");
  out.push(
    `- Control APIs at the end: backend ${num(backendView.events.length)} events (${backendView.rejected} rejected), ` +
      `container ${num(containerView.messages.length)} messages, ${containerView.logins} login(s); status container ` +
      `${num(statusView.messages.length)} messages, ${num(statusView.webhooks.filter((w) => w.status !== 200).length)} callback(s) not answered 200.`,
  );
  out.push(`- Relay log (workerd stdout/stderr): ${relayLog.length} line(s)${relayLog.length ? ", first ones:" : "."}`);
  for (const line of relayLog.slice(0, 5)) out.push(`    ${line.slice(0, 160)}`);
  out.push(`- Results ${broken.length === 0 ? "written to" : "NOT written to"} ${RESULTS_PATH}. Total bench time ${num((Date.now() - benchStart) / 1000)} s.`);
  console.log(out.join("\n"));
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
