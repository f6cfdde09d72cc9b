import { describe, expect, it } from "vitest";
import { planParts } from "../../../src/channels/degrade";
import { classifySendResponse } from "../../../src/channels/whatsapp-onprem/errors";
import { normalizeWhatsAppPeer } from "../../../src/channels/whatsapp/peer";
import { whatsappOnPrem } from "../../../src/channels/whatsapp-onprem";
import { classifyOnPremAction, renderOnPremAction } from "../../../src/channels/whatsapp-onprem/actions";
import { renderOnPremMessage } from "../../../src/channels/whatsapp-onprem/outbound";

const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  classifySendResponse(new Response(null, { status, headers }), body);

describe("WhatsApp On-Premises outbound", () => {
  it("renders text, media, location and templates in the On-Premises dialect", () => {
    expect(renderOnPremMessage("4915", { type: "text", text: "hi" })).toEqual({
      recipient_type: "individual",
      to: "4915",
      type: "text",
      preview_url: false,
      text: { body: "hi" },
    });
    expect(renderOnPremMessage("4915", { type: "document", url: "https://x.test/a.pdf", filename: "a.pdf" })).toMatchObject({
      type: "document",
      document: { link: "https://x.test/a.pdf", filename: "a.pdf" },
    });
    expect(renderOnPremMessage("4915", { type: "audio", url: "https://x.test/a.ogg" })).toMatchObject({
      audio: { link: "https://x.test/a.ogg" },
    });
    expect(renderOnPremMessage("4915", { type: "location", latitude: 1, longitude: 2, name: "N" })).toMatchObject({
      location: { latitude: 1, longitude: 2, name: "N" },
    });
    expect(
      renderOnPremMessage("4915", { type: "template", name: "order", language: "de", parameters: ["Ada", "42"] }, "ns1"),
    ).toMatchObject({
      type: "template",
      template: {
        namespace: "ns1",
        name: "order",
        language: { policy: "deterministic", code: "de" },
        components: [{ type: "body", parameters: [{ type: "text", text: "Ada" }, { type: "text", text: "42" }] }],
      },
    });
  });

  it("classifies the container's answers", () => {
    expect(answer(200, { messages: [{ id: "gBEG1" }] })).toEqual({ kind: "ok", platformMessageId: "gBEG1" });
    expect(answer(503, { errors: [{ code: 1014 }] }, { "retry-after": "7" })).toMatchObject({ kind: "retry", afterSeconds: 7 });
    expect(answer(429, { errors: [{ code: 1015 }] })).toMatchObject({ kind: "retry" });
    expect(answer(502, undefined)).toMatchObject({ kind: "retry" });
    expect(answer(400, { errors: [{ code: 470, title: "outside window" }] })).toEqual({
      kind: "failed",
      error: { reason: "window_closed", code: "470", detail: "outside window" },
    });
    expect(answer(404, { errors: [{ code: 1006, title: "Resource not found", details: "unknown contact" }] })).toMatchObject({
      kind: "failed",
      error: { reason: "recipient_invalid", code: "1006" },
    });
    expect(answer(400, { errors: [{ code: 1013 }] })).toMatchObject({ error: { reason: "recipient_invalid" } });
    expect(answer(400, { errors: [{ code: 1008, title: "Required parameter is missing" }] })).toMatchObject({
      error: { reason: "content_rejected" },
    });
    expect(answer(418, "teapot")).toMatchObject({ kind: "failed", error: { reason: "platform_error", code: "418" } });
  });

  it("normalizes recipients to digits, keeps business-scoped user ids, refuses the rest", () => {
    expect(normalizeWhatsAppPeer("+49 (151) 234-5678")).toBe("491512345678");
    expect(normalizeWhatsAppPeer("US.13491208655302741918")).toBe("US.13491208655302741918");
    expect(normalizeWhatsAppPeer("hello")).toBeNull();
    expect(normalizeWhatsAppPeer("123")).toBeNull();
  });

  it("quotes a message with context.message_id, but never on a reaction (which names its message already)", () => {
    expect(renderOnPremMessage("4915", { type: "text", text: "ok" }, undefined, "gBEGkYiEB1VXAglK1ZEqA1YKPrU")).toEqual({
      recipient_type: "individual",
      to: "4915",
      context: { message_id: "gBEGkYiEB1VXAglK1ZEqA1YKPrU" },
      type: "text",
      preview_url: false,
      text: { body: "ok" },
    });
    expect(renderOnPremMessage("4915", { type: "reaction", messageId: "ABGG1", emoji: "👍" }, undefined, "ABGG0")).toEqual({
      recipient_type: "individual",
      to: "4915",
      type: "reaction",
      reaction: { message_id: "ABGG1", emoji: "👍" },
    });
  });

  it("takes a reaction back with an empty emoji", () => {
    expect(renderOnPremMessage("4915", { type: "reaction", messageId: "ABGG1", emoji: "" })).toMatchObject({
      type: "reaction",
      reaction: { message_id: "ABGG1", emoji: "" },
    });
  });

  it("has no URL button: the core sends its text with the link", () => {
    const plan = planParts({ type: "url_button", text: "Your order", title: "Track", url: "https://x.test/o/1" }, whatsappOnPrem.capabilities);
    expect(plan).toEqual({ parts: [{ type: "text", text: "Your order\n\nTrack: https://x.test/o/1" }] });
  });

  it("marks a message read with PUT /v1/messages/{id} and has no typing indicator", () => {
    const request = renderOnPremAction({ type: "mark_read", messageId: "ABGG/1+2" });
    expect(request).toEqual({
      path: "/v1/messages/ABGG%2F1%2B2",
      init: { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ status: "read" }) },
    });
    expect(renderOnPremAction({ type: "mark_read" })).toBeNull();
    expect(renderOnPremAction({ type: "typing_on", messageId: "ABGG1" })).toBeNull();
    expect(whatsappOnPrem.capabilities.actions).toEqual(["mark_read"]);
  });

  it("classifies the container's answer to a read receipt", () => {
    const action = (status: number, body: unknown) => classifyOnPremAction(new Response(null, { status }), body);
    expect(action(200, { meta: { api_status: "stable" } })).toEqual({ kind: "ok" });
    expect(action(204, undefined)).toEqual({ kind: "ok" });
    expect(action(404, { errors: [{ code: 1006, title: "Resource not found", details: "unknown message" }] })).toEqual({
      kind: "failed",
      error: { reason: "recipient_invalid", code: "1006", detail: "Resource not found: unknown message" },
    });
    expect(action(503, { errors: [{ code: 1014 }] })).toMatchObject({ kind: "retry" });
  });
});
