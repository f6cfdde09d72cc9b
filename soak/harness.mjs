// @ts-check
/**
 * The fault suite: does the relay deliver everything it acknowledged, once and in order, while
 * everything around it fails?
 *
 * It runs, on loopback: the sandbox WhatsApp container and the sandbox business backend (in this
 * process), and the relay bundled as `wrangler deploy` builds it, on raw `workerd serve` as a CHILD
 * PROCESS with SQLite Durable Object storage on a temporary directory (bench/workerd.mjs). Then:
 *
 * 1. Drive: N outbound messages over M conversations (`POST /api/v7/chat`, text `soak:<c>:<seq>`,
 *    sequential per conversation, conversations in parallel, paced over the drive time; a request
 *    with no answer or a 5xx is retried with the same `Idempotency-Key`, as a careful client would),
 *    and K customer messages over the same conversations (`POST /_sandbox/inbound` on the container,
 *    text `in:<c>:<seq>`, with an id of our own so a retried injection is the same message).
 * 2. Faults, on a schedule over the drive: the container and the backend answer 5xx, 429 with
 *    Retry-After: 1, hang, answer only after the relay's timeout ("slow": processed, but the relay
 *    has given up, so it tries again), and refuse connections for a few seconds; the relay process is
 *    SIGKILLed and restarted on the same port and storage.
 * 3. Drain: waits until everything acknowledged has arrived (or a cap).
 * 4. Alarm probe (optional): with the system quiet, one message per case whose delivery is pending
 *    in a Durable Object alarm when the relay is SIGKILLed; nothing touches the relay after the
 *    restart, so it arrives only if workerd restored the alarm.
 * 5. Report: per direction, acknowledged, arrived, lost, duplicates at the receiver (after the
 *    receiver's own dedupe by id), order violations, and redeliveries on the wire (deduped by id).
 *
 * The receivers dedupe by id as real ones should: the container by the `Idempotency-Key` the relay
 * sends (`<message id>:<part>`), the backend by `webhook-id` (Standard Webhooks). A duplicate at the
 * receiver is a message processed twice despite that; a redelivery is a repeat the id caught.
 *
 * `npm run soak` (package.json: "soak": "node soak/harness.mjs") runs the big version; the vitest
 * project "fault-suite" (test/soak/) a small one. Environment for the CLI, all optional:
 *   SOAK_OUTBOUND (3000), SOAK_INBOUND (2000), SOAK_CONVERSATIONS (200), SOAK_DRIVE_SECONDS (240),
 *   SOAK_KILLS (4), SOAK_FAULTS (36), SOAK_DRAIN_CAP_SECONDS (240), SOAK_RETRY_TIME_SCALE (0.02),
 *   SOAK_ALARM_PROBE (1), SOAK_KEEP (0: keep the temporary directory even when the run passes),
 *   SOAK_TMPDIR (os.tmpdir(): where the relay's storage and logs go).
 * Everything listens on 127.0.0.1; nothing leaves the machine. Exit code 0 only when nothing was
 * lost, duplicated or reordered.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBackend } from "../sandbox/business-backend.js";
import { isMain } from "../sandbox/http-util.js";
import { startContainer } from "../sandbox/whatsapp-container.js";
import { WORKERD_VERSION, buildRelay, freePort, isRunning, loadFixtures, sleep, spawnWorkerd, writeWorkerdConfig } from "../bench/workerd.mjs";

/** The tests' tenant and its default account (test/support/fixtures-config.ts). */
const ACCOUNT = "wa-acme";

/**
 * @typedef {object} SoakOptions
 * @property {number} outbound messages sent through the API (N)
 * @property {number} inbound customer messages injected at the container (K)
 * @property {number} conversations customers, each one conversation in both directions (M)
 * @property {number} driveSeconds sends and injections are spread over this long; faults too
 * @property {number} kills relay SIGKILLs during the drive
 * @property {number} faults container and backend faults during the drive (at least one of each kind
 *   on each side when >= 12)
 * @property {number} drainCapSeconds longest wait after the drive for what was acknowledged
 * @property {string} retryTimeScale the relay's RETRY_TIME_SCALE
 * @property {number} timeoutMs the relay's per-call timeout towards the container and the backend
 * @property {number} refuseMs how long a refuse fault lasts
 * @property {number} downMs how long the relay stays dead after a SIGKILL
 * @property {number} burst requests a 5xx or 429 fault answers before it is used up
 * @property {number} hangs requests a hang or slow fault takes
 * @property {boolean} alarmProbe run the alarm probe after the drain
 * @property {string[]} statuses the statuses the container calls back for each accepted message
 * @property {boolean} keep keep the temporary directory (relay log, storage) even when the run passes
 * @property {string} tmpDir parent of the temporary directory
 * @property {(line: string) => void} log progress lines
 */

/** @type {SoakOptions} */
export const SOAK_DEFAULTS = {
  outbound: 3000,
  inbound: 2000,
  conversations: 200,
  driveSeconds: 240,
  kills: 4,
  faults: 36,
  drainCapSeconds: 240,
  retryTimeScale: "0.02",
  timeoutMs: 2000,
  refuseMs: 3000,
  downMs: 1500,
  burst: 10,
  hangs: 4,
  alarmProbe: true,
  statuses: ["sent", "delivered", "read"],
  keep: false,
  tmpDir: tmpdir(),
  log: (line) => process.stderr.write(`${line}\n`),
};

/**
 * @typedef {object} FaultEvent One scheduled fault.
 * @property {number} atMs since the drive started
 * @property {"container" | "backend" | "relay"} target
 * @property {string} kind "503", "500", "429", "hang", "slow", "refuse" or "kill"
 */

/**
 * @typedef {object} DirectionResult
 * @property {number} sent markers the harness tried to get acknowledged
 * @property {number} acknowledged outbound: 202 from the relay; inbound: 2xx from the relay to the container
 * @property {number} notAcknowledged
 * @property {number} arrived acknowledged markers that reached the receiver
 * @property {number} lost acknowledged, never arrived (by the end of the drain)
 * @property {number} duplicates extra copies processed by the receiver, after its dedupe by id
 * @property {number} orderViolations arrivals after a higher seq of the same conversation
 * @property {number} redelivered repeats on the wire the receiver recognised by id and dropped
 * @property {number} unexpected arrivals of markers never acknowledged, or at the wrong conversation
 * @property {{ p50: number, p99: number, max: number }} latencyMs acknowledgement to first arrival
 * @property {string[]} evidence details of every problem, a few of each
 */

/**
 * @typedef {object} ProbeCase
 * @property {string} name
 * @property {boolean} arrived
 * @property {number} [afterRestartMs] arrival after the relay listened again
 * @property {string} detail
 */

