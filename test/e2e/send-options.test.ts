/**
 * A send's options and new contents end to end, from `POST /v1/messages` through the outbox to the
 * platform: a quoted reply, a Messenger message tag, a URL button and a reaction, and what is refused up
 * front.
 */
import { describe, expect, inject, it } from "vitest";
import { MESSENGER_ACCOUNT_ID } from "../channels/messenger/account";
import { VIBER_ACCOUNT_ID } from "../channels/viber/account";
import { control, eventually, newPeer, relay } from "../support/http";
import type { ContainerMessage, ContainerState } from "../support/sandbox-types";

const post = (body: Record<string, unknown>) => relay("/v1/messages", { method: "POST", body: JSON.stringify(body) });

async function accepted(body: Record<string, unknown>): Promise<string> {
  const res = await post(body);
  expect(res.status, await res.clone().text()).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

const atContainer = (peer: string, count = 1): Promise<ContainerMessage[]> =>
  eventually(async () => {
    const mine = (await control<ContainerState>("containerUrl", "/_sandbox/state")).messages.filter((m) => m.body.to === peer);
    return mine.length >= count ? mine : undefined;
  }, 10_000, `${count} message(s) at the container`);

const statusOf = async (id: string) => ((await (await relay(`/v1/messages/${id}`)).json()) as { status: string; error?: { reason: string } });
const until = (id: string, status: string) =>
  eventually(async () => {
    const record = await statusOf(id);
    return record.status === status ? record : undefined;
  }, 15_000, `message ${id} to be ${status}`);

describe("send options through the relay", () => {
  it("a quoted reply reaches WhatsApp as context.message_id, on the first part only", async () => {
    const peer = newPeer();
    const quoted = `ABGG${crypto.randomUUID().replace(/-/g, "")}`;
    await accepted({ to: peer, replyTo: quoted, content: { type: "text", text: `${"word ".repeat(900)}end` } });
    const [first, second] = await atContainer(peer, 2);
    expect(first!.body.context).toEqual({ message_id: quoted });
    expect(second!.body).not.toHaveProperty("context");
  });

  it("a quote of the relay's own message, and a reaction to it, reach WhatsApp with the platform's id of that message", async () => {
    const peer = newPeer();
    const first = await accepted({ to: peer, content: { type: "text", text: "Your order shipped" } });
    await until(first, "sent");
    const platformId = ((await (await relay(`/v1/messages/${first}`)).json()) as { platformMessageId: string }).platformMessageId;
    expect(platformId).toBeTruthy();
    await accepted({ to: peer, replyTo: first, content: { type: "text", text: "Here is the tracking link" } });
    await accepted({ to: peer, content: { type: "reaction", messageId: first, emoji: "🚚" } });
    const [, quote, reaction] = await atContainer(peer, 3);
    expect(quote!.body.context).toEqual({ message_id: platformId });
    expect(reaction!.body).toMatchObject({ type: "reaction", reaction: { message_id: platformId, emoji: "🚚" } });
  });

  it("a reaction and a URL button reach the container (the URL button as a text with its link)", async () => {
    const peer = newPeer();
    await accepted({ to: peer, content: { type: "reaction", messageId: "ABGG1", emoji: "👍" } });
    await accepted({ to: peer, content: { type: "url_button", text: "Your order", title: "Track", url: "https://example.com/o/1" } });
    const [reaction, link] = await atContainer(peer, 2);
    expect(reaction!.body).toMatchObject({ type: "reaction", reaction: { message_id: "ABGG1", emoji: "👍" } });
    expect(link!.body).toMatchObject({ type: "text", text: { body: "Your order\n\nTrack: https://example.com/o/1" } });
  });

  it("a Messenger message tag lets an agent answer outside the 24-hour window", async () => {
    const late = `2018278${Math.floor(1e8 + Math.random() * 9e8)}`;
    const untagged = await accepted({ to: late, account: MESSENGER_ACCOUNT_ID, content: { type: "text", text: "late" } });
    expect((await until(untagged, "failed")).error?.reason).toBe("window_closed");
    const tagged = await accepted({ to: late, account: MESSENGER_ACCOUNT_ID, tag: "HUMAN_AGENT", content: { type: "text", text: "an agent answers" } });
    await until(tagged, "sent");
    const { requests } = (await (await fetch(`${inject("platformUrls").messenger}/_sandbox/state`)).json()) as {
      requests: { body: { recipient?: { id?: string }; messaging_type?: string; tag?: string } | null }[];
    };
    expect(requests.filter((r) => r.body?.recipient?.id === late).map((r) => [r.body?.messaging_type, r.body?.tag])).toEqual([
      ["RESPONSE", undefined],
      ["MESSAGE_TAG", "HUMAN_AGENT"],
    ]);
  });

  it("refuses up front a tag off Messenger, a relay id that is none, a reaction where there are none, an unsafe URL", async () => {
    const refused = async (body: Record<string, unknown>, code: string) => {
      const res = await post(body);
      expect(res.status, await res.clone().text()).toBe(422);
      expect(((await res.json()) as { code: string }).code).toBe(code);
    };
    const text = { type: "text", text: "hi" };
    await refused({ to: newPeer(), tag: "HUMAN_AGENT", content: text }, "tag_unsupported");
    await refused({ to: newPeer(), replyTo: "msg_not-a-relay-id", content: text }, "invalid_reply_to");
    await refused({ to: "01234567890A=", account: VIBER_ACCOUNT_ID, content: { type: "reaction", messageId: "5741311803571721087", emoji: "👍" } }, "unsupported_content");
    await refused({ to: newPeer(), content: { type: "url_button", text: "t", title: "Open", url: "https://user:secret@example.com/x" } }, "url_refused");
    await refused({ to: newPeer(), tag: "NOT_A_TAG", content: text }, "validation_failed");
    await refused({ to: newPeer(), content: { type: "reaction", messageId: "ABGG1", emoji: "two words" } }, "validation_failed");
  });

  it("a batch item may quote too", async () => {
    const peer = newPeer();
    const res = await relay("/v1/messages/batch", {
      method: "POST",
      body: JSON.stringify({ messages: [{ to: peer, replyTo: "ABGG42", content: { type: "text", text: "batched reply" } }] }),
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const [sent] = await atContainer(peer);
    expect(sent!.body.context).toEqual({ message_id: "ABGG42" });
  });
});
