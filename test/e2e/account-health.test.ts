import { describe, expect, inject, it } from "vitest";
import type { FakeTelegramState } from "../../sandbox/fake-telegram";
import { TELEGRAM_BOT_TOKEN } from "../channels/telegram/account";
import { TEST_KEYS } from "../support/constants";
import { control, eventually, platform, relay } from "../support/http";
import type { BackendEvents } from "../support/sandbox-types";

const manager = { key: TEST_KEYS.acmeManager };
const WRONG_TOKEN = "123456789:AAE-a-token-the-platform-refuses-0000000";

describe("account health", () => {
  it("pauses the account's queues on a refused credential, tells the tenant, and sends what waited, in order, once resumed", async () => {
    const id = `tg-health-${Date.now()}`;
    const created = await relay("/v1/accounts", {
      ...manager,
      method: "POST",
      body: JSON.stringify({ id, channel: "telegram", botToken: WRONG_TOKEN, secretToken: "health-secret-token-0123456789", apiBaseUrl: inject("platformUrls").telegram, windowPolicy: "advise" }),
    });
    expect(created.status).toBe(201);

    const chat = String(7_000_000 + Math.floor(Math.random() * 1_000_000));
    const ids: string[] = [];
    for (const text of ["first", "second", "third"]) {
      const res = await relay("/v1/messages", { method: "POST", body: JSON.stringify({ to: chat, account: id, content: { type: "text", text } }) });
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as { id: string }).id);
    }

    // The first send is refused: the account pauses, and the tenant hears of it once.
    const paused = await eventually(async () => {
      const account = (await (await relay(`/v1/accounts/${id}`, manager)).json()) as { health?: { state: string; reason?: string } };
      return account.health?.state === "paused" ? account.health : undefined;
    }, 15_000, "the account paused");
    expect(paused.reason).toBe("auth_failed");
    const healthEvents = async () =>
      (await control<BackendEvents>("backendUrl", "/_sandbox/events")).events.filter((e) => e.payload.type === "account.health" && e.payload.conversation.account === id);
    await eventually(async () => ((await healthEvents()).length === 1 ? true : undefined), 10_000, "the account.health event");
    expect((await healthEvents())[0]!.payload).toMatchObject({ health: { state: "paused", reason: "auth_failed" } });

    // Nothing failed: every message still waits.
    for (const m of ids) {
      const record = (await (await relay(`/v1/messages/${m}`)).json()) as { status: string };
      expect(record.status).toBe("queued");
    }

    // New credentials resume it: the messages go out in the order they were accepted.
    const patched = await relay(`/v1/accounts/${id}`, { ...manager, method: "PATCH", body: JSON.stringify({ botToken: TELEGRAM_BOT_TOKEN }) });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { health: { state: string } }).health.state).toBe("ok");
    for (const m of ids) {
      await eventually(async () => {
        const record = (await (await relay(`/v1/messages/${m}`)).json()) as { status: string };
        return record.status === "sent" ? true : undefined;
      }, 15_000, `message ${m} sent`);
    }
    const state = await platform<FakeTelegramState>("telegram", "/_sandbox/state");
    const texts = state.requests
      .filter((r) => r.apiMethod === "sendMessage" && r.status === 200 && (r.body as { chat_id?: unknown }).chat_id?.toString() === chat)
      .map((r) => (r.body as { text: string }).text);
    expect(texts).toEqual(["first", "second", "third"]);
    await eventually(async () => ((await healthEvents()).some((e) => e.payload.health?.state === "ok") ? true : undefined), 10_000, "the resumed event");
  });
});