/**
 * @typedef {object} SoakResult
 * @property {SoakOptions} options
 * @property {DirectionResult} outbound
 * @property {DirectionResult} inbound
 * @property {{ expected: number, arrived: number, duplicates: number }} sentStatuses the relay's `sent`
 *   status event for each accepted message, at the backend (informational)
 * @property {{ container: Record<string, number>, backend: Record<string, number>, relayKills: number, relayStarts: number, relayCrashes: number }} faults
 * @property {FaultEvent[]} schedule
 * @property {{ atMs: number, what: string }[]} timeline kills, restarts, faults as applied
 * @property {{ replays: number, mismatches: number, backendRedeliveries: number, callbackRetries: number, clientRetries: number, injectRetries: number }} wire
 * @property {ProbeCase[]} probe
 * @property {{ counts: Record<string, number>, examples: string[] }} replayCauses why the relay sent a
 *   message part again (each a repeat the container dropped by Idempotency-Key), by what the harness
 *   was doing around it
 * @property {{ lines: number, outboundDeferred: number, endpointFailed: number, other: [string, number][] }} relayLog
 * @property {{ totalSeconds: number, buildSeconds: number, driveSeconds: number, drainSeconds: number, probeSeconds: number, drained: boolean }} times
 * @property {string} workdir the temporary directory (removed unless kept)
 * @property {boolean} kept
 * @property {string[]} failures why the run failed; empty when it passed
 */

/**
 * @param {number[]} values
 * @param {number} p
 */
function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** @param {number} c */
const peerOf = (c) => `49155${String(c).padStart(6, "0")}`;

/**
 * The fault schedule: relay kills evenly over the drive, and container/backend faults alternating,
 * cycling through every kind, over the first 90% of it (so that each has traffic to hit).
 * @param {SoakOptions} o
 * @returns {FaultEvent[]}
 */
export function buildSchedule(o) {
  const driveMs = o.driveSeconds * 1000;
  /** @type {FaultEvent[]} */
  const events = [];
  for (let k = 0; k < o.kills; k++) events.push({ atMs: Math.round(((k + 1) / (o.kills + 1)) * driveMs * 0.9), target: "relay", kind: "kill" });
  const kinds = ["503", "429", "hang", "refuse", "slow", "500"];
  for (let f = 0; f < o.faults; f++) {
    const target = f % 2 === 0 ? "container" : "backend";
    const kind = /** @type {string} */ (kinds[Math.floor(f / 2) % kinds.length]);
    // Start a little in, so that the first faults meet traffic already flowing.
    events.push({ atMs: Math.round(driveMs * (0.04 + (0.86 * f) / Math.max(1, o.faults))), target, kind });
  }
  return events.sort((a, b) => a.atMs - b.atMs);
}

/**
 * The relay on workerd as a child process, killed and restarted on the same port and storage.
 */
class RelayProcess {
  /** @type {import("node:child_process").ChildProcess | undefined} */
  child;
  starts = 0;
  kills = 0;
  /** Exits the harness did not cause (a crash of workerd): each is noted, and the relay started again. */
  crashes = 0;
  /** Set while the harness itself stops the process. */
  stopping = false;
  /** When it last listened again (epoch ms). */
  lastReadyAt = 0;

  /**
   * @param {string} dir
   * @param {string} logPath
   * @param {number} port
   * @param {(what: string) => void} note
   */
  constructor(dir, logPath, port, note) {
    this.dir = dir;
    this.logPath = logPath;
    this.port = port;
    this.note = note;
  }

  async start() {
    this.starts += 1;
    appendFileSync(this.logPath, `=== harness: relay start #${this.starts} at ${new Date().toISOString()} ===\n`);
    for (let attempt = 1; ; attempt++) {
      try {
        this.child = await spawnWorkerd({ dir: this.dir, logPath: this.logPath, ports: [this.port] });
        break;
      } catch (e) {
        // The old process's socket is gone with it; a failed start is worth a second look, not a third.
        if (attempt >= 3) throw e;
        await sleep(500);
      }
    }
    this.lastReadyAt = Date.now();
    const child = this.child;
    child.once("exit", (code, signal) => {
      if (this.stopping) return;
      this.crashes += 1;
      this.note(`relay exited by itself (code ${code}, signal ${signal}): starting it again`);
      void this.start().catch((e) => this.note(`relay restart after a crash failed: ${e instanceof Error ? e.message : String(e)}`));
    });
    this.note(`relay start #${this.starts} (pid ${child.pid}) listening`);
  }

  async kill() {
    const child = this.child;
    if (!isRunning(child) || !child) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    this.stopping = true;
    child.kill("SIGKILL");
    await exited;
    this.stopping = false;
    this.kills += 1;
    appendFileSync(this.logPath, `=== harness: relay SIGKILLed (#${this.kills}) at ${new Date().toISOString()} ===\n`);
    this.note(`relay SIGKILL #${this.kills} (pid ${child.pid})`);
  }

  /** Orderly stop at the end. */
  async stop() {
    const child = this.child;
    if (!isRunning(child) || !child) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    this.stopping = true;
    child.kill("SIGTERM");
    await Promise.race([exited, sleep(3000)]);
    if (isRunning(child)) child.kill("SIGKILL");
  }

  /** For the process "exit" event: synchronous. */
  killNow() {
    this.stopping = true;
    if (isRunning(this.child)) this.child?.kill("SIGKILL");
  }
}

/**
 * @typedef {object} OutRecord
 * @property {number} c
 * @property {number} seq
 * @property {string} marker
 * @property {number} attempts
 * @property {number} unanswered attempts with no HTTP answer (connection refused or reset, timeout)
 * @property {string[]} errors
 * @property {string} [id] relay message id from the 202
 * @property {number} [acceptedAt]
 * @property {string} [rejected] a 4xx answer: not retried
 */

/**
 * @typedef {object} InRecord
 * @property {number} c
 * @property {number} seq
 * @property {string} marker
 * @property {string} platformId
 * @property {number} attempts
 * @property {boolean} injected the container answered 200
 * @property {number} [injectedAt]
 */

/**
 * Runs the fault suite. Never throws for what it measures (see `failures`); throws when it cannot run.
 * @param {Partial<SoakOptions>} [overrides]
 * @returns {Promise<SoakResult>}
 */
