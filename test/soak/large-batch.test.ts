/**
 * One signed WhatsApp Cloud webhook with 3,000 statuses for 3,000 customers, on raw workerd with SQLite
 * on disk (the runtime of a deployment): answered 200, or a clean 503 that the platform's redelivery
 * completes; every status reaches the business exactly once. Runs in Node beside the fault suite.
 */
import { createHmac } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRelay, freePort, loadFixtures, sleep, spawnWorkerd, writeWorkerdConfig } from "../../bench/workerd.mjs";
import { startBackend } from "../../sandbox/business-backend.js";
import { CLOUD_ACCOUNT_ID, CLOUD_APP_SECRET } from "../channels/whatsapp-cloud/account";
import { statusBatch } from "../channels/whatsapp-cloud/status-batch";

const STATUSES = 3000;
/**
 * Local workerd keeps every object it has used open for about ten seconds, and its SQLite runs out of
 * memory with a few thousand open at once: the relay then answers 503 and the redelivery stores the rest.
 */
const REDELIVERY_PAUSE_MS = 11_000;
// In memory where the machine has it: this is about bounds and counts, not about the disk's speed.
const work = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "relay-batch-"));
let relayUrl = "";
let stop = async () => {};
let backendEvents: () => { payload: { status?: { platformMessageId?: string } } }[] = () => [];

beforeAll(async () => {
  const [, fixtures] = await Promise.all([buildRelay(work), loadFixtures(work)]);
  const backend = await startBackend({ secret: fixtures.ENDPOINT_SECRET, quiet: true });
  const config = fixtures.relayConfig({ containerUrl: "http://127.0.0.1:9", backendUrl: backend.url, accessTeamUrl: "http://127.0.0.1:9", platformUrls: {} });
  const port = await freePort();
  writeWorkerdConfig(work, { relayModule: "index.js", relayPort: port, doDir: mkdtempSync(join(work, "do-")), relayConfig: JSON.stringify(config), retryTimeScale: "0.01" });
  const relay = await spawnWorkerd({ dir: work, logPath: join(work, "relay.log"), ports: [port] });
  relayUrl = `http://127.0.0.1:${port}`;
  backendEvents = () => backend.state.events as ReturnType<typeof backendEvents>;
  stop = async () => {
    relay.kill("SIGKILL");
    await backend.close();
  };
}, 120_000);

afterAll(async () => {
  await stop();
  rmSync(work, { recursive: true, force: true });
});

describe("a large platform batch", () => {
  it(`${STATUSES.toLocaleString("en")} statuses in one webhook are stored and forwarded exactly once`, async () => {
    const prefix = `wamid.batch-${Date.now()}-`;
    const body = statusBatch(STATUSES, prefix);
    const signature = `sha256=${createHmac("sha256", CLOUD_APP_SECRET).update(body).digest("hex")}`;
    const deliver = () =>
      fetch(`${relayUrl}/webhooks/whatsapp-cloud/${CLOUD_ACCOUNT_ID}`, {
        method: "POST",
        body,
        headers: { "content-type": "application/json", "x-hub-signature-256": signature },
      });
    const answers: number[] = [];
    // Meta delivers again, backing off (by minutes; here long enough for idle objects to be let go), until it gets a 200.
    for (let i = 0; i < 10 && answers.at(-1) !== 200; i++) {
      if (i > 0) await sleep(REDELIVERY_PAUSE_MS);
      const res = await deliver();
      answers.push(res.status);
      if (res.status === 503) expect(res.headers.get("retry-after")).toBeTruthy();
      await res.body?.cancel();
    }
    expect(answers.every((s) => s === 200 || s === 503), `answers ${answers.join(", ")}\n${readFileSync(join(work, "relay.log"), "utf8").split("\n").filter((l) => /error|Error/.test(l)).slice(0, 5).join("\n").slice(0, 3000)}`).toBe(true);
    expect(answers.at(-1)).toBe(200);
    expect((await deliver()).status).toBe(200);

    const ours = () => backendEvents().filter((e) => e.payload.status?.platformMessageId?.startsWith(prefix));
    for (let i = 0; i < 600 && ours().length < STATUSES; i++) await sleep(100);
    await sleep(1000);
    const forwarded = ours().map((e) => e.payload.status!.platformMessageId);
    expect(new Set(forwarded).size).toBe(STATUSES);
    expect(forwarded).toHaveLength(STATUSES);
  }, 240_000);
});
