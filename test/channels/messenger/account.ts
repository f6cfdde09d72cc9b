/**
 * The Messenger test account (tenant acme), pointed at the local fake Graph API. Pure TS: imported by
 * the Node-side test configuration and inside the Worker alike. The fake (sandbox/fake-messenger.js)
 * accepts exactly this Page id and token by default.
 */
export const MESSENGER_ACCOUNT_ID = "messenger-test";
export const MESSENGER_PAGE_ID = "1234567890";
export const MESSENGER_PAGE_TOKEN = "sandbox-messenger-page-token";
export const MESSENGER_APP_SECRET = "sandbox-messenger-app-secret-0123456789";
export const MESSENGER_VERIFY_TOKEN = "sandbox-messenger-verify-token";
export const MESSENGER_API_VERSION = "v23.0";

export function testAccount(platformUrl: string) {
  return {
    id: MESSENGER_ACCOUNT_ID,
    channel: "messenger",
    pageId: MESSENGER_PAGE_ID,
    pageAccessToken: MESSENGER_PAGE_TOKEN,
    appSecret: MESSENGER_APP_SECRET,
    verifyToken: MESSENGER_VERIFY_TOKEN,
    apiVersion: MESSENGER_API_VERSION,
    apiBaseUrl: platformUrl,
    timeoutMs: 3000,
  };
}