export async function runSoak(overrides = {}) {
  /** @type {SoakOptions} */
  const o = { ...SOAK_DEFAULTS, ...overrides };
  const log = o.log;
  const t0 = Date.now();
  const since = (/** @type {number} */ t) => t - t0;
  /** @type {{ atMs: number, what: string }[]} */
  const timeline = [];
  const note = (/** @type {string} */ what) => {
    timeline.push({ atMs: since(Date.now()), what });
    log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${what}`);
  };

  const workdir = mkdtempSync(join(o.tmpDir, "relay-soak-"));
  const doDir = join(workdir, "do");
  mkdirSync(doDir);
  const logPath = join(workdir, "workerd.log");
  /** @type {Array<() => Promise<void>>} */
  const closers = [];
  /** @type {RelayProcess | undefined} */
  let relay;
  const onExit = () => relay?.killNow();
  process.on("exit", onExit);
  let kept = false;

  try {
    note(`building the relay (wrangler deploy --dry-run) into ${workdir}`);
    const [, fixtures] = await Promise.all([buildRelay(workdir), loadFixtures(workdir)]);
    const buildSeconds = (Date.now() - t0) / 1000;
    const { ACCESS, CONTAINER_LOGIN, ENDPOINT_SECRET, TEST_KEYS, WEBHOOK_SECRET } = fixtures;

    const container = await startContainer({ ...CONTAINER_LOGIN, access: ACCESS, statuses: o.statuses, statusDelayMs: 50, quiet: true });
    closers.push(container.close);
    const backend = await startBackend({ secret: ENDPOINT_SECRET, quiet: true });
    closers.push(backend.close);

    // The tests' configuration, with the per-call timeouts short so that a hang costs little.
    const config = fixtures.relayConfig({ containerUrl: container.url, backendUrl: backend.url, accessTeamUrl: "http://127.0.0.1:9", platformUrls: {} });
    for (const tenant of config.tenants) {
      tenant.endpoint.timeoutMs = o.timeoutMs;
      for (const account of tenant.accounts) {
        const a = /** @type {{ container?: { timeoutMs?: number } }} */ (account);
        if (a.container) a.container.timeoutMs = o.timeoutMs;
      }
    }
    const port = await freePort();
    writeWorkerdConfig(workdir, { relayModule: "index.js", relayPort: port, doDir, relayConfig: JSON.stringify(config), retryTimeScale: o.retryTimeScale });
    relay = new RelayProcess(workdir, logPath, port, note);
    await relay.start();
    const relayUrl = `http://127.0.0.1:${port}`;
    container.state.webhookUrl = `${relayUrl}/webhooks/whatsapp/${ACCOUNT}?secret=${encodeURIComponent(WEBHOOK_SECRET)}`;
    const run = Math.random().toString(36).slice(2, 8);

    // --- Drive -------------------------------------------------------------------------------------
    const driveMs = o.driveSeconds * 1000;
    const driveStart = Date.now();
    const sleepUntil = (/** @type {number} */ at) => sleep(Math.max(0, at - Date.now()));
    /** No request is retried past this: the run must end. */
    const hardDeadline = driveStart + driveMs + o.drainCapSeconds * 1000;
    let driving = true;

    /** @type {OutRecord[]} */
    const outRecords = [];
    /** @type {InRecord[]} */
    const inRecords = [];
    for (let i = 0; i < o.outbound; i++) {
      const c = i % o.conversations;
      const seq = Math.floor(i / o.conversations);
      outRecords.push({ c, seq, marker: `soak:${c}:${seq}`, attempts: 0, unanswered: 0, errors: [] });
    }
    for (let j = 0; j < o.inbound; j++) {
      const c = j % o.conversations;
      const seq = Math.floor(j / o.conversations);
      inRecords.push({ c, seq, marker: `in:${c}:${seq}`, platformId: `ABGGsoak${run}x${c}x${seq}`, attempts: 0, injected: false });
    }

    /** @param {OutRecord} r */
    async function send(r) {
      for (let attempt = 1; Date.now() < hardDeadline; attempt++) {
        r.attempts += 1;
        try {
          const res = await fetch(`${relayUrl}/api/v7/chat`, {
            method: "POST",
            headers: {
              authorization: `Bearer ${TEST_KEYS.acme}`,
              "content-type": "application/json",
              "idempotency-key": `soak-${run}-${r.c}-${r.seq}`,
            },
            body: JSON.stringify({ id: peerOf(r.c), message: r.marker }),
            signal: AbortSignal.timeout(10_000),
          });
          const text = await res.text();
          if (res.status === 202) {
            r.id = /** @type {{ id: string }} */ (JSON.parse(text)).id;
            r.acceptedAt = Date.now();
            return;
          }
          r.errors.push(`HTTP ${res.status}`);
          if (res.status < 500 && res.status !== 429) {
            r.rejected = `HTTP ${res.status}: ${text.slice(0, 300)}`;
            return;
          }
        } catch (e) {
          r.unanswered += 1;
          const err = /** @type {{ cause?: { code?: string }, name?: string }} */ (e);
          r.errors.push(err.cause?.code ?? err.name ?? "error");
        }
        await sleep(Math.min(2000, 100 * 2 ** Math.min(attempt, 5)));
      }
    }

    /** @param {InRecord} r */
    async function inject(r) {
      for (let attempt = 1; Date.now() < hardDeadline; attempt++) {
        r.attempts += 1;
        try {
          const res = await fetch(`${container.url}/_sandbox/inbound`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ from: peerOf(r.c), text: r.marker, id: r.platformId }),
            signal: AbortSignal.timeout(10_000),
          });
          await res.arrayBuffer();
          if (res.ok) {
            r.injected = true;
            r.injectedAt = Date.now();
            return;
          }
        } catch {
          // The container is refusing connections: try again shortly, with the same id.
        }
        await sleep(Math.min(1000, 100 * 2 ** Math.min(attempt, 4)));
      }
    }

    /**
     * One loop per conversation: its items in seq order, each not before its planned time.
     * @template {{ c: number }} T
     * @param {T[]} items in global order (index i planned at i / length of the drive)
     * @param {(item: T) => Promise<void>} act
     */
    const driveAll = (items, act) =>
      Promise.all(
        Array.from({ length: o.conversations }, async (_, c) => {
          for (let i = c; i < items.length; i += o.conversations) {
            await sleepUntil(driveStart + (i / items.length) * driveMs);
            await act(/** @type {T} */ (items[i]));
          }
        }),
      );

    /**
     * Asks a sandbox server's control API for a fault, retrying while it refuses connections.
     * @param {string} url
     * @param {Record<string, unknown>} body
     */
    async function control(url, body) {
      for (let attempt = 0; attempt < 100; attempt++) {
        try {
          const res = await fetch(`${url}/_sandbox/faults`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(5000),
          });
          const text = await res.text();
          if (!res.ok) throw new Error(`fault ${JSON.stringify(body)} refused: HTTP ${res.status} ${text}`);
          return;
        } catch (e) {
          if (e instanceof Error && e.message.startsWith("fault ")) throw e;
          await sleep(200);
        }
      }
      throw new Error(`could not reach ${url} to add a fault`);
    }

    /** @param {string} kind */
    function faultBody(kind) {
      switch (kind) {
        case "503":
        case "500":
          return { status: Number(kind), count: o.burst };
        case "429":
          return { status: 429, retryAfter: 1, count: o.burst };
        case "hang":
          return { hang: true, count: o.hangs };
        case "slow":
          // Answered after the relay gave up: processed once, then tried again by the relay.
          return { delayMs: o.timeoutMs + 1000, count: o.hangs };
        case "refuse":
          return { refuse: true, durationMs: o.refuseMs };
        default:
          throw new Error(`unknown fault ${kind}`);
      }
    }

    const schedule = buildSchedule(o);
    /** @type {Promise<void>[]} */
    const killing = [];
    const faultsDone = (async () => {
      for (const f of schedule) {
        await sleepUntil(driveStart + f.atMs);
        if (f.target === "relay") {
          // In the background: faults go on while the relay is down.
          const r = /** @type {RelayProcess} */ (relay);
          await Promise.all(killing.splice(0)); // one kill at a time
          killing.push(
            (async () => {
              await r.kill();
              await sleep(o.downMs);
              await r.start();
            })(),
          );
          continue;
        }
        const body = faultBody(f.kind);
        await control(f.target === "container" ? container.url : backend.url, body);
        note(`fault: ${f.target} ${f.kind} ${JSON.stringify(body)}`);
      }
    })();

    const progress = setInterval(() => {
      const accepted = outRecords.filter((r) => r.acceptedAt !== undefined).length;
      const injected = inRecords.filter((r) => r.injected).length;
      log(
        `[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${driving ? "drive" : "drain"}: ` +
          `out ${accepted}/${o.outbound} accepted, ${container.state.messages.length} at container | ` +
          `in ${injected}/${o.inbound} injected, ${backend.state.events.length} events at backend, container queue ${container.state.pending} | ` +
          `relay starts ${relay?.starts ?? 0}`,
      );
    }, 5000);
    progress.unref();

    note(`drive: ${o.outbound} outbound + ${o.inbound} inbound over ${o.conversations} conversations in ${o.driveSeconds} s; ${schedule.length} faults scheduled`);
    await Promise.all([driveAll(outRecords, send), driveAll(inRecords, inject), faultsDone]);
    await Promise.all(killing);
    driving = false;
    const driveEnd = Date.now();
    note("drive done; draining");

    // --- Drain -------------------------------------------------------------------------------------
    const acceptedMarkers = new Set(outRecords.filter((r) => r.acceptedAt !== undefined).map((r) => r.marker));
    const outSeen = new Set();
    const inSeen = new Set();
    let outCursor = 0;
    let inCursor = 0;
    const drainUntil = driveEnd + o.drainCapSeconds * 1000;
    let drained = false;
    for (;;) {
      for (const messages = container.state.messages; outCursor < messages.length; outCursor++) {
        const text = /** @type {{ text?: { body?: string } }} */ (messages[outCursor]?.body).text?.body;
        if (text !== undefined && acceptedMarkers.has(text)) outSeen.add(text);
      }
      for (const events = backend.state.events; inCursor < events.length; inCursor++) {
        const text = receivedText(events[inCursor]?.payload);
        if (text !== undefined) inSeen.add(text);
      }
      const acked = ackedInbound(container.state.webhooks, inRecords);
      const inDone = [...acked.keys()].every((m) => inSeen.has(m));
      if (outSeen.size >= acceptedMarkers.size && inDone && container.state.pending === 0) {
        drained = true;
        break;
      }
      if (Date.now() > drainUntil) break;
      await sleep(250);
    }
    const drainEnd = Date.now();
    note(drained ? "drained: everything acknowledged arrived" : `drain cap of ${o.drainCapSeconds} s reached`);

    // Snapshots for the result, before the probe adds its own traffic.
    const messages = [...container.state.messages];
    const events = [...backend.state.events];
    const webhooks = [...container.state.webhooks];
    const wireOut = { replays: container.state.idempotentReplays, mismatches: container.state.idempotencyMismatches };
    const replayLog = [...container.state.replays];
    const redelivered = [...backend.state.redelivered];
    const faultTally = {
      container: { ...container.state.faultCounts, refuse: container.state.refusals },
      backend: { ...backend.state.faultCounts, refuse: backend.state.refusals },
      relayKills: relay.kills,
      relayStarts: relay.starts,
      relayCrashes: relay.crashes,
    };

    // --- Alarm probe -------------------------------------------------------------------------------
    /** @type {ProbeCase[]} */
    const probe = [];
    const probeStart = Date.now();
    // Rules of the drive not used up would answer the probe's requests instead of its own rules.
    container.state.faults.length = 0;
    backend.state.faults.length = 0;
    if (o.alarmProbe) probe.push(...(await alarmProbe({ o, relay, container, backend, relayUrl, key: TEST_KEYS.acme, run, note })));
    const probeEnd = Date.now();
    clearInterval(progress);

    // --- Results -----------------------------------------------------------------------------------
    const relayLogText = readFileSync(logPath, "utf8");
    const outbound = outboundResult(t0, outRecords, messages, relayLogText, timeline);
    outbound.redelivered = wireOut.replays;
    const replayCauses = classifyReplays(t0, replayLog, messages, timeline, relayLogText);
    const inbound = inboundResult(t0, inRecords, webhooks, events, redelivered, timeline);
    const acceptedIds = new Map(outRecords.filter((r) => r.id !== undefined).map((r) => [/** @type {string} */ (r.id), r]));
    /** @type {Map<string, number>} */
    const sentSeen = new Map();
    for (const e of events) {
      const p = /** @type {{ type?: string, status?: { status?: string, messageId?: string } } | null} */ (e.payload);
      const id = p?.type === "message.status" && p.status?.status === "sent" ? p.status.messageId : undefined;
      if (id !== undefined && acceptedIds.has(id)) sentSeen.set(id, (sentSeen.get(id) ?? 0) + 1);
    }
    /** @type {SoakResult} */
    const result = {
      options: o,
      outbound,
      inbound,
      sentStatuses: {
        expected: acceptedIds.size,
        arrived: sentSeen.size,
        duplicates: [...sentSeen.values()].reduce((n, k) => n + k - 1, 0),
      },
      faults: faultTally,
      schedule,
      timeline,
      wire: {
        ...wireOut,
        backendRedeliveries: redelivered.length,
        callbackRetries: webhooks.filter((w) => w.attempt > 1).length,
        clientRetries: outRecords.reduce((n, r) => n + r.attempts - 1, 0),
        injectRetries: inRecords.reduce((n, r) => n + r.attempts - 1, 0),
      },
      probe,
      replayCauses,
      relayLog: summarizeLog(relayLogText),
      times: {
        totalSeconds: (Date.now() - t0) / 1000,
        buildSeconds,
        driveSeconds: (driveEnd - driveStart) / 1000,
        drainSeconds: (drainEnd - driveEnd) / 1000,
        probeSeconds: (probeEnd - probeStart) / 1000,
        drained,
      },
      workdir,
      kept: false,
      failures: [],
    };
    result.failures = failures(result);
    kept = o.keep || result.failures.length > 0;
    result.kept = kept;
    return result;
  } finally {
    await relay?.stop();
    await Promise.allSettled(closers.splice(0).map((close) => close()));
    process.off("exit", onExit);
    if (!kept) rmSync(workdir, { recursive: true, force: true });
  }
}

