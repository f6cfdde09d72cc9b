import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { ENDPOINT_SECRET } from "../support/constants";
import { control, eventually, newPeer } from "../support/http";
import type { BackendEvents } from "../support/sandbox-types";

describe("a customer's message, container to business backend", () => {
  it("arrives normalized and signed so that the Standard Webhooks reference verifier accepts it", async () => {
    const from = newPeer();
    const { id } = await control<{ id: string }>("containerUrl", "/_sandbox/inbound", { from, text: "Hi there", name: "Ada" });

    const event = await eventually(async () => {
      const { events } = await control<BackendEvents>("backendUrl", "/_sandbox/events");
      return events.find((e) => e.payload.message?.platformMessageId === id);
    }, 10_000, "the customer's message at the backend");

    expect(event.path).toBe("/webhooks");
    expect(event.payload).toMatchObject({
      type: "message.received",
      conversation: { tenant: "acme", channel: "whatsapp", account: "wa-acme", peer: from },
      message: { sender: { id: from, name: "Ada" }, content: { type: "text", text: "Hi there" } },
    });
    // The reference implementation checks the HMAC over id.timestamp.body and the timestamp's age.
    const verified = new Webhook(ENDPOINT_SECRET).verify(event.raw, event.signature);
    expect(verified).toEqual(event.payload);
    expect(event.signature["webhook-id"]).toBe(event.payload.id);
    expect(() => new Webhook(ENDPOINT_SECRET).verify(event.raw.replace("Hi there", "Hi thera"), event.signature)).toThrow();
  });

  it("delivers a location and keeps every message of a batch", async () => {
    const from = newPeer();
    const { id } = await control<{ id: string }>("containerUrl", "/_sandbox/inbound", {
      from,
      message: { type: "location", location: { latitude: 52.52, longitude: 13.405, name: "Berlin" } },
    });
    const event = await eventually(async () => {
      const { events } = await control<BackendEvents>("backendUrl", "/_sandbox/events");
      return events.find((e) => e.payload.message?.platformMessageId === id);
    }, 10_000, "the location at the backend");
    expect(event.payload.message?.content).toEqual({ type: "location", latitude: 52.52, longitude: 13.405, name: "Berlin" });
  });
});
