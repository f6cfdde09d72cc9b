/**
 * The web console in Chromium against the sandbox as `npm start` runs it (wrangler dev, the WhatsApp
 * container stand-in, the business backend), on free ports with storage of its own. Every page the
 * browser loads is watched: an exception, a console error or an HTTP failure the test did not provoke
 * fails the test.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, SANDBOX_ADMIN_KEY, SANDBOX_CUSTOMER, startSandbox } from "../../sandbox/sandbox.mjs";
import { CONSOLE_BUDGET_KIB } from "../../scripts/console-budget.mjs";
import { type ExpectedFailure, launchBrowser, PageWatch, screenshot } from "./support";

const SANDBOX_KEY = "sandbox";
const DESKTOP = { width: 1280, height: 800 };
/** The narrowest phone the console is made for. */
const PHONE = { width: 360, height: 780 };
/** How long a message may take to be read in the sandbox (the container reports each status 100 ms apart). */
const READ_WITHIN_MS = 60_000;

let sandbox: Sandbox;
let browser: Browser;
let dir: string;
let relay: string;
const watches: PageWatch[] = [];
const contexts: BrowserContext[] = [];

const bearer = (key: string) => ({ authorization: `Bearer ${key}`, "content-type": "application/json" });

async function apiCall<T>(key: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(relay + path, { method, headers: bearer(key), ...(body !== undefined && { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Evaluates an expression in the page (a string: these tests are type-checked without the DOM's types). */
const inPage = <T>(page: Page, expression: string) => page.evaluate<T>(expression);

/** Polls until `check` gives a value, or fails after `ms`. */
async function eventually<T>(check: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function newPage(viewport = DESKTOP): Promise<{ page: Page; watch: PageWatch }> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  const page = await context.newPage();
  const watch = new PageWatch(page);
  watches.push(watch);
  return { page, watch };
}

async function signIn(page: Page, key: string, as: "tenant" | "operator"): Promise<void> {
  await page.goto(`${relay}/console/`);
  await page.getByLabel(as === "tenant" ? "A tenant (API key or JWT)" : "The relay's operator (operator key)").check();
  await page.getByLabel("Key or token").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** Opens a page of the console from its navigation, and waits for its heading. */
async function open(page: Page, link: string, heading: string | RegExp): Promise<void> {
  await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: link, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
}

/** Sends a text from the Send page and returns its id once the page shows it queued. */
async function sendFromPage(page: Page, text: string): Promise<string> {
  await open(page, "Send", "Send a test message");
  await page.getByLabel(/^To/).fill(SANDBOX_CUSTOMER);
  await page.getByLabel("Text").fill(text);
  await page.getByRole("button", { name: "Send", exact: true }).click();
  const queued = await page.getByText(/^Queued as msg_/).textContent();
  return /msg_[A-Za-z0-9_-]+/.exec(queued ?? "")![0];
}

/**
 * Refreshes the page's list until `locator` shows: a failed message becomes a dead letter when its
 * status has reached the endpoint's outbox, a moment after the message's own record.
 */
async function untilShown(page: Page, locator: ReturnType<Page["getByText"]>): Promise<void> {
  await eventually(
    async () => {
      if ((await locator.count()) > 0) return true;
      await page.getByRole("button", { name: "Refresh" }).click();
      await page.waitForTimeout(300);
      return undefined;
    },
    READ_WITHIN_MS,
    "the dead letter to be listed",
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "console-test-"));
  sandbox = await startSandbox({ quiet: true, persistTo: join(dir, "state"), stateDir: dir, statusDelayMs: 100, retryTimeScale: 0.01 });
  relay = sandbox.relayUrl;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  const problems = watches.flatMap((w) => w.problems);
  watches.length = 0;
  await Promise.all(contexts.splice(0).map((c) => c.close()));
  expect(problems).toEqual([]);
});

describe("the console", () => {
  it("is served by the relay beside its API, within its size budget", async () => {
    const page = await fetch(`${relay}/console/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("app.js");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    const redirect = await fetch(`${relay}/console`, { redirect: "manual" });
    expect(redirect.status).toBe(307);
    // The Worker still answers everything else.
    expect((await fetch(`${relay}/health`)).status).toBe(200);
    expect((await fetch(`${relay}/openapi.json`)).status).toBe(200);
    expect((await fetch(`${relay}/v1/dead-letters`)).status).toBe(401);
    const unknown = await fetch(`${relay}/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toBe("application/problem+json");

    const built = join("public", "console");
    const gzipped = readdirSync(built).reduce((n, f) => n + gzipSync(readFileSync(join(built, f))).length, 0);
    expect(gzipped).toBeLessThan(CONSOLE_BUDGET_KIB * 1024);
  });

  it("refuses a wrong key in words, and keeps a good one in session storage only", async () => {
    const { page, watch } = await newPage();
    await page.goto(`${relay}/console/`);
    await screenshot(page, "sign-in");
    await watch.expecting([{ path: /^\/v1\//, status: 401 }], async () => {
      await page.getByLabel("Key or token").fill("not-a-key");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("alert").getByText("Could not sign in: The API key is not valid.").waitFor();
    });
    await page.getByLabel("Key or token").fill(SANDBOX_KEY);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    expect(page.url()).not.toContain(SANDBOX_KEY);
    expect(await page.context().cookies()).toEqual([]);
    expect(await inPage<string>(page, "JSON.stringify(sessionStorage)")).toContain(SANDBOX_KEY);
    expect(await inPage<string>(page, "JSON.stringify(localStorage)")).not.toContain(SANDBOX_KEY);
    // A reload keeps the tab signed in; signing out forgets the key.
    await page.reload();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    expect(await inPage<string>(page, "JSON.stringify(sessionStorage)")).not.toContain(SANDBOX_KEY);
  });

  it("is used by keyboard: the pages are links, and opening one focuses its heading", async () => {
    const { page } = await newPage();
    await signIn(page, SANDBOX_KEY, "tenant");
    let focused = "";
    for (let i = 0; i < 20 && focused !== "Messages"; i++) {
      await page.keyboard.press("Tab");
      focused = await inPage<string>(page, "document.activeElement?.textContent ?? ''");
    }
    expect(focused).toBe("Messages");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Messages" }).waitFor();
    expect(await inPage<string>(page, "document.activeElement?.tagName")).toBe("H1");
    expect(await inPage<string>(page, "location.hash")).toBe("#/messages");
  });

  it("labels every control of every page, and marks the page open", async () => {
    /** What a page gets wrong: controls without a label, buttons without a name, not one heading 1. */
    const audit = `(() => {
      const unlabelled = [...document.querySelectorAll("input, select, textarea")]
        .filter((e) => e.type !== "hidden" && !(e.labels && e.labels.length) && !e.getAttribute("aria-label") && !e.getAttribute("aria-labelledby"))
        .map((e) => e.outerHTML);
      const nameless = [...document.querySelectorAll("button")].filter((b) => !b.textContent.trim() && !b.getAttribute("aria-label")).map((b) => b.outerHTML);
      const current = [...document.querySelectorAll("nav a[aria-current=page]")].map((a) => a.textContent);
      return { unlabelled, nameless, headings: document.querySelectorAll("h1").length, current };
    })()`;
    const pages = {
      tenant: ["Overview", "Send", "Messages", "Conversations", "Dead letters", "Accounts", "Endpoints", "API keys"],
      operator: ["Tenants", "Totals"],
    };
    for (const [as, key] of [["tenant", SANDBOX_KEY], ["operator", SANDBOX_ADMIN_KEY]] as const) {
      const { page } = await newPage();
      await page.goto(`${relay}/console/`);
      expect(await inPage(page, audit), "sign-in").toEqual({ unlabelled: [], nameless: [], headings: 1, current: [] });
      await signIn(page, key, as);
      for (const link of pages[as]) {
        await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: link, exact: true }).click();
        await page.locator("h1:focus").waitFor();
        await page.waitForLoadState("networkidle");
        expect(await inPage(page, audit), link).toEqual({ unlabelled: [], nameless: [], headings: 1, current: [link] });
      }
    }
  });

  it("sends the seed's message from the page and follows its status to read", async () => {
    const { page } = await newPage();
    await signIn(page, SANDBOX_KEY, "tenant");
    await page.getByText("Tenant sandbox").waitFor();
    const id = await sendFromPage(page, "Hello world!");
    await page.getByText(`Message ${id} is read.`).waitFor({ timeout: READ_WITHIN_MS });
    const history = await page.locator("table.history tbody tr td:first-child").allTextContents();
    expect(history).toEqual(["queued", "sent", "delivered", "read"]);
    await screenshot(page, "send");

    // The same message, found again under Messages: by its id, and in the list.
    await open(page, "Messages", "Messages");
    await page.getByLabel("Message id").fill(id);
    await page.getByRole("button", { name: "Open", exact: true }).click();
    await page.getByRole("table", { name: `Status history of ${id}` }).waitFor();
    await page.getByLabel("Status").selectOption("read");
    await page.getByRole("button", { name: "Apply filters" }).click();
    const listed = page.getByRole("table", { name: "Messages, newest first" }).getByRole("row").filter({ hasText: "Hello world!" }).first();
    await listed.waitFor();
    await listed.getByRole("button", { name: "Details" }).click();
    await page.getByRole("table", { name: `Status history of ${id}` }).nth(1).waitFor();
  });

  it("shows a message that failed for good as a dead letter, and replays it", async () => {
    const { page } = await newPage();
    await signIn(page, SANDBOX_KEY, "tenant");
    // The container refuses the next send to the customer for good (400, its code 1008).
    const fault = await fetch(`${sandbox.container.url}/_sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: 400, count: 1, to: SANDBOX_CUSTOMER, path: "/v1/messages" }),
    });
    expect(fault.status).toBe(200);
    const id = await sendFromPage(page, "This one is refused");
    await page.getByText(`Message ${id} is failed.`).waitFor({ timeout: READ_WITHIN_MS });

    await open(page, "Dead letters", "Dead letters");
    const row = page.getByRole("row").filter({ has: page.getByText(id, { exact: true }) });
    await untilShown(page, row);
    expect(await row.textContent()).toMatch(/message/);
    await screenshot(page, "dead-letters");
    await row.getByRole("button", { name: `Replay ${id}` }).click();
    await page.getByText(`Replayed ${id}: the message is queued again.`).waitFor();
    // Queued again, it goes out: the container no longer refuses.
    const read = await eventually(
      async () => {
        const m = await apiCall<{ status: string }>(SANDBOX_KEY, "GET", `/v1/messages/${id}`);
        return m.body.status === "read" ? m.body : undefined;
      },
      READ_WITHIN_MS,
      `${id} to be read after its replay`,
    );
    expect(read.status).toBe("read");
    await page.getByRole("button", { name: "Refresh" }).click();
    await page.getByText(id, { exact: true }).waitFor({ state: "detached" });
  });

  it("replays every dead letter a filter shows", async () => {
    const { page } = await newPage();
    await signIn(page, SANDBOX_KEY, "tenant");
    await fetch(`${sandbox.container.url}/_sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: 400, count: 2, to: SANDBOX_CUSTOMER, path: "/v1/messages" }),
    });
    const first = await sendFromPage(page, "Refused one");
    await page.getByText(`Message ${first} is failed.`).waitFor({ timeout: READ_WITHIN_MS });
    const second = await sendFromPage(page, "Refused two");
    await page.getByText(`Message ${second} is failed.`).waitFor({ timeout: READ_WITHIN_MS });

    await open(page, "Dead letters", "Dead letters");
    await page.getByLabel("Kind").selectOption("message");
    await untilShown(page, page.getByText("2 of 2 dead letters shown."));
    await page.getByRole("button", { name: "Replay all 2 shown" }).click();
    await page.getByRole("button", { name: "Yes, replay them" }).click();
    await page.getByText("Replayed all 2.").waitFor();
    await page.getByText("0 of 0 dead letters shown.").waitFor();
    for (const id of [first, second]) {
      await eventually(async () => ((await apiCall<{ status: string }>(SANDBOX_KEY, "GET", `/v1/messages/${id}`)).body.status === "read" ? true : undefined), READ_WITHIN_MS, `${id} to be read`);
    }
  });

  it("lists conversations with their window, accounts with their webhook URL and health, endpoints with their deliveries", async () => {
    const { page } = await newPage();
    await signIn(page, SANDBOX_KEY, "tenant");

    await open(page, "Conversations", "Conversations");
    const conversation = page.getByRole("row").filter({ hasText: SANDBOX_CUSTOMER });
    await conversation.waitFor();
    expect(await conversation.textContent()).toContain("open");
    await screenshot(page, "conversations");

    await open(page, "Accounts", "Accounts");
    await page.getByText(`${relay}/webhooks/whatsapp/sandbox-wa`).waitFor();
    await page.getByRole("row").filter({ hasText: "sandbox-wa" }).getByText("ok", { exact: true }).waitFor();
    await screenshot(page, "accounts");

    await open(page, "Endpoints", "Endpoints");
    const endpoint = page.getByRole("row").filter({ hasText: "/webhooks" }).first();
    await endpoint.getByText("enabled").waitFor();
    expect(await endpoint.textContent()).toMatch(/delivered \d/);
    await endpoint.getByRole("button", { name: "Details" }).click();
    // The sandbox's backend took every event: the log shows 200s.
    const log = page.getByRole("table", { name: /^Recent deliveries to/ });
    await log.getByText("delivered").first().waitFor();
    expect(await log.locator("tbody tr").first().textContent()).toContain("200");
    await page.getByRole("button", { name: "Enable default" }).click();
    await page.getByText(/^default enabled; \d+ events are due now\.$/).waitFor();

    // A message sent in this hour shows in its figures.
    const sent = await apiCall<{ id: string }>(SANDBOX_KEY, "POST", "/api/v7/chat", { id: SANDBOX_CUSTOMER, message: "Counted" });
    await eventually(async () => ((await apiCall<{ status: string }>(SANDBOX_KEY, "GET", `/v1/messages/${sent.body.id}`)).body.status === "read" ? true : undefined), READ_WITHIN_MS, "the message to be read");
    await open(page, "Overview", "Overview: the last hour");
    const activity = page.getByRole("img", { name: /^Messages and events per minute/ });
    await activity.waitFor();
    expect(await activity.locator("desc").textContent()).toMatch(/Sent: \d/);
    await page.getByText("Failures by reason", { exact: true }).waitFor();
    await page.getByRole("img", { name: /^Delivery latency/ }).waitFor();
  });

  it("creates a key, shows it once, and revokes it", async () => {
    const { page } = await newPage();
    await signIn(page, SANDBOX_KEY, "tenant");
    await open(page, "API keys", "API keys");
    await page.getByLabel("messages:send").uncheck();
    await page.getByRole("button", { name: "Create key" }).click();
    const key = (await page.locator("code.key").textContent()) ?? "";
    expect(key).toMatch(/^mr_[0-9a-f]{48}$/);
    const keyId = /key_[0-9a-f]+/.exec((await page.getByRole("heading", { name: /^New key / }).textContent()) ?? "")![0];
    // The key works, with the scopes chosen.
    expect((await apiCall(key, "GET", "/v1/conversations")).status).toBe(200);
    expect((await apiCall(key, "POST", "/api/v7/chat", { id: SANDBOX_CUSTOMER, message: "x" })).status).toBe(403);

    const row = page.getByRole("row").filter({ hasText: keyId });
    expect(await row.textContent()).toContain(`…${key.slice(-4)}`);
    expect(await row.textContent()).not.toContain("……");
    await screenshot(page, "api-keys");
    await page.getByRole("button", { name: "I have stored it" }).click();
    expect(await page.content()).not.toContain(key);

    await row.getByRole("button", { name: `Revoke key ${keyId}` }).click();
    await row.getByRole("button", { name: `Confirm: revoke key ${keyId}` }).click();
    await page.getByText(`Key ${keyId} is revoked`).waitFor();
    await page.getByRole("row").filter({ hasText: keyId }).getByText("revoked", { exact: true }).waitFor();
    // Refused everywhere within 30 s (at once on the isolate that revoked it).
    await eventually(async () => ((await apiCall(key, "GET", "/v1/conversations")).status === 401 ? true : undefined), 35_000, "the revoked key to be refused");
  });

  it("lets the operator see, create, suspend and resume every tenant", async () => {
    const { page } = await newPage();
    await signIn(page, SANDBOX_ADMIN_KEY, "operator");
    await page.getByRole("heading", { level: 1, name: "Tenants" }).waitFor();
    await page.getByRole("row").filter({ hasText: "sandbox" }).first().waitFor();

    await page.getByLabel("Id", { exact: true }).fill("other");
    await page.getByLabel("Name").fill("Another shop");
    await page.getByRole("button", { name: "Create tenant" }).click();
    await page.getByText("Tenant other created.").waitFor();
    const other = page.getByRole("row").filter({ hasText: "Another shop" });
    await other.getByRole("button", { name: "Suspend tenant other" }).click();
    await other.getByText("suspended", { exact: true }).waitFor();
    expect((await apiCall<{ status: string }>(SANDBOX_ADMIN_KEY, "GET", "/admin/v1/tenants/other")).body.status).toBe("suspended");
    await other.getByRole("button", { name: "Resume tenant other" }).click();
    await other.getByText("active", { exact: true }).waitFor();
    await screenshot(page, "tenants");

    await open(page, "Totals", "Totals per tenant");
    const totals = page.getByRole("table", { name: "Per tenant, the last hour" });
    await totals.getByRole("row").filter({ hasText: "sandbox" }).waitFor();
    await totals.getByRole("row").filter({ hasText: "other" }).waitFor();

    // A tenant's own pages, through the operator's key (X-Relay-Tenant).
    await open(page, "Tenants", "Tenants");
    await page.getByRole("button", { name: "Open tenant sandbox" }).click();
    await page.getByText("You are looking at tenant sandbox with your operator key.").waitFor();
    await page.getByText("Operator, viewing tenant sandbox").waitFor();
    await open(page, "Conversations", "Conversations");
    await page.getByRole("row").filter({ hasText: SANDBOX_CUSTOMER }).waitFor();
    const seen = await apiCall<{ id: string }>(SANDBOX_KEY, "POST", "/api/v7/chat", { id: SANDBOX_CUSTOMER, message: "Seen by the operator" });
    expect(seen.status).toBe(202);
    await open(page, "Messages", "Messages");
    await page.getByRole("table", { name: "Messages, newest first" }).getByRole("row").filter({ hasText: "Seen by the operator" }).waitFor();
    await page.getByRole("button", { name: "Back to the operator's pages" }).click();
    await page.getByRole("heading", { level: 1, name: "Tenants" }).waitFor();
  });

  it("shows a tenant nothing of another's", async () => {
    // The operator's test creates it; run alone, this one does (409 when it exists is fine).
    await apiCall(SANDBOX_ADMIN_KEY, "POST", "/admin/v1/tenants", { id: "other", name: "Another shop" });
    const created = await apiCall<{ key: string }>(SANDBOX_ADMIN_KEY, "POST", "/admin/v1/tenants/other/api-keys", {
      scopes: ["messages:send", "messages:read", "accounts:write", "endpoints:write", "keys:write"],
    });
    expect(created.status).toBe(201);
    const sandboxMessage = (await apiCall<{ id: string }>(SANDBOX_KEY, "POST", "/api/v7/chat", { id: SANDBOX_CUSTOMER, message: "Only for sandbox" })).body.id;

    const { page, watch } = await newPage();
    await signIn(page, created.body.key, "tenant");
    await page.getByText("Tenant other").waitFor();
    await open(page, "Messages", "Messages");
    await watch.expecting([{ method: "GET", path: /^\/v1\/messages\/msg_/, status: 404 }], async () => {
      await page.getByLabel("Message id").fill(sandboxMessage);
      await page.getByRole("button", { name: "Open", exact: true }).click();
      await page.getByRole("alert").getByText(`There is no message '${sandboxMessage}' in your tenant.`).waitFor();
    });
    await page.getByText("No messages match.").waitFor();
    await open(page, "Conversations", "Conversations");
    await page.getByText("No conversations match.").waitFor();
    await open(page, "Dead letters", "Dead letters");
    await page.getByText("No dead letters: nothing has failed for good.").waitFor();
    await open(page, "Accounts", "Accounts");
    await page.getByText("No accounts yet").waitFor();
    await open(page, "API keys", "API keys");
    await page.getByRole("table", { name: "API keys" }).getByText(`…${created.body.key.slice(-4)}`).waitFor();
    const keys = await page.getByRole("table", { name: "API keys" }).locator("tbody tr").allTextContents();
    expect(keys).toHaveLength(1);
    expect(keys.join(" ")).toContain(created.body.key.slice(-4));
    expect(await page.content()).not.toContain("sandbox-wa");
  });

  it("reads at 360 px wide without sideways scrolling of the page", async () => {
    const { page } = await newPage(PHONE);
    await signIn(page, SANDBOX_KEY, "tenant");
    for (const [link, heading] of [
      ["Send", "Send a test message"],
      ["Messages", "Messages"],
      ["Dead letters", "Dead letters"],
      ["Conversations", "Conversations"],
      ["Overview", "Overview: the last hour"],
    ] as const) {
      await open(page, link, heading);
      // Tables scroll inside their own region; the page itself fits the screen.
      expect(await inPage<number>(page, "document.documentElement.scrollWidth"), link).toBeLessThanOrEqual(PHONE.width);
    }
    await open(page, "Send", "Send a test message");
    await screenshot(page, "phone-send");
    await open(page, "Conversations", "Conversations");
    await page.getByRole("row").filter({ hasText: SANDBOX_CUSTOMER }).waitFor();
    await screenshot(page, "phone-conversations");
  });

  it("keeps only a page of 10,000 dead letters in the document", async () => {
    const { page } = await newPage();
    const letters = Array.from({ length: 10_000 }, (_, i) => ({
      id: `msg_bulk${String(i).padStart(5, "0")}`,
      kind: "message",
      conversation: { tenant: "sandbox", channel: "whatsapp", account: "sandbox-wa", peer: `49151${String(i).padStart(7, "0")}` },
      reason: i % 3 === 0 ? "recipient_invalid" : "window_closed",
      attempts: 1,
      at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    }));
    // The relay answers at most 1,000 at a time; here the page gets ten times that, as a stress test.
    await page.route(/\/v1\/dead-letters\?/, (route) => route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ items: letters }) }));
    await signIn(page, SANDBOX_KEY, "tenant");
    await open(page, "Dead letters", "Dead letters");
    await page.getByText("10,000 of 10,000 dead letters shown.").waitFor();
    const rows = page.getByRole("table", { name: "Dead letters, oldest first" }).locator("tbody tr");
    expect(await rows.count()).toBe(50);
    await page.getByRole("button", { name: "Next page" }).click();
    await page.getByText("Page 2: rows 51–100").waitFor();
    expect(await rows.count()).toBe(50);
    expect(await rows.first().textContent()).toContain("msg_bulk00050");
    await page.getByLabel("Reason").selectOption("recipient_invalid");
    await page.getByText("3,334 of 10,000 dead letters shown.").waitFor();
    await page.getByText("Page 1: rows 1–50").waitFor();
    expect(await rows.count()).toBe(50);
    await page.getByRole("button", { name: "Previous page" }).isDisabled();
  });
});