/**
 * The text of a `message.received` event's text content, if it is one of ours.
 * @param {unknown} payload
 * @returns {string | undefined}
 */
function receivedText(payload) {
  const p = /** @type {{ type?: string, message?: { content?: { text?: unknown } } } | null} */ (payload);
  const text = p?.type === "message.received" ? p.message?.content?.text : undefined;
  return typeof text === "string" && text.startsWith("in:") ? text : undefined;
}

/**
 * Injected markers the relay acknowledged to the container (some attempt answered 2xx), with when.
 * @param {import("../sandbox/whatsapp-container.js").WebhookAttempt[]} webhooks
 * @param {InRecord[]} records
 * @returns {Map<string, number>} marker → first 2xx (epoch ms)
 */
function ackedInbound(webhooks, records) {
  const byId = new Map(records.map((r) => [r.platformId, r.marker]));
  /** @type {Map<string, number>} */
  const acked = new Map();
  for (const w of webhooks) {
    if (typeof w.status !== "number" || w.status < 200 || w.status >= 300) continue;
    const body = /** @type {{ messages?: { id?: string }[] }} */ (w.body);
    const marker = byId.get(body.messages?.[0]?.id ?? "");
    if (marker !== undefined && !acked.has(marker)) acked.set(marker, Date.parse(w.at));
  }
  return acked;
}

