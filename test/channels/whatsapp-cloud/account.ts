/**
 * The WhatsApp Cloud test account, for tenant acme. Its secrets are the fake's defaults
 * (sandbox/fake-whatsapp-cloud.js `SANDBOX_CLOUD`). Pure TS: imported in Node and in the Worker.
 */
export const CLOUD_ACCOUNT_ID = "whatsapp-cloud-test";
export const CLOUD_ACCESS_TOKEN = "EAAGsandbox0cloud0system0user0token0123456789";
export const CLOUD_APP_SECRET = "sandbox-meta-app-secret-0123456789abcdef";
export const CLOUD_VERIFY_TOKEN = "sandbox-verify-token-0123";
export const CLOUD_PHONE_NUMBER_ID = "106540352242922";
export const CLOUD_API_VERSION = "v23.0";

export function testAccount(platformUrl: string) {
  return {
    id: CLOUD_ACCOUNT_ID,
    channel: "whatsapp-cloud",
    phoneNumberId: CLOUD_PHONE_NUMBER_ID,
    accessToken: CLOUD_ACCESS_TOKEN,
    appSecret: CLOUD_APP_SECRET,
    verifyToken: CLOUD_VERIFY_TOKEN,
    apiVersion: CLOUD_API_VERSION,
    apiBaseUrl: platformUrl,
    phoneNumber: "+1 555 078 3881",
    timeoutMs: 3000,
  };
}
