import { describe, expect, it } from "vitest";
import { WINDOW_RULES, windowOf, windowPermits } from "../../src/channels/window";
import type { OutboundContent } from "../../src/model";

const NOW = Date.parse("2026-06-01T12:00:00Z");
const H = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const text: OutboundContent = { type: "text", text: "hi" };
const template: OutboundContent = { type: "template", name: "t", language: "en" };

describe("windowOf, per channel", () => {
  it.each([
    ["whatsapp", {}, { open: false, allowed: ["template"] }],
    ["whatsapp", { lastInboundAt: NOW - H }, { open: true, expiresAt: iso(NOW + 23 * H), allowed: ["any"] }],
    ["whatsapp-cloud", { lastInboundAt: NOW - 25 * H }, { open: false, closedAt: iso(NOW - H), allowed: ["template"] }],
    ["whatsapp-cloud", { lastInboundAt: NOW - 24 * H }, { open: false, closedAt: iso(NOW), allowed: ["template"] }],
    ["messenger", { lastInboundAt: NOW - 2 * H }, { open: true, expiresAt: iso(NOW + 22 * H), allowed: ["any"] }],
    [
      "messenger",
      { lastInboundAt: NOW - 48 * H },
      { open: false, closedAt: iso(NOW - 24 * H), allowed: ["tag:HUMAN_AGENT", "tag:CUSTOMER_FEEDBACK", "tag:ACCOUNT_UPDATE", "tag:CONFIRMED_EVENT_UPDATE", "tag:POST_PURCHASE_UPDATE"] },
    ],
    ["messenger", { lastInboundAt: NOW - 8 * 24 * H }, { open: false, closedAt: iso(NOW - 7 * 24 * H), allowed: ["tag:ACCOUNT_UPDATE", "tag:CONFIRMED_EVENT_UPDATE", "tag:POST_PURCHASE_UPDATE"] }],
    ["messenger", {}, { open: false, allowed: ["tag:ACCOUNT_UPDATE", "tag:CONFIRMED_EVENT_UPDATE", "tag:POST_PURCHASE_UPDATE"] }],
    ["telegram", {}, { open: false, allowed: [] }],
    ["telegram", { lastInboundAt: NOW - 365 * 24 * H }, { open: true, allowed: ["any"] }],
    ["telegram", { lastInboundAt: NOW - H, subscribed: false, closedAt: NOW - 1000 }, { open: false, closedAt: iso(NOW - 1000), allowed: [] }],
    ["viber", { subscribed: true }, { open: true, allowed: ["any"] }],
    ["viber", { lastInboundAt: NOW - 2 * H, subscribed: false, closedAt: NOW - H }, { open: false, closedAt: iso(NOW - H), allowed: [] }],
    ["apple", { lastInboundAt: NOW - 1000 }, { open: true, allowed: ["any"] }],
    ["apple", { lastInboundAt: NOW - 2 * H, closedAt: NOW - H }, { open: false, closedAt: iso(NOW - H), allowed: [] }],
    ["apple", { lastInboundAt: NOW - H, closedAt: NOW - 2 * H }, { open: true, allowed: ["any"] }],
  ] as const)("%s %j", (channel, facts, expected) => {
    expect(windowOf(WINDOW_RULES[channel], facts, NOW)).toEqual(expected);
  });
});

describe("windowPermits", () => {
  it("lets anything through an open window, and only templates or allowed tags through a closed one", () => {
    const closedWa = windowOf(WINDOW_RULES.whatsapp, {}, NOW);
    expect(windowPermits(windowOf(WINDOW_RULES.whatsapp, { lastInboundAt: NOW }, NOW), text)).toBe(true);
    expect(windowPermits(closedWa, text)).toBe(false);
    expect(windowPermits(closedWa, template)).toBe(true);
    const closedMessenger = windowOf(WINDOW_RULES.messenger, { lastInboundAt: NOW - 30 * H }, NOW);
    expect(windowPermits(closedMessenger, text)).toBe(false);
    expect(windowPermits(closedMessenger, text, "HUMAN_AGENT")).toBe(true);
    expect(windowPermits(closedMessenger, text, "NOT_A_TAG")).toBe(false);
    expect(windowPermits(windowOf(WINDOW_RULES.telegram, {}, NOW), template)).toBe(false);
  });
});