/** Fixed figures in the shapes of `GET /v1/stats` and its kin, so that what the pages draw is known. */
const HOUR_END = Date.UTC(2026, 10, 30, 9, 0);
function sampleStats(scale = 1) {
  const minutes = Array.from({ length: 60 }, (_, i) => {
    const wave = Math.round((Math.sin(i / 6) + 1.2) * 10 * scale);
    return { minute: new Date(HOUR_END - (59 - i) * 60_000).toISOString(), messages: wave + 4, sent: wave + 3, failed: i % 7 === 0 ? 2 : 0, received: Math.round(wave / 2), delivered: wave + Math.round(wave / 2) };
  });
  return {
    from: minutes[0]!.minute,
    to: new Date(HOUR_END + 60_000).toISOString(),
    minutes,
    failuresByReason: { window_closed: Math.round(12 * scale), recipient_invalid: Math.round(4 * scale), endpoint_http_5xx: Math.round(2 * scale) },
    deliveryLatencyMs: { p50: 84, p90: 310, p99: 1240 },
    totals: { queued: Math.round(3 * scale), retrying: 1, dead: 2 },
    byChannel: {
      whatsapp: { messages: Math.round(800 * scale), sent: Math.round(790 * scale), failed: Math.round(10 * scale), received: Math.round(400 * scale) },
      telegram: { messages: Math.round(120 * scale), sent: Math.round(118 * scale), failed: Math.round(2 * scale), received: Math.round(90 * scale) },
    },
  };
}
const json = (body: unknown) => ({ status: 200, contentType: "application/json", body: JSON.stringify(body) });
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe("the console's pictures and pages, over answers of known shape", () => {
  it("draws the last hour as charts, each with its figures in words", async () => {
    const { page } = await newPage();
    const stats = sampleStats();
    await page.route(/\/v1\/stats\?/, (route) => route.fulfill(json(stats)));
    await signIn(page, SANDBOX_KEY, "tenant");
    await open(page, "Overview", "Overview: the last hour");
    const activity = page.getByRole("img", { name: /^Messages and events per minute/ });
    await activity.waitFor();
    expect(await activity.locator("polyline").count()).toBe(5);
    const sent = sum(stats.minutes.map((m) => m.sent));
    expect(await activity.locator("desc").textContent()).toContain(`Sent: ${sent.toLocaleString("en-US")} in all`);
    const failures = page.getByRole("img", { name: /^Failures by reason/ });
    expect(await failures.locator("desc").textContent()).toBe("window_closed: 12, recipient_invalid: 4, endpoint_http_5xx: 2");
    expect(await page.getByRole("img", { name: /^Delivery latency/ }).locator("desc").textContent()).toBe("p50: 84 ms, p90: 310 ms, p99: 1.2 s");
    // Each chart's data as a table, for whoever does not see the picture.
    await page.getByText("Messages and events per minute: the data as a table").click();
    const table = page.getByRole("region", { name: "Messages and events per minute" }).getByRole("table");
    expect(await table.locator("tbody tr").count()).toBe(60);
    await page.getByText("Queued", { exact: true }).waitFor();
    await page.getByRole("table", { name: "By channel" }).getByText("telegram").waitFor();
    await page.getByText("Messages and events per minute: the data as a table").click();
    await screenshot(page, "overview");
  });

  it("pages through messages with the API's cursors, forwards and back", async () => {
    const { page } = await newPage();
    const asked: URLSearchParams[] = [];
    const record = (n: number) => ({
      id: `msg_sample${String(n).padStart(4, "0")}`,
      conversation: { tenant: "sandbox", channel: "whatsapp", account: "sandbox-wa", peer: `4915100000${String(n % 50).padStart(2, "0")}` },
      content: { type: "text", text: `Your order ${1000 + n} has shipped` },
      reference: `order-${1000 + n}`,
      status: n % 9 === 0 ? "failed" : n % 3 === 0 ? "delivered" : "read",
      attempts: n % 9 === 0 ? 3 : 1,
      ...(n % 9 === 0 && { error: { reason: "recipient_invalid", detail: "not a WhatsApp user" } }),
      createdAt: new Date(HOUR_END - n * 60_000).toISOString(),
      history: [
        { status: "queued", at: new Date(HOUR_END - n * 60_000).toISOString() },
        { status: "sent", at: new Date(HOUR_END - n * 60_000 + 800).toISOString() },
      ],
    });
    // As a list merged from many stores answers: a full page, a short one, an empty one that goes on, the last.
    const pages: Record<string, { first: number; count: number; next?: string }> = {
      p1: { first: 1, count: 50, next: "p2" },
      p2: { first: 51, count: 12, next: "p3" },
      p3: { first: 63, count: 0, next: "p4" },
      p4: { first: 63, count: 50 },
    };
    await page.route(/\/v1\/messages\?/, (route) => {
      const q = new URL(route.request().url()).searchParams;
      asked.push(q);
      const p = pages[q.get("cursor") ?? "p1"]!;
      const items = Array.from({ length: p.count }, (_, i) => record(p.first + i));
      return route.fulfill(json({ items, ...(p.next && { next: p.next }) }));
    });
    await page.route(/\/v1\/messages\/msg_sample/, (route) => route.fulfill(json(record(Number(/msg_sample(\d+)/.exec(route.request().url())![1])))));
    await signIn(page, SANDBOX_KEY, "tenant");
    await open(page, "Messages", "Messages");
    const rows = page.getByRole("table", { name: "Messages, newest first" }).locator("tbody tr:not(.details)");
    await page.getByText("Page 1: rows 1–50").waitFor();
    expect(await rows.count()).toBe(50);
    await screenshot(page, "messages");
    await page.getByRole("button", { name: "Next page" }).click();
    await page.getByText("Page 2: rows 51–62").waitFor();
    expect(await rows.count()).toBe(12);
    // The empty page is followed at once to the one after it.
    await page.getByRole("button", { name: "Next page" }).click();
    await page.getByText("Page 3: rows 63–112").waitFor();
    expect(await rows.first().textContent()).toContain("order-1063");
    expect(await page.getByRole("button", { name: "Next page" }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Previous page" }).click();
    await page.getByText("Page 2: rows 51–62").waitFor();
    await page.getByRole("button", { name: "Previous page" }).click();
    await page.getByText("Page 1: rows 1–50").waitFor();
    expect(asked.map((q) => q.get("cursor"))).toEqual([null, "p2", "p3", "p4", "p2", null]);

    // A row's details: its status history and attempts.
    await rows.first().getByRole("button", { name: "Details" }).click();
    await page.getByRole("table", { name: "Status history of msg_sample0001" }).waitFor();

    // Filters go to the API, and start again from the first page.
    await page.getByLabel("Recipient").fill("491510000042");
    await page.getByLabel("Status").selectOption("failed");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await eventually(async () => (asked.length === 7 ? true : undefined), 10_000, "the filtered page");
    const filtered = asked[6]!;
    expect([filtered.get("to"), filtered.get("status"), filtered.get("cursor")]).toEqual(["491510000042", "failed", null]);
  });

  it("shows an endpoint's recent deliveries with status, latency and attempt", async () => {
    const { page } = await newPage();
    const deliveries = Array.from({ length: 8 }, (_, i) => ({
      at: new Date(HOUR_END - i * 30_000).toISOString(),
      eventId: `evt_sample${i}`,
      attempt: i === 2 ? 3 : 1,
      ...(i !== 5 && { status: i === 2 ? 503 : 200 }),
      latencyMs: 40 + i * 35,
      ...(i === 2 && { error: "HTTP 503" }),
      ...(i === 5 && { error: "timed out after 15 s" }),
      delivered: i !== 2 && i !== 5,
    }));
    await page.route(/\/v1\/endpoints\/[^/]+\/deliveries\?/, (route) => route.fulfill(json({ items: deliveries })));
    await signIn(page, SANDBOX_KEY, "tenant");
    await open(page, "Endpoints", "Endpoints");
    await page.getByRole("row").filter({ hasText: "/webhooks" }).first().getByRole("button", { name: "Details" }).click();
    const table = page.getByRole("table", { name: /^Recent deliveries to/ });
    const retried = table.getByRole("row").filter({ hasText: "evt_sample2" });
    await retried.waitFor();
    expect(await retried.textContent()).toMatch(/3503110 msfailedHTTP 503/);
    expect(await table.getByRole("row").filter({ hasText: "evt_sample5" }).textContent()).toContain("no answer");
    await screenshot(page, "endpoints");
  });

  it("says in words what a relay without the console's newer routes cannot show, and still signs in", async () => {
    const { page, watch } = await newPage();
    // What the relay's catch-all answers for a route it does not have.
    const missing = { status: 404, contentType: "application/problem+json", body: JSON.stringify({ title: "Not Found", status: 404, code: "not_found", detail: "No such route." }) };
    const routes: ExpectedFailure[] = [
      { path: /^\/(admin\/)?v1\/me$/, status: 404 },
      { path: /^\/(admin\/)?v1\/stats$/, status: 404 },
      { path: /^\/v1\/messages$/, status: 404 },
      { path: /^\/v1\/endpoints\/[^/]+\/deliveries$/, status: 404 },
    ];
    await page.route((url) => routes.some((r) => r.path.test(url.pathname)), (route) => route.fulfill(missing));
    watch.allow(routes);

    // Without GET /v1/me, a read the key can make proves it; the tenant is then not named.
    await signIn(page, SANDBOX_KEY, "tenant");
    await page.locator(".who").getByText("Tenant", { exact: true }).waitFor();
    await open(page, "Overview", "Overview: the last hour");
    await page.getByText("Statistics are not available on this relay").waitFor();
    await open(page, "Messages", "Messages");
    await page.getByText("This relay does not list messages").waitFor();
    await open(page, "Endpoints", "Endpoints");
    await page.getByRole("row").filter({ hasText: "/webhooks" }).first().getByRole("button", { name: "Details" }).click();
    await page.getByText("This relay does not list deliveries").waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();

    await signIn(page, SANDBOX_ADMIN_KEY, "operator");
    await page.getByRole("heading", { level: 1, name: "Tenants" }).waitFor();
    await open(page, "Totals", "Totals per tenant");
    await page.getByText("Totals are not available on this relay").waitFor();
  });

  it("shows the operator every tenant's totals, deliveries per minute in words", async () => {
    const { page } = await newPage();
    const tenants = [
      { tenant: "sandbox", ...sampleStats() },
      { tenant: "other", ...sampleStats(0.3) },
    ];
    await page.route(/\/admin\/v1\/stats\?/, (route) => route.fulfill(json({ tenants })));
    await signIn(page, SANDBOX_ADMIN_KEY, "operator");
    await open(page, "Totals", "Totals per tenant");
    const delivered = sum(tenants[1]!.minutes.map((m) => m.delivered));
    const row = page.getByRole("row").filter({ hasText: "other" });
    await row.getByRole("img", { name: `other: ${delivered.toLocaleString("en-US")} delivered in the hour, at most ${Math.max(...tenants[1]!.minutes.map((m) => m.delivered))} a minute` }).waitFor();
    expect(await row.textContent()).toContain(delivered.toLocaleString("en-US"));
    await page.getByRole("img", { name: /^The tenants of this page together: messages and events per minute/ }).waitFor();
    await row.getByRole("button", { name: "Details" }).click();
    await page.getByRole("table", { name: "other by channel" }).getByText("whatsapp").waitFor();
    await screenshot(page, "totals");
  });
});