/**
 * Arrivals per marker, duplicates and order violations in a receiver's recorded arrival order.
 * @param {{ marker: string, c: number, seq: number, at: number, note: string }[]} arrivals
 */
function analyzeArrivals(arrivals) {
  /** @type {Map<string, { at: number, note: string }[]>} */
  const byMarker = new Map();
  /** @type {Map<number, number>} */
  const maxSeq = new Map();
  /** @type {string[]} */
  const violations = [];
  for (const a of arrivals) {
    const list = byMarker.get(a.marker) ?? [];
    list.push({ at: a.at, note: a.note });
    byMarker.set(a.marker, list);
    const max = maxSeq.get(a.c) ?? -1;
    if (a.seq < max) violations.push(`${a.marker} arrived after seq ${max} of conversation ${a.c}${list.length > 1 ? " (a repeat)" : ""}`);
    else maxSeq.set(a.c, a.seq);
  }
  return { byMarker, violations };
}

/**
 * What the harness did within 5 s of a moment: kills, restarts, faults.
 * @param {number} ms epoch
 * @param {{ atMs: number, what: string }[]} timeline
 * @param {number} t0 the harness's start, which timeline times count from
 */
function nearbyEvents(ms, timeline, t0) {
  return timeline
    .filter((e) => Math.abs(e.atMs - (ms - t0)) < 5000)
    .map((e) => `${e.what} at +${(e.atMs / 1000).toFixed(1)}s`)
    .join("; ");
}

/**
 * @param {number} ms epoch
 * @param {number} t0
 */
const at = (ms, t0) => `+${((ms - t0) / 1000).toFixed(2)}s`;

/**
 * @param {number} t0 the harness's start
 * @param {OutRecord[]} records
 * @param {import("../sandbox/whatsapp-container.js").SentMessage[]} messages
 * @param {string} relayLog
 * @param {{ atMs: number, what: string }[]} timeline
 * @returns {DirectionResult}
 */
function outboundResult(t0, records, messages, relayLog, timeline) {
  const byMarker = new Map(records.map((r) => [r.marker, r]));
  let unexpected = 0;
  /** @type {string[]} */
  const evidence = [];
  const arrivals = [];
  for (const m of messages) {
    const text = /** @type {{ text?: { body?: string } }} */ (m.body).text?.body ?? "";
    const r = byMarker.get(text);
    if (!r) continue;
    if (r.acceptedAt === undefined || m.body.to !== peerOf(r.c)) {
      unexpected += 1;
      if (evidence.length < 20) evidence.push(`unexpected: ${text} to ${String(m.body.to)} (accepted: ${r.acceptedAt !== undefined})`);
    }
    arrivals.push({ marker: text, c: r.c, seq: r.seq, at: Date.parse(m.receivedAt), note: `key ${m.headers["idempotency-key"] ?? "(none)"}` });
  }
  const { byMarker: arrived, violations } = analyzeArrivals(arrivals);
  const accepted = records.filter((r) => r.acceptedAt !== undefined);
  const lostRecords = accepted.filter((r) => !arrived.has(r.marker));
  let duplicates = 0;
  /** @type {number[]} */
  const latencies = [];
  const logLines = relayLog.split("\n");
  const linesAbout = (/** @type {string | undefined} */ id) => (id ? logLines.filter((l) => l.includes(id)).slice(0, 4) : []);
  for (const r of accepted) {
    const list = arrived.get(r.marker);
    if (!list) continue;
    latencies.push((list[0]?.at ?? 0) - (r.acceptedAt ?? 0));
    if (list.length > 1) {
      duplicates += list.length - 1;
      if (evidence.filter((e) => e.startsWith("duplicate")).length < 8) {
        evidence.push(
          `duplicate: ${r.marker} (${r.id}) accepted ${at(r.acceptedAt ?? 0, t0)}, processed ${list.length}x at ${list.map((a) => `${at(a.at, t0)} [${a.note}]`).join(", ")}` +
            `; near: ${nearbyEvents(list[0]?.at ?? 0, timeline, t0) || "-"}; relay log: ${linesAbout(r.id).join(" | ") || "-"}`,
        );
      }
    }
  }
  for (const r of lostRecords.slice(0, 8)) {
    evidence.push(
      `lost: ${r.marker} (${r.id}) accepted ${at(r.acceptedAt ?? 0, t0)} after ${r.attempts} attempt(s)` +
        `; relay log: ${linesAbout(r.id).join(" | ") || "-"}`,
    );
  }
  for (const v of violations.slice(0, 8)) evidence.push(`order: ${v}`);
  for (const r of records.filter((x) => x.rejected).slice(0, 5)) evidence.push(`rejected by the API: ${r.marker}: ${r.rejected}`);
  for (const r of records.filter((x) => x.acceptedAt === undefined && !x.rejected).slice(0, 5)) {
    evidence.push(`never accepted: ${r.marker} after ${r.attempts} attempts (${r.errors.slice(-3).join(", ")})`);
  }
  return {
    sent: records.length,
    acknowledged: accepted.length,
    notAcknowledged: records.length - accepted.length,
    arrived: accepted.length - lostRecords.length,
    lost: lostRecords.length,
    duplicates,
    orderViolations: violations.length,
    redelivered: 0, // filled in by the caller's wire counts
    unexpected,
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.length ? Math.max(...latencies) : NaN },
    evidence,
  };
}

/**
 * @param {number} t0 the harness's start
 * @param {InRecord[]} records
 * @param {import("../sandbox/whatsapp-container.js").WebhookAttempt[]} webhooks
 * @param {import("../sandbox/business-backend.js").ReceivedEvent[]} events
 * @param {{ id: string, receivedAt: string }[]} redelivered
 * @param {{ atMs: number, what: string }[]} timeline
 * @returns {DirectionResult}
 */
