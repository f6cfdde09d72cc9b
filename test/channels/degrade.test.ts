import { describe, expect, it } from "vitest";
import { planParts, splitText } from "../../src/channels/degrade";
import type { Capabilities } from "../../src/channels/types";

const plain: Capabilities = {
  maxTextLength: 20,
  contentTypes: ["text", "image"],
  receipts: false,
  quotedReplies: false,
  actions: [],
  rate: { perSecond: 1 },
};
const rich: Capabilities = {
  maxTextLength: 100,
  rate: { perSecond: 1 },
  contentTypes: ["text", "buttons", "list", "image", "location", "template"],
  buttons: { max: 3, maxTitleLength: 20, maxTextLength: 100 },
  list: { maxRows: 10, maxTitleLength: 24, maxTextLength: 100 },
  maxCaptionLength: 10,
  receipts: true,
  quotedReplies: true,
  actions: ["typing_on"],
};
const choices = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `c${i + 1}`, title: `Choice ${i + 1}` }));

describe("degrading content to a platform's capabilities", () => {
  it("splits long text at word boundaries, never exceeding the limit", () => {
    const parts = splitText("the quick brown fox jumps over the lazy dog again and again", 20);
    expect(parts).toEqual(["the quick brown fox", "jumps over the lazy", "dog again and again"]);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(20);
  });

  it("prefers paragraph breaks, cuts words that exceed the limit, and keeps emoji whole", () => {
    expect(splitText("first para.\n\nsecond one here", 20)).toEqual(["first para.", "second one here"]);
    expect(splitText("a".repeat(45), 20)).toEqual(["a".repeat(20), "a".repeat(20), "a".repeat(5)]);
    const emoji = splitText("😀".repeat(30), 20);
    expect(emoji.join("")).toBe("😀".repeat(30));
    for (const p of emoji) expect([...p].length).toBeLessThanOrEqual(20);
  });

  it("keeps buttons that fit, turns too many into a list, and into numbered text where neither exists", () => {
    expect(planParts({ type: "buttons", text: "Pick", buttons: choices(3) }, rich)).toEqual({
      parts: [{ type: "buttons", text: "Pick", buttons: choices(3) }],
    });
    const asList = planParts({ type: "buttons", text: "Pick", buttons: choices(5) }, rich);
    expect(asList).toMatchObject({ parts: [{ type: "list", sections: [{ rows: choices(5) }] }] });
    const asText = planParts({ type: "buttons", text: "Pick", buttons: choices(2) }, { ...plain, maxTextLength: 100 });
    expect(asText).toEqual({ parts: [{ type: "text", text: "Pick\n\n1. Choice 1\n2. Choice 2" }] });
  });

  it("turns a short list into buttons where lists are missing", () => {
    const noList = { ...rich, contentTypes: rich.contentTypes.filter((t) => t !== "list") };
    const plan = planParts({ type: "list", text: "Pick", button: "Open", sections: [{ rows: choices(2) }] }, noList);
    expect(plan).toEqual({ parts: [{ type: "buttons", text: "Pick", buttons: choices(2) }] });
  });

  it("sends a too-long caption as a text after the media", () => {
    const plan = planParts({ type: "image", url: "https://x.test/a.jpg", caption: "a long caption" }, rich);
    expect(plan).toEqual({
      parts: [
        { type: "image", url: "https://x.test/a.jpg" },
        { type: "text", text: "a long caption" },
      ],
    });
  });

  it("sends unsupported media and locations as links, and refuses templates off WhatsApp", () => {
    expect(planParts({ type: "document", url: "https://x.test/a.pdf", caption: "Bill" }, { ...plain, maxTextLength: 100 })).toEqual({
      parts: [{ type: "text", text: "Bill\nhttps://x.test/a.pdf" }],
    });
    expect(planParts({ type: "location", latitude: 1.5, longitude: 2, name: "Here" }, { ...plain, maxTextLength: 100 })).toEqual({
      parts: [{ type: "text", text: "Here\nhttps://maps.google.com/?q=1.5,2" }],
    });
    expect(planParts({ type: "template", name: "t", language: "en" }, plain)).toHaveProperty("refused");
  });

  it("keeps a URL button that fits, and otherwise sends its text with 'title: url'", () => {
    const withButton: Capabilities = { ...rich, contentTypes: [...rich.contentTypes, "url_button"], urlButton: { maxTitleLength: 10, maxTextLength: 50 } };
    const button = { type: "url_button", text: "Your order", title: "Track it", url: "https://x.test/o/42" } as const;
    expect(planParts(button, withButton)).toEqual({ parts: [button] });
    const asText = { parts: [{ type: "text", text: "Your order\n\nTrack it: https://x.test/o/42" }] };
    // No such button; a label too long for it; a text too long for it.
    expect(planParts(button, rich)).toEqual(asText);
    expect(planParts({ ...button, title: "Track your parcel" }, withButton)).toEqual({
      parts: [{ type: "text", text: "Your order\n\nTrack your parcel: https://x.test/o/42" }],
    });
    expect(planParts({ ...button, text: "x".repeat(51) }, withButton)).toEqual({
      parts: [{ type: "text", text: `${"x".repeat(51)}\n\nTrack it: https://x.test/o/42` }],
    });
  });

  it("keeps a reaction where the platform has reactions and refuses it elsewhere", () => {
    const reaction = { type: "reaction", messageId: "wamid.1", emoji: "👍" } as const;
    expect(planParts(reaction, { ...rich, contentTypes: [...rich.contentTypes, "reaction"] })).toEqual({ parts: [reaction] });
    expect(planParts(reaction, rich)).toEqual({ refused: "This channel has no reactions a business can send." });
  });
});
