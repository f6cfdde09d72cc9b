/**
 * Conversation actions end to end: the relay as a real HTTP server over loopback, the sandbox WhatsApp
 * container and the fake Bot API answering as the platforms would.
 */
import { describe, expect, it } from "vitest";
import { conversationId } from "../../src/model";
import type { FakeTelegramState } from "../../sandbox/fake-telegram";
import { TEST_KEYS } from "../support/constants";
import { control, eventually, newPeer, platform, relay } from "../support/http";
import type { ContainerState } from "../support/sandbox-types";
import { CLOUD_ACCOUNT_ID } from "../channels/whatsapp-cloud/account";
import { TELEGRAM_ACCOUNT_ID } from "../channels/telegram/account";
import { VIBER_ACCOUNT_ID } from "../channels/viber/account";

const WHATSAPP = "wa-acme";

interface Problem {
  status: number;
  code: string;
  detail: string;
  actions?: string[];
  reason?: string;
}

const act = (account: string, peer: string, body: unknown, key?: string | null) =>
  relay(`/v1/conversations/${conversationId(account, peer)}/actions`, { method: "POST", body: JSON.stringify(body), ...(key !== undefined && { key }) });

async function problem(res: Response, status: number): Promise<Problem> {
  expect(res.status, await res.clone().text()).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  return (await res.json()) as Problem;
}

const containerReads = async () => (await control<ContainerState>("containerUrl", "/_sandbox/state")).reads;
/** A customer message id as the container would have given it. */
const inboundId = () => `ABGG${crypto.randomUUID().replace(/-/g, "")}`;
const newChat = () => String(5_000_000_000 + Math.floor(Math.random() * 1e9));

describe("POST /v1/conversations/{id}/actions", () => {
  it("marks a WhatsApp message read on the container, with the account's login token and tunnel", async () => {
    const id = inboundId();
    const res = await act(WHATSAPP, newPeer(), { type: "mark_read", messageId: id });
    expect(res.status, await res.clone().text()).toBe(202);
    expect(await res.json()).toEqual({ type: "mark_read", status: "sent" });
    const reads = (await containerReads()).filter((r) => r.id === id);
    expect(reads).toHaveLength(1);
    expect(reads[0]!.authorization).toMatch(/^Bearer .{32,}/);
  });

  it("resolves a relay message id to the platform's, only within its own conversation", async () => {
    const peer = newPeer();
    const sent = await relay("/v1/messages", { method: "POST", body: JSON.stringify({ to: peer, content: { type: "text", text: "order 42" } }) });
    const { id } = (await sent.json()) as { id: string };
    const platformId = await eventually(async () => {
      const record = (await (await relay(`/v1/messages/${id}`)).json()) as { platformMessageId?: string };
      return record.platformMessageId;
    }, 10_000, "the message to reach the container");
    expect((await act(WHATSAPP, peer, { type: "mark_read", messageId: id })).status).toBe(202);
    expect((await containerReads()).some((r) => r.id === platformId)).toBe(true);
    // The same message named in another conversation, and a relay id that names nothing.
    expect((await problem(await act(WHATSAPP, newPeer(), { type: "mark_read", messageId: id }), 404)).code).toBe("message_not_found");
    expect((await problem(await act(WHATSAPP, peer, { type: "mark_read", messageId: `msg_${"0".repeat(80)}` }), 404)).code).toBe("message_not_found");
  });

  it("shows typing on Telegram with sendChatAction", async () => {
    const chat = newChat();
    const res = await act(TELEGRAM_ACCOUNT_ID, chat, { type: "typing_on" });
    expect(res.status, await res.clone().text()).toBe(202);
    expect(await res.json()).toEqual({ type: "typing_on", status: "sent" });
    const { requests } = await platform<FakeTelegramState>("telegram", "/_sandbox/state");
    expect(requests.filter((r) => String(r.body.chat_id) === chat).map((r) => [r.apiMethod, r.body.action])).toEqual([["sendChatAction", "typing"]]);
  });

  it("answers 422 action_unsupported with the channel's actions when it lacks one", async () => {
    const onPrem = await problem(await act(WHATSAPP, newPeer(), { type: "typing_on", messageId: inboundId() }), 422);
    expect(onPrem).toMatchObject({ code: "action_unsupported", actions: ["mark_read"] });
    const telegram = await problem(await act(TELEGRAM_ACCOUNT_ID, newChat(), { type: "mark_read" }), 422);
    expect(telegram).toMatchObject({ code: "action_unsupported", actions: ["typing_on"] });
    expect(telegram.detail).toMatch(/typing_on/);
    const viber = await problem(await act(VIBER_ACCOUNT_ID, "01234567890A=", { type: "typing_on" }), 422);
    expect(viber).toMatchObject({ code: "action_unsupported", actions: [] });
  });

  it("answers 422 message_id_required where the platform acts on a given message", async () => {
    expect((await problem(await act(WHATSAPP, newPeer(), { type: "mark_read" }), 422)).code).toBe("message_id_required");
    expect((await problem(await act(CLOUD_ACCOUNT_ID, newPeer(), { type: "typing_on" }), 422)).code).toBe("message_id_required");
  });

  it("answers 404 conversation_not_found for a bad id, an unknown account, another tenant's account or a peer the channel cannot have", async () => {
    const notFound = async (res: Response) => expect((await problem(res, 404)).code).toBe("conversation_not_found");
    const body = JSON.stringify({ type: "mark_read", messageId: inboundId() });
    await notFound(await relay("/v1/conversations/cnv_not-base64!/actions", { method: "POST", body }));
    await notFound(await relay("/v1/conversations/whatever/actions", { method: "POST", body }));
    await notFound(await act("no-such-account", newPeer(), { type: "mark_read", messageId: inboundId() }));
    await notFound(await act("wa-globex", newPeer(), { type: "mark_read", messageId: inboundId() }));
    await notFound(await act(WHATSAPP, "not a number", { type: "mark_read", messageId: inboundId() }));
    // The account's own tenant reaches it.
    expect((await act("wa-globex", newPeer(), { type: "mark_read", messageId: inboundId() }, TEST_KEYS.globex)).status).toBe(202);
  });

  it("answers 502 action_failed with the platform's reason when it refuses", async () => {
    const unknown = await problem(await act(WHATSAPP, newPeer(), { type: "mark_read", messageId: `unknown${Date.now()}` }), 502);
    expect(unknown).toMatchObject({ code: "action_failed", reason: "recipient_invalid" });
    expect(unknown.detail).toMatch(/Resource not found/);
    const blocked = await problem(await act(TELEGRAM_ACCOUNT_ID, `403${Math.floor(Math.random() * 1e9)}`, { type: "typing_on" }), 502);
    expect(blocked).toMatchObject({ code: "action_failed", reason: "recipient_blocked" });
    expect(blocked.detail).toMatch(/bot was blocked by the user/);
  });

  it("validates the body and the caller like any send", async () => {
    expect((await problem(await act(WHATSAPP, newPeer(), { type: "dance" }), 422)).code).toBe("validation_failed");
    expect((await problem(await act(WHATSAPP, newPeer(), { type: "mark_read", messageId: "two words" }), 422)).code).toBe("validation_failed");
    expect((await act(WHATSAPP, newPeer(), { type: "mark_read", messageId: inboundId() }, null)).status).toBe(401);
    expect((await act(WHATSAPP, newPeer(), { type: "mark_read", messageId: inboundId() }, TEST_KEYS.acmeReadOnly)).status).toBe(403);
  });
});
