// @ts-check
/**
 * `npm run bench:profile [ingest|webhooks|sends|statuses|batch] [seconds]`: where the relay's CPU goes
 * in one scenario. Runs the bundle on raw workerd with the V8 inspector on loopback, loads it as
 * `npm run bench` does (webhooks of one message; 500 webhooks of 20 messages, profiled until the backend
 * has every event; sends to 1,000 customers; the same sends with the container posting a `delivered` and
 * a `read` callback for each, profiled until the callbacks are all in; or 10 batches of 1,000), samples
 * it with the V8 CPU profiler meanwhile, and prints the functions by share of the busy samples, with and
 * without what they call. The profile is written to bench/results/<scenario>.cpuprofile for Chrome DevTools
 * (Performance > Load profile). The profiler slows the relay: compare shares, not rates.
 *
 * Node 20 needs `--experimental-websocket` for the inspector connection (the npm script passes it).
 */
// @ts-expect-error -- autocannon 8 ships no type declarations
import autocannon from "autocannon";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBackend } from "../sandbox/business-backend.js";
import { startContainer } from "../sandbox/whatsapp-container.js";
import { processCpuMs } from "./cpu.mjs";
import { ROOT, buildRelay, freePort, loadFixtures, sleep, spawnWorkerd, writeWorkerdConfig } from "./workerd.mjs";

const scenario = process.argv[2] ?? "ingest";
const seconds = Number(process.argv[3] ?? 10);
if (!["ingest", "webhooks", "sends", "statuses", "batch"].includes(scenario) || !(seconds > 0)) {
  console.error("usage: npm run bench:profile -- [ingest|webhooks|sends|statuses|batch] [seconds]");
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), "relay-profile-"));
mkdirSync(join(work, "do"));
/** @type {import("node:child_process").ChildProcess | undefined} */
let workerd;
process.on("exit", () => {
  workerd?.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

const [, fixtures] = await Promise.all([buildRelay(work, { minify: false }), loadFixtures(work)]);
const container = await startContainer({ ...fixtures.CONTAINER_LOGIN, access: fixtures.ACCESS, statusDelayMs: 1, statuses: scenario === "statuses" ? ["delivered", "read"] : [], quiet: true });
const backend = await startBackend({ secret: fixtures.ENDPOINT_SECRET, quiet: true });
const config = fixtures.relayConfig({ containerUrl: container.url, backendUrl: backend.url, accessTeamUrl: "http://127.0.0.1:9", platformUrls: {} });
// As in the benchmark: the account's rate above what is measured.
for (const tenant of config.tenants) for (const account of tenant.accounts ?? []) if (account.id === "wa-acme") Object.assign(account, { rate: { perSecond: 2000 } });
const [relayPort, inspectorPort] = [await freePort(), await freePort()];
writeWorkerdConfig(work, { relayModule: "index.js", relayPort, doDir: join(work, "do"), relayConfig: JSON.stringify(config), retryTimeScale: "1" });
workerd = await spawnWorkerd({ dir: work, logPath: join(work, "workerd.log"), ports: [relayPort, inspectorPort], args: [`--inspector-addr=127.0.0.1:${inspectorPort}`] });
const relayUrl = `http://127.0.0.1:${relayPort}`;
const webhookPath = `/webhooks/whatsapp/wa-acme?secret=${encodeURIComponent(fixtures.WEBHOOK_SECRET)}`;
container.state.webhookUrl = `${relayUrl}${webhookPath}`;

// The Chrome DevTools protocol, over the inspector's WebSocket for the relay's isolate.
const socket = new WebSocket(`ws://127.0.0.1:${inspectorPort}/relay`);
/** @type {Map<number, (result: any) => void>} */
const waiting = new Map();
let nextId = 0;
socket.onmessage = (/** @type {MessageEvent} */ m) => {
  const message = JSON.parse(String(m.data));
  waiting.get(message.id)?.(message.result);
  waiting.delete(message.id);
};
await new Promise((resolve, reject) => {
  socket.onopen = resolve;
  socket.onerror = reject;
});
/** @param {string} method @param {object} [params] @returns {Promise<any>} */
const cdp = (method, params = {}) =>
  new Promise((resolve) => {
    const id = ++nextId;
    waiting.set(id, resolve);
    socket.send(JSON.stringify({ id, method, params }));
  });

const run = Date.now().toString(36);
let seq = 0;
const json = { "content-type": "application/json" };
const auth = { ...json, authorization: `Bearer ${fixtures.TEST_KEYS.acme}` };
await cdp("Profiler.enable");
await cdp("Profiler.setSamplingInterval", { interval: 250 });
await cdp("Profiler.start");
const cpuBefore = processCpuMs(workerd.pid);
let accepted = 0;
if (scenario === "batch") {
  for (let b = 0; b < 10; b++) {
    const recipients = Array.from({ length: 1000 }, (_, i) => ({ to: `49${1_700_000_000 + b * 1000 + i}` }));
    const res = await fetch(`${relayUrl}/v1/messages/batch`, { method: "POST", headers: auth, body: JSON.stringify({ content: { type: "text", text: `sale ${run}` }, recipients }) });
    if (res.ok) accepted += 1000;
  }
  await sleep(seconds * 1000);
} else if (scenario === "webhooks") {
  // Each message from another customer, as a busy number's callback carries them; the seconds are ignored.
  const instance = autocannon({ url: relayUrl, connections: 10, amount: 500, requests: [{
    method: "POST",
    path: webhookPath,
    headers: json,
    setupRequest: (/** @type {any} */ req) => {
      const messages = Array.from({ length: 20 }, () => ({ from: `49${1_500_000_000 + (seq % 1000)}`, id: `ABGGm${run}${seq++}`, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "Hi" } }));
      return { ...req, body: JSON.stringify({ contacts: messages.map((m) => ({ profile: { name: "Customer" }, wa_id: m.from })), messages }) };
    },
  }] });
  instance.on("response", (/** @type {unknown} */ _c, /** @type {number} */ status) => void (status < 300 && (accepted += 20)));
  await instance;
  // Every event at the backend, or a minute without a new one (then the profile says so in its rate).
  for (let last = -1, since = Date.now(); backend.state.events.length < accepted && Date.now() - since < 60_000; await sleep(100)) {
    if (backend.state.events.length !== last) [last, since] = [backend.state.events.length, Date.now()];
  }
} else {
  const request =
    scenario === "ingest"
      ? {
          method: "POST",
          path: webhookPath,
          headers: json,
          setupRequest: (/** @type {any} */ req) => {
            const from = `49${1_500_000_000 + (seq % 1000)}`;
            const message = { from, id: `ABGG${run}${seq++}`, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "Hello" } };
            return { ...req, body: JSON.stringify({ contacts: [{ profile: { name: "Customer" }, wa_id: from }], messages: [message] }) };
          },
        }
      : {
          method: "POST",
          path: "/api/v7/chat",
          headers: auth,
          setupRequest: (/** @type {any} */ req) => ({ ...req, body: JSON.stringify({ id: `49${1_600_000_000 + (seq % 1000)}`, message: `profile ${run} ${seq++}` }) }),
        };
  const instance = autocannon({ url: relayUrl, connections: 10, duration: seconds, requests: [request] });
  instance.on("response", (/** @type {unknown} */ _c, /** @type {number} */ status) => void (status < 300 && accepted++));
  await instance;
  // The container posts its callbacks one at a time: they go on after the load.
  while (container.state.pending > 0) await sleep(100);
}
const cpuMs = processCpuMs(workerd.pid) - cpuBefore;
const { profile } = await cdp("Profiler.stop");
socket.close();
mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
const file = join(ROOT, "bench", "results", `${scenario}.cpuprofile`);
writeFileSync(file, JSON.stringify(profile));

