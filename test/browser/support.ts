/**
 * What the console's browser tests share: Chromium (Debian's, driven by playwright-core), a watch on
 * the page that fails the test on any error the browser reports, and screenshots for the README.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page, type Response } from "playwright-core";

/** Debian's Chromium unless CHROMIUM_PATH names another. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true });
}

/** An HTTP failure a test provokes on purpose: its method, a path pattern and status. */
export interface ExpectedFailure {
  method?: string;
  path: RegExp;
  status: number;
}

/**
 * Records everything the browser says is wrong on a page: uncaught exceptions, `console.error`, and
 * every HTTP answer of 400 or more. Chromium also logs each failed request as a console error ("Failed
 * to load resource"); such a line is accepted only for a response the test expected to fail, so an
 * unexpected 4xx fails the test twice over, never silently.
 */
export class PageWatch {
  private readonly seen: string[] = [];
  /** Chromium's lines about failed requests, judged once the responses are known. */
  private readonly failedLoads: { text: string; url: string }[] = [];
  private expected: ExpectedFailure[] = [];
  private failedUrls = new Set<string>();

  /** Everything wrong so far. */
  get problems(): string[] {
    const loads = this.failedLoads.filter((l) => !this.failedUrls.has(l.url)).map((l) => `console error: ${l.text} (${l.url})`);
    return [...this.seen, ...loads];
  }

  constructor(page: Page) {
    page.on("pageerror", (e) => this.seen.push(`page error: ${e.message}`));
    page.on("response", (r) => this.onResponse(r));
    page.on("console", (m) => {
      if (m.type() !== "error") return;
      const url = m.location().url;
      if (m.text().startsWith("Failed to load resource")) this.failedLoads.push({ text: m.text(), url });
      else this.seen.push(`console error: ${m.text()} (${url})`);
    });
  }

  /** Accepts failures matching these while `during` runs, and only then. */
  async expecting<T>(failures: ExpectedFailure[], during: () => Promise<T>): Promise<T> {
    const before = this.expected;
    this.expected = [...before, ...failures];
    try {
      return await during();
    } finally {
      this.expected = before;
    }
  }

  /** Accepts failures matching these from now on. */
  allow(failures: ExpectedFailure[]): void {
    this.expected = [...this.expected, ...failures];
  }

  private onResponse(r: Response): void {
    if (r.status() < 400) return;
    const url = new URL(r.url());
    const method = r.request().method();
    const ok = this.expected.some((f) => f.status === r.status() && f.path.test(url.pathname) && (!f.method || f.method === method));
    if (ok) this.failedUrls.add(r.url());
    else this.seen.push(`unexpected HTTP ${r.status()} for ${method} ${url.pathname}${url.search}`);
  }
}

/** How much of a long page a screenshot shows, in CSS pixels. */
const SCREENSHOT_MAX_HEIGHT = 1400;

/** Saves a screenshot under CONSOLE_SCREENSHOTS (`npm run screenshots`); nothing otherwise. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.CONSOLE_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const width = page.viewportSize()?.width ?? 1280;
  const height = Math.min(await page.evaluate<number>("document.documentElement.scrollHeight"), SCREENSHOT_MAX_HEIGHT);
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true, clip: { x: 0, y: 0, width, height }, animations: "disabled" });
}
