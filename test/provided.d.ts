/** What global setup provides to tests (URLs of the servers it started, and test credentials). */
export {};

declare module "vitest" {
  export interface ProvidedContext {
    relayConfig: string;
    relayUrl: string;
    containerUrl: string;
    backendUrl: string;
    accessAssertion: string;
    accessAssertionWrongAudience: string;
  }
}
