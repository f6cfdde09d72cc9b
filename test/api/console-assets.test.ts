/**
 * The web console is the Worker's static assets (wrangler.toml `[assets]`, built by
 * `npm run build:console` into public/): its files are served with a policy that loads nothing from
 * elsewhere, and the Worker still answers its own routes. The browser tests (test/browser) drive the
 * same files through wrangler dev's asset router.
 */
import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const BASE = "https://relay.test";
/** The assets' binding, which vitest.config.ts adds for these tests only (the Worker does not use one). */
const assets = (env as unknown as { ASSETS: Fetcher }).ASSETS;
const asset = (path: string) => assets.fetch(BASE + path, { redirect: "manual" });

describe("the console's static assets", () => {
  it("serves the page, its script and its styles", async () => {
    const page = await asset("/console/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<script type="module" src="app.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="app.css">');

    const script = await asset("/console/app.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/javascript/);
    expect((await script.text()).length).toBeGreaterThan(1000);

    const styles = await asset("/console/app.css");
    expect(styles.status).toBe(200);
    expect(styles.headers.get("content-type")).toMatch(/^text\/css/);
  });

  it("sends the console's files with a policy that allows this origin only", async () => {
    const page = await asset("/console/");
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("redirects /console to /console/, so that the page's relative paths resolve", async () => {
    const res = await asset("/console");
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe("/console/");
  });

  it("has nothing but the console: other paths are left to the Worker", async () => {
    for (const path of ["/health", "/v1/messages", "/openapi.json", "/console/missing.js"]) {
      expect((await asset(path)).status, path).toBe(404);
    }
  });

  it("leaves the Worker's routes to the Worker", async () => {
    const health = await SELF.fetch(`${BASE}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    const unauthenticated = await SELF.fetch(`${BASE}/v1/dead-letters`);
    expect(unauthenticated.status).toBe(401);
    const unknown = await SELF.fetch(`${BASE}/no-such-route`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toBe("application/problem+json");
  });
});