function inboundResult(t0, records, webhooks, events, redelivered, timeline) {
  const byMarker = new Map(records.map((r) => [r.marker, r]));
  const acked = ackedInbound(webhooks, records);
  let unexpected = 0;
  /** @type {string[]} */
  const evidence = [];
  const arrivals = [];
  /** @type {Set<string>} */
  const ourEventIds = new Set();
  for (const e of events) {
    const text = receivedText(e.payload);
    const r = text === undefined ? undefined : byMarker.get(text);
    if (!r || text === undefined) continue;
    ourEventIds.add(e.id);
    const peer = /** @type {{ conversation?: { peer?: string } }} */ (e.payload).conversation?.peer;
    if (!acked.has(text) || peer !== peerOf(r.c)) {
      unexpected += 1;
      if (evidence.length < 20) evidence.push(`unexpected: ${text} from ${String(peer)} (acknowledged: ${acked.has(text)})`);
    }
    arrivals.push({ marker: text, c: r.c, seq: r.seq, at: Date.parse(e.receivedAt), note: `webhook-id ${e.id}` });
  }
  const { byMarker: arrived, violations } = analyzeArrivals(arrivals);
  let duplicates = 0;
  /** @type {number[]} */
  const latencies = [];
  /** @type {string[]} */
  const lost = [];
  for (const [marker, ackAt] of acked) {
    const list = arrived.get(marker);
    if (!list) {
      lost.push(marker);
      continue;
    }
    latencies.push((list[0]?.at ?? 0) - ackAt);
    if (list.length > 1) {
      duplicates += list.length - 1;
      if (evidence.filter((e) => e.startsWith("duplicate")).length < 8) {
        evidence.push(
          `duplicate: ${marker} acknowledged ${at(ackAt, t0)}, processed ${list.length}x at ${list.map((a) => `${at(a.at, t0)} [${a.note}]`).join(", ")}` +
            `; near: ${nearbyEvents(list[0]?.at ?? 0, timeline, t0) || "-"}`,
        );
      }
    }
  }
  for (const marker of lost.slice(0, 8)) {
    const r = byMarker.get(marker);
    const attempts = webhooks.filter((w) => /** @type {{ messages?: { id?: string }[] }} */ (w.body).messages?.[0]?.id === r?.platformId);
    evidence.push(`lost: ${marker} (${r?.platformId}) acknowledged; container attempts: ${attempts.map((a) => `${a.status} ${at(Date.parse(a.at), t0)}`).join(", ")}`);
  }
  for (const v of violations.slice(0, 8)) evidence.push(`order: ${v}`);
  const notAcked = records.filter((r) => !acked.has(r.marker));
  for (const r of notAcked.slice(0, 5)) {
    const attempts = webhooks.filter((w) => /** @type {{ messages?: { id?: string }[] }} */ (w.body).messages?.[0]?.id === r.platformId);
    evidence.push(`not acknowledged: ${r.marker} (injected: ${r.injected}); container attempts: ${attempts.map((a) => a.status).join(", ") || "none"}`);
  }
  return {
    sent: records.length,
    acknowledged: acked.size,
    notAcknowledged: notAcked.length,
    arrived: acked.size - lost.length,
    lost: lost.length,
    duplicates,
    orderViolations: violations.length,
    redelivered: redelivered.filter((r) => ourEventIds.has(r.id)).length,
    unexpected,
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.length ? Math.max(...latencies) : NaN },
    evidence,
  };
}

/**
 * Sorts the container's idempotent replays by cause: a relay SIGKILL between the original and the
 * repeat, a container fault of the drive that makes the relay give up on a request the container
 * handles anyway ("slow", or "refuse" dropping a connection after the answer was made), or other.
 * @param {number} t0 the harness's start
 * @param {{ key: string, at: string }[]} replays
 * @param {import("../sandbox/whatsapp-container.js").SentMessage[]} messages
 * @param {{ atMs: number, what: string }[]} timeline
 * @param {string} relayLog
 */
function classifyReplays(t0, replays, messages, timeline, relayLog) {
  /** @type {Map<string, number>} */
  const original = new Map();
  for (const m of messages) {
    const key = m.headers["idempotency-key"];
    if (key !== undefined && !original.has(key)) original.set(key, Date.parse(m.receivedAt));
  }
  /** @type {Record<string, number>} */
  const counts = {};
  /** @type {string[]} */
  const examples = [];
  const logLines = relayLog.split("\n");
  for (const r of replays) {
    const replayAt = Date.parse(r.at) - t0;
    const firstAt = (original.get(r.key) ?? NaN) - t0;
    const between = (/** @type {RegExp} */ re, /** @type {number} */ slackMs) =>
      timeline.some((e) => re.test(e.what) && e.atMs >= firstAt - slackMs && e.atMs <= replayAt);
    const cause = between(/relay SIGKILL/, 3000)
      ? "relay SIGKILL"
      : between(/fault: container slow/, 15_000)
        ? "container answered after the relay's timeout (slow fault)"
        : between(/fault: container refuse/, 5000)
          ? "connection dropped by a refusal"
          : "other";
    counts[cause] = (counts[cause] ?? 0) + 1;
    if (cause === "other" && examples.length < 6) {
      const id = r.key.split(":")[0] ?? r.key;
      examples.push(
        `${r.key}: first at +${(firstAt / 1000).toFixed(2)}s, repeat at +${(replayAt / 1000).toFixed(2)}s; relay log: ` +
          (logLines.filter((l) => l.includes(id)).slice(0, 3).join(" | ") || "-"),
      );
    }
  }
  return { counts, examples };
}

/**
 * The relay's log, summarised: its routine retry lines counted, anything else grouped by shape.
 * @param {string} text
 */
function summarizeLog(text) {
  const lines = text.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("=== harness:"));
  let outboundDeferred = 0;
  let endpointFailed = 0;
  /** @type {Map<string, number>} */
  const other = new Map();
  for (const line of lines) {
    if (/^conversation: message \S+ attempt \d+ deferred/.test(line)) outboundDeferred += 1;
    else if (/^endpoint: event \S+ attempt \d+ failed/.test(line)) endpointFailed += 1;
    else {
      const shape = line.replace(/\b(msg|evt)_[0-9a-f]+/g, "$1_…").replace(/\d+/g, "N").slice(0, 200);
      other.set(shape, (other.get(shape) ?? 0) + 1);
    }
  }
  return { lines: lines.length, outboundDeferred, endpointFailed, other: [...other].sort((a, b) => b[1] - a[1]).slice(0, 12) };
}

