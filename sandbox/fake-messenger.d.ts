/**
 * Types of sandbox/fake-messenger.js for the Worker-side TypeScript config (which does not read JS):
 * test/support/fake-platforms.ts is type-checked there too.
 */
export declare const DEFAULT_PAGE_ID: string;
export declare const DEFAULT_PAGE_TOKEN: string;

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: { authorization?: string; "content-type"?: string };
  body: unknown;
  status?: number;
}

export interface FakeMessengerState {
  requests: RecordedRequest[];
  faults: unknown[];
  readonly media: string[];
}

export declare function startFakeMessenger(options?: {
  host?: string;
  port?: number;
  quiet?: boolean;
  pageId?: string;
  pageAccessToken?: string;
}): Promise<{ url: string; port: number; state: FakeMessengerState; close(): Promise<void> }>;
