import { inject } from "vitest";
import type { SendContext } from "../../src/channels/types";

/** What delivery gives an adapter, for calling one directly: the sandbox's URL policy, names resolved by the test resolver. */
export function testContext(overrides: Partial<SendContext> = {}): SendContext & { part: number } {
  return {
    env: {},
    token: async () => "",
    renewToken: async () => "",
    urlPolicy: { sandbox: true, resolverUrl: inject("dnsResolverUrl") },
    part: 0,
    ...overrides,
  };
}