/**
 * With nothing else going on, leaves one delivery pending in a Durable Object alarm per case, SIGKILLs
 * the relay, restarts it and sends it nothing: the delivery happens only if workerd restored the alarm.
 * Inbound cases first: status callbacks from the outbound cases would wake the endpoint's object.
 * @param {object} p
 * @param {SoakOptions} p.o
 * @param {RelayProcess} p.relay
 * @param {import("../sandbox/whatsapp-container.js").ContainerHandle} p.container
 * @param {import("../sandbox/business-backend.js").BackendHandle} p.backend
 * @param {string} p.relayUrl
 * @param {string} p.key
 * @param {string} p.run
 * @param {(what: string) => void} p.note
 * @returns {Promise<ProbeCase[]>}
 */
async function alarmProbe({ o, relay, container, backend, relayUrl, key, run, note }) {
  /** @type {ProbeCase[]} */
  const cases = [];
  const post = async (/** @type {string} */ url, /** @type {unknown} */ body, /** @type {Record<string, string>} */ headers = {}) => {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
    return res;
  };
  const waitFor = async (/** @type {() => boolean} */ check, /** @type {number} */ ms) => {
    const until = Date.now() + ms;
    while (!check() && Date.now() < until) await sleep(25);
    return check();
  };
  // Quiet first: the container's callbacks done, so that nothing but the alarm can wake an object.
  await waitFor(() => container.state.pending === 0, 30_000);
  await sleep(500);

  /**
   * @param {string} name
   * @param {"container" | "backend"} side
   * @param {Record<string, unknown>} fault
   * @param {() => boolean} faulted
   * @param {() => Promise<void>} start
   * @param {() => boolean} arrived
   * @param {number} killAfterMs after the fault was hit
   */
  const probeCase = async (name, side, fault, faulted, start, arrived, killAfterMs) => {
    await post(`${side === "container" ? container.url : backend.url}/_sandbox/faults`, fault);
    await start();
    if (!(await waitFor(faulted, 10_000))) {
      cases.push({ name, arrived: arrived(), detail: "the fault was not hit; nothing to learn" });
      return;
    }
    await sleep(killAfterMs);
    const pendingAtKill = !arrived();
    await relay.kill();
    await sleep(o.downMs);
    await relay.start();
    const restartedAt = relay.lastReadyAt;
    let at = 0;
    await waitFor(() => {
      if (arrived() && !at) at = Date.now();
      return arrived();
    }, 20_000);
    const ok = arrived();
    cases.push({
      name,
      arrived: ok,
      ...(ok && { afterRestartMs: Math.max(0, at - restartedAt) }),
      detail: pendingAtKill ? "pending at the kill" : "had arrived before the kill (case not exercised)",
    });
    note(`alarm probe: ${name}: ${ok ? `arrived ${Math.max(0, at - restartedAt)} ms after the restart` : "NOT arrived within 20 s of the restart"}`);
  };

  const hits = (/** @type {Record<string, number>} */ counts, /** @type {string} */ kind) => counts[kind] ?? 0;
  let n = 0;
  const inbound = async (/** @type {string} */ name, /** @type {Record<string, unknown>} */ fault, /** @type {string} */ kind, /** @type {number} */ killAfterMs) => {
    const text = `probe:in:${++n}`;
    const before = hits(backend.state.faultCounts, kind);
    await probeCase(
      name,
      "backend",
      fault,
      () => hits(backend.state.faultCounts, kind) > before,
      async () => void (await post(`${container.url}/_sandbox/inbound`, { from: `49166${String(n).padStart(6, "0")}`, text, id: `ABGGprobe${run}x${n}` })),
      () => backend.state.events.some((e) => /** @type {{ message?: { content?: { text?: string } } }} */ (e.payload)?.message?.content?.text === text),
      killAfterMs,
    );
  };
  const outbound = async (/** @type {string} */ name, /** @type {Record<string, unknown>} */ fault, /** @type {string} */ kind, /** @type {number} */ killAfterMs) => {
    const text = `probe:out:${++n}`;
    const before = hits(container.state.faultCounts, kind);
    await probeCase(
      name,
      "container",
      fault,
      () => hits(container.state.faultCounts, kind) > before,
      async () =>
        void (await post(`${relayUrl}/api/v7/chat`, { id: `49166${String(n).padStart(6, "0")}`, message: text }, { authorization: `Bearer ${key}` })),
      () => container.state.messages.some((m) => /** @type {{ text?: { body?: string } }} */ (m.body).text?.body === text),
      killAfterMs,
    );
  };
  // Retry-After 3 s: the retry alarm is set 3 s out; the kill comes 0.3 s after the 429 and the relay
  // is back before the alarm is due (or just after, with a long downMs): either way only it can send.
  await inbound("inbound: endpoint retry alarm set, relay killed before it fires", { status: 429, retryAfter: 3, count: 1 }, "429", 300);
  await inbound("inbound: delivery in flight (backend hangs), relay killed mid-alarm", { hang: true, count: 1 }, "hang", 300);
  await outbound("outbound: send retry alarm set, relay killed before it fires", { status: 429, retryAfter: 3, count: 1, path: "/v1/messages" }, "429", 300);
  await outbound("outbound: send in flight (container hangs), relay killed mid-alarm", { hang: true, count: 1, path: "/v1/messages" }, "hang", 300);
  return cases;
}

/**
 * Why a run failed: anything lost, processed twice or out of order, in either direction, or an
 * alarm the relay did not get back after a restart.
 * @param {SoakResult} r
 * @returns {string[]}
 */
export function failures(r) {
  /** @type {string[]} */
  const out = [];
  for (const [name, d] of /** @type {const} */ ([["outbound", r.outbound], ["inbound", r.inbound]])) {
    if (d.lost > 0) out.push(`${name}: ${d.lost} lost`);
    if (d.duplicates > 0) out.push(`${name}: ${d.duplicates} duplicates at the receiver`);
    if (d.orderViolations > 0) out.push(`${name}: ${d.orderViolations} order violations`);
    if (d.unexpected > 0) out.push(`${name}: ${d.unexpected} unexpected arrivals`);
  }
  if (r.outbound.notAcknowledged > 0) out.push(`outbound: ${r.outbound.notAcknowledged} never accepted by the relay`);
  if (r.faults.relayCrashes > 0) out.push(`the relay process exited by itself ${r.faults.relayCrashes} time(s)`);
  for (const p of r.probe) if (!p.arrived) out.push(`alarm probe: ${p.name}: never arrived`);
  return out;
}

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

/**
 * The printed report.
 * @param {SoakResult} r
 * @returns {string}
 */
