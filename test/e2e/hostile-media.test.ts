/**
 * A media URL that leads into the network never gets fetched, on any channel: a redirect to the cloud's
 * metadata address, a private address, an internal name, a name that resolves inside, or another scheme
 * fails the message with `url_refused` (saying where it led), and the next message of the conversation
 * goes out. The test network records any request that reaches such a target: there must be none.
 */
import { describe, expect, it } from "vitest";
import { APPLE_ACCOUNT_ID } from "../channels/apple/account";
import { MESSENGER_ACCOUNT_ID } from "../channels/messenger/account";
import { TELEGRAM_ACCOUNT_ID } from "../channels/telegram/account";
import { VIBER_ACCOUNT_ID } from "../channels/viber/account";
import { newViberUser } from "../channels/viber/kit";
import { CLOUD_ACCOUNT_ID } from "../channels/whatsapp-cloud/account";
import { MAX_MEDIA_ERRORS } from "../../src/delivery/send-outcome";
import { eventually, newPeer, relay } from "../support/http";

const CHANNELS = [
  { channel: "whatsapp", account: "wa-acme", peer: newPeer },
  { channel: "whatsapp-cloud", account: CLOUD_ACCOUNT_ID, peer: newPeer },
  { channel: "messenger", account: MESSENGER_ACCOUNT_ID, peer: () => String(7_000_000_000_000 + Math.floor(Math.random() * 1e12)) },
  { channel: "telegram", account: TELEGRAM_ACCOUNT_ID, peer: () => String(5_000_000_000 + Math.floor(Math.random() * 1e9)) },
  { channel: "viber", account: VIBER_ACCOUNT_ID, peer: () => newViberUser() },
  { channel: "apple", account: APPLE_ACCOUNT_ID, peer: () => `urn:mbid:AQAA${crypto.randomUUID().replace(/-/g, "")}` },
];

/** Internal targets, each reached through a public URL that redirects to it. */
const TARGETS = [
  ["the metadata address", "http://169.254.169.254/latest/meta-data/must-not-reach", /169\.254\.169\.254 is not a public address/],
  ["a private address", "https://10.0.0.5/must-not-reach.jpg", /10\.0\.0\.5 is not a public address/],
  ["an internal name", "http://metadata.google.internal/must-not-reach", /metadata\.google\.internal is a local name/],
  ["a name resolving inside", "https://internal.example.com/must-not-reach.jpg", /internal\.example\.com resolves to 10\.0\.0\.7/],
  ["a file", "file:///etc/passwd", /file:\/\/ URLs are not fetched/],
] as const;

const redirectTo = (target: string) => `https://media.example.com/redirect?to=${encodeURIComponent(target)}`;

async function send(account: string, to: string, content: unknown): Promise<string> {
  const res = await relay("/v1/messages", { method: "POST", body: JSON.stringify({ to, account, content }) });
  expect(res.status, await res.clone().text()).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

const settled = (id: string) =>
  eventually(async () => {
    const r = (await (await relay(`/v1/messages/${id}`)).json()) as { status: string; attempts: number; error?: { reason: string; detail?: string } };
    return r.status === "queued" ? undefined : r;
  }, 15_000, `message ${id} to leave the queue`);

describe("media URLs that lead into the network", () => {
  it.each(CHANNELS)("$channel: a redirect to an internal address fails the message with url_refused, and the next goes out", async ({ account, peer }) => {
    const to = peer();
    const [label, target, why] = TARGETS[Math.floor(Math.random() * TARGETS.length)]!;
    const bad = await send(account, to, { type: "image", url: redirectTo(target), caption: label });
    const next = await send(account, to, { type: "text", text: "after the bad one" });
    const failed = await settled(bad);
    expect(failed).toMatchObject({ status: "failed", error: { reason: "url_refused" } });
    expect(failed.error!.detail).toMatch(why);
    expect((await settled(next)).status).not.toBe("failed");
  });

  it.each(TARGETS)("whatever the target (%s), nothing is fetched there", async (_label, target, why) => {
    const to = newPeer();
    const failed = await settled(await send("wa-acme", to, { type: "document", url: redirectTo(target), filename: "x.pdf" }));
    expect(failed).toMatchObject({ status: "failed", error: { reason: "url_refused", detail: expect.stringMatching(why) } });
  });

  it("a chain of redirects is followed hop by hop, and an endless one is refused", async () => {
    const to = newPeer();
    const twice = redirectTo(redirectTo("https://cdn.example.com/photo.jpg"));
    expect(await settled(await send("wa-acme", to, { type: "image", url: twice }))).toMatchObject({ status: expect.stringMatching(/sent|delivered|read/) });
    let endless = "https://media.example.com/x.jpg";
    for (let i = 0; i < 7; i++) endless = redirectTo(endless);
    const refused = await settled(await send("wa-acme", to, { type: "image", url: endless }));
    expect(refused).toMatchObject({ status: "failed", error: { reason: "url_refused", detail: expect.stringMatching(/redirected more than 5 times/) } });
  });

  it("a media URL that answers 404 fails as media_failed before the platform is asked", async () => {
    const failed = await settled(await send("wa-acme", newPeer(), { type: "image", url: "https://media.example.com/status/404" }));
    expect(failed).toMatchObject({ status: "failed", error: { reason: "media_failed", code: "404" } });
  });

  it("a media server that keeps failing fails the message after a bounded number of attempts, and the next goes out", async () => {
    const to = newPeer();
    const dead = await send("wa-acme", to, { type: "image", url: "https://media.example.com/status/503" });
    const next = await send("wa-acme", to, { type: "text", text: "after the dead server" });
    const failed = await settled(dead);
    expect(failed).toMatchObject({ status: "failed", attempts: MAX_MEDIA_ERRORS, error: { reason: "media_failed", detail: expect.stringMatching(/gave up after 8 attempts: .*answered 503/) } });
    expect((await settled(next)).status).not.toBe("failed");
  });

  it("an internal address given directly is refused with 422 before anything is queued", async () => {
    for (const url of ["https://metadata.google.internal/x.jpg", "https://user:pw@media.example.com/x.jpg"]) {
      const res = await relay("/v1/messages", { method: "POST", body: JSON.stringify({ to: newPeer(), content: { type: "image", url } }) });
      expect(res.status, url).toBe(422);
      expect(await res.json()).toMatchObject({ code: "url_refused" });
    }
  });

  it("no request ever reached an internal target (and the test network would have seen one)", async () => {
    const probe = `https://outside.test/must-not-reach-probe-${Date.now()}`;
    expect((await fetch(probe)).status).toBe(502);
    const { leaks } = (await (await fetch("http://test-network.invalid/_leaks")).json()) as { leaks: string[] };
    expect(leaks.filter((l) => l.includes("must-not-reach"))).toEqual([`GET ${probe}`]);
  });
});