/** @typedef {{ id: number, callFrame: { functionName: string, lineNumber: number }, children?: number[] }} ProfileNode */
const nodes = /** @type {ProfileNode[]} */ (profile.nodes);
const byId = new Map(nodes.map((n) => [n.id, n]));
const parent = new Map(nodes.flatMap((n) => (n.children ?? []).map((c) => [c, n.id])));
const label = (/** @type {ProfileNode} */ n) => `${n.callFrame.functionName || "(anonymous)"}:${n.callFrame.lineNumber + 1}`;
/** @type {Map<string, number>} */
const self = new Map();
/** @type {Map<string, number>} */
const total = new Map();
let busy = 0;
for (const sample of /** @type {number[]} */ (profile.samples)) {
  const leaf = byId.get(sample);
  if (!leaf || leaf.callFrame.functionName === "(idle)") continue;
  busy++;
  self.set(label(leaf), (self.get(label(leaf)) ?? 0) + 1);
  const seen = new Set();
  for (let id = /** @type {number | undefined} */ (sample); id !== undefined; id = parent.get(id)) {
    const name = label(/** @type {ProfileNode} */ (byId.get(id)));
    if (!seen.has(name)) total.set(name, (total.get(name) ?? 0) + 1);
    seen.add(name);
  }
}
const top = (/** @type {Map<string, number>} */ m) =>
  [...m].filter(([name]) => !name.startsWith("(root)")).sort((a, b) => b[1] - a[1]).slice(0, 25).map(([name, n]) => `${((100 * n) / busy).toFixed(1).padStart(5)}%  ${name}`);
console.log(`${scenario}: ${accepted} accepted in ${seconds} s; workerd CPU ${(cpuMs / Math.max(1, accepted)).toFixed(3)} ms per accepted item (with the profiler on)`);
console.log(`busy samples ${busy} of ${profile.samples.length}; lines are in the bundle (${join(work, "index.js")} while running)\n`);
console.log("self (the function's own code):\n" + top(self).join("\n"));
console.log("\nwith what it calls:\n" + top(total).join("\n"));
console.log(`\nprofile: ${file}`);
await Promise.allSettled([container.close(), backend.close()]);
process.exit(0);