export function formatReport(r) {
  const o = r.options;
  const { outbound: out, inbound: inb } = r;
  const counts = (/** @type {Record<string, number>} */ c) =>
    Object.entries(c)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ") || "none";
  const lines = [];
  lines.push("Messenger Relay fault suite");
  lines.push(
    `${num(o.outbound)} outbound + ${num(o.inbound)} inbound over ${num(o.conversations)} conversations; drive ${o.driveSeconds} s; ` +
      `RETRY_TIME_SCALE=${o.retryTimeScale}; relay call timeout ${o.timeoutMs} ms; workerd ${WORKERD_VERSION}, SQLite DOs on disk`,
  );
  lines.push("");
  lines.push(
    table(
      ["", "outbound (API -> container)", "inbound (container -> backend)"],
      [
        ["sent by the harness (markers)", num(out.sent), num(inb.sent)],
        ["acknowledged (202 / relay 2xx to container)", num(out.acknowledged), num(inb.acknowledged)],
        ["not acknowledged", num(out.notAcknowledged), num(inb.notAcknowledged)],
        ["arrived at the receiver (unique markers)", num(out.arrived), num(inb.arrived)],
        ["LOST (acknowledged, never arrived)", num(out.lost), num(inb.lost)],
        ["DUPLICATES at the receiver (processed twice)", num(out.duplicates), num(inb.duplicates)],
        ["ORDER VIOLATIONS (per conversation)", num(out.orderViolations), num(inb.orderViolations)],
        ["unexpected arrivals (never acked / wrong peer)", num(out.unexpected), num(inb.unexpected)],
        ["redelivered on the wire (deduped by id)", num(out.redelivered), num(inb.redelivered)],
        ["latency ack -> arrival p50 / p99 / max (s)", latency(out), latency(inb)],
      ],
    ),
  );
  lines.push("");
  lines.push("Wire and retries:");
  lines.push(`- outbound repeats the container dropped by Idempotency-Key: ${num(r.wire.replays)}; key reused with another body: ${num(r.wire.mismatches)}`);
  lines.push(`  by cause: ${counts(r.replayCauses.counts)}`);
  for (const e of r.replayCauses.examples) lines.push(`    e.g. ${e}`);
  lines.push(`- inbound redeliveries the backend dropped by webhook-id: ${num(inb.redelivered)} of our messages (all events, statuses included: ${num(r.wire.backendRedeliveries)})`);
  lines.push(`- container callbacks retried (relay down, faulted or slow to answer): ${num(r.wire.callbackRetries)}`);
  lines.push(`- API requests retried by the harness with the same Idempotency-Key: ${num(r.wire.clientRetries)}; injections retried: ${num(r.wire.injectRetries)}`);
  lines.push(`- the relay's 'sent' status events at the backend: ${num(r.sentStatuses.arrived)} of ${num(r.sentStatuses.expected)} accepted, ${num(r.sentStatuses.duplicates)} processed twice (informational)`);
  lines.push("");
  lines.push("Faults that actually happened:");
  lines.push(`- container: ${counts(r.faults.container)}`);
  lines.push(`- backend:   ${counts(r.faults.backend)}`);
  lines.push(
    `- relay: ${r.faults.relayKills} SIGKILL(s) during the drive, ${r.faults.relayStarts} start(s) (same port, same storage); ` +
      `exits it did by itself: ${r.faults.relayCrashes}`,
  );
  if (r.probe.length > 0) {
    lines.push("");
    lines.push("Alarm probe (a delivery pending in a Durable Object alarm, relay SIGKILLed, restarted, then left alone):");
    for (const p of r.probe) {
      lines.push(`- ${p.name}: ${p.arrived ? `arrived ${num(p.afterRestartMs ?? NaN)} ms after the restart` : "NOT ARRIVED"} (${p.detail})`);
    }
  }
  lines.push("");
  lines.push(
    `Relay log: ${num(r.relayLog.lines)} lines; ${num(r.relayLog.outboundDeferred)} send retries ('deferred'), ` +
      `${num(r.relayLog.endpointFailed)} failed endpoint deliveries; other lines by shape:`,
  );
  for (const [shape, n] of r.relayLog.other) lines.push(`    ${String(n).padStart(6)}  ${shape}`);
  const evidence = [...out.evidence.map((e) => `outbound ${e}`), ...inb.evidence.map((e) => `inbound ${e}`)];
  if (evidence.length > 0) {
    lines.push("");
    lines.push("Evidence:");
    for (const e of evidence) lines.push(`- ${e}`);
  }
  lines.push("");
  lines.push("Timeline (kills and restarts):");
  for (const e of r.timeline.filter((x) => /relay|drive|drain|alarm probe/.test(x.what))) lines.push(`  +${(e.atMs / 1000).toFixed(1).padStart(6)}s  ${e.what}`);
  lines.push("");
  const t = r.times;
  lines.push(
    `Time: ${num(t.totalSeconds, 1)} s in all (build ${num(t.buildSeconds, 1)}, drive ${num(t.driveSeconds, 1)}, ` +
      `drain ${num(t.drainSeconds, 1)}${t.drained ? "" : " (CAP REACHED)"}, alarm probe ${num(t.probeSeconds, 1)}).`,
  );
  lines.push(r.kept ? `Relay log and storage kept in ${r.workdir} (workerd.log).` : "Temporary directory removed.");
  lines.push(r.failures.length === 0 ? "RESULT: PASS" : `RESULT: FAIL — ${r.failures.join("; ")}`);
  return lines.join("\n");
}

/** @param {DirectionResult} d */
function latency(d) {
  const s = (/** @type {number} */ ms) => num(ms / 1000, 2);
  return `${s(d.latencyMs.p50)} / ${s(d.latencyMs.p99)} / ${s(d.latencyMs.max)}`;
}

/**
 * @param {string} name
 * @param {number} fallback
 */
function envNumber(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number`);
  return n;
}

if (isMain(import.meta.url)) {
  /** @type {Partial<SoakOptions>} */
  const options = {
    outbound: envNumber("SOAK_OUTBOUND", SOAK_DEFAULTS.outbound),
    inbound: envNumber("SOAK_INBOUND", SOAK_DEFAULTS.inbound),
    conversations: envNumber("SOAK_CONVERSATIONS", SOAK_DEFAULTS.conversations),
    driveSeconds: envNumber("SOAK_DRIVE_SECONDS", SOAK_DEFAULTS.driveSeconds),
    kills: envNumber("SOAK_KILLS", SOAK_DEFAULTS.kills),
    faults: envNumber("SOAK_FAULTS", SOAK_DEFAULTS.faults),
    drainCapSeconds: envNumber("SOAK_DRAIN_CAP_SECONDS", SOAK_DEFAULTS.drainCapSeconds),
    retryTimeScale: process.env.SOAK_RETRY_TIME_SCALE || SOAK_DEFAULTS.retryTimeScale,
    alarmProbe: process.env.SOAK_ALARM_PROBE !== "0",
    keep: process.env.SOAK_KEEP === "1",
    tmpDir: process.env.SOAK_TMPDIR || SOAK_DEFAULTS.tmpDir,
  };
  let code = 1;
  const stop = (/** @type {string} */ signal) => {
    process.stderr.write(`\n${signal}: stopping\n`);
    process.exit(130); // the "exit" handler kills workerd
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
  try {
    const result = await runSoak(options);
    console.log(formatReport(result));
    code = result.failures.length === 0 ? 0 : 1;
  } catch (e) {
    console.error(`soak failed to run: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    code = 2;
  }
  // fetch may keep sockets referenced for a moment; the work is done.
  process.exit(code);
}
