import { describe, expect, inject, it } from "vitest";
import { ACCESS, CONTAINER_LOGIN } from "../support/constants";
import { control, eventually, newPeer } from "../support/http";
import type { BackendEvents } from "../support/sandbox-types";

/** Uploads a file to the sandbox container the way a WhatsApp client's media lands there. */
async function uploadToContainer(bytes: Uint8Array, type: string): Promise<string> {
  const base = inject("containerUrl");
  const access = { "cf-access-client-id": ACCESS.clientId, "cf-access-client-secret": ACCESS.clientSecret };
  const login = await fetch(`${base}/v1/users/login`, {
    method: "POST",
    headers: { ...access, authorization: `Basic ${btoa(`${CONTAINER_LOGIN.username}:${CONTAINER_LOGIN.password}`)}` },
  });
  const { users } = (await login.json()) as { users: { token: string }[] };
  const res = await fetch(`${base}/v1/media`, {
    method: "POST",
    headers: { ...access, authorization: `Bearer ${users[0]!.token}`, "content-type": type },
    body: bytes,
  });
  return ((await res.json()) as { media: { id: string }[] }).media[0]!.id;
}

describe("inbound media", () => {
  it("reaches the business as a signed relay URL that streams the file, without platform credentials", async () => {
    const bytes = crypto.getRandomValues(new Uint8Array(4096));
    const mediaId = await uploadToContainer(bytes, "image/jpeg");
    const { id } = await control<{ id: string }>("containerUrl", "/_sandbox/inbound", {
      from: newPeer(),
      message: { type: "image", image: { id: mediaId, mime_type: "image/jpeg", caption: "look" } },
    });
    const event = await eventually(async () => {
      const { events } = await control<BackendEvents>("backendUrl", "/_sandbox/events");
      return events.find((e) => e.payload.message?.platformMessageId === id);
    }, 10_000, "the image event");
    const content = event.payload.message!.content as { type: string; url: string; mediaId: string; caption: string };
    expect(content).toMatchObject({ type: "image", mediaId, caption: "look" });
    expect(content.url.startsWith(`${inject("relayUrl")}/v1/media/`)).toBe(true);

    const file = await fetch(content.url);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("image/jpeg");
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(bytes);

    const forged = await fetch(content.url.slice(0, -3) + "abc");
    expect(forged.status).toBe(404);
    expect(forged.headers.get("content-type")).toBe("application/problem+json");
  });
});
