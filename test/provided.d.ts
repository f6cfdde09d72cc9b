/** What global setup provides to tests (URLs of the servers it started, and test credentials). */
export {};

declare module "vitest" {
  export interface ProvidedContext {
    relayConfig: string;
    /** The SHA-256 of ADMIN_KEY: the ADMIN_KEYS secret of the in-test Worker. */
    adminKeys: string;
    relayUrl: string;
    containerUrl: string;
    backendUrl: string;
    /** The fake platform APIs by channel (test/support/fake-platforms.ts). */
    platformUrls: Record<string, string>;
    accessAssertion: string;
    /** A key set on loopback, and a client token it signed for tenant acme (RS256). */
    jwksUrl: string;
    jwksClientToken: string;
    /** A DNS-over-HTTPS stand-in (see global setup). */
    dnsResolverUrl: string;
    accessAssertionWrongAudience: string;
  }
}
