import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { conversationId, parseConversationId } from "../../src/model";

describe("conversation ids", () => {
  it("name their account and peer, whatever characters these hold", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 64 }), fc.string({ minLength: 1, maxLength: 256, unit: "grapheme" }), (account, peer) => {
        const id = conversationId(account, peer);
        expect(id).toMatch(/^cnv_[A-Za-z0-9_-]+$/);
        expect(parseConversationId(id)).toEqual({ account, peer });
      }),
    );
  });

  it("refuse anything else without throwing", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (raw) => {
        const parsed = parseConversationId(raw);
        if (parsed) expect(conversationId(parsed.account, parsed.peer)).toBe(raw.replace(/=+$/, ""));
      }),
    );
    for (const bad of ["", "cnv_", "cnv_%%%", "cnv_bnVsbA", "cnv_WyJhIl0", "cnv_WyJhIiwxXQ", "msg_abc", `cnv_${"A".repeat(2000)}`]) {
      expect(parseConversationId(bad), bad).toBeNull();
    }
  });
});
