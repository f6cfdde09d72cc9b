/**
 * The Viber account of the test configuration (tenant acme). Pure TS: imported by the Node-side config
 * and by tests inside the Worker.
 */
export const VIBER_ACCOUNT_ID = "viber-test";
/** The bot token: sandbox/fake-viber.js accepts (and signs its callbacks with) the same by default. */
export const VIBER_AUTH_TOKEN = "4a7f5c0e2b9d1836-1f0c9e7ab5d24c61-9e3b6d0a7c14f258";
export const VIBER_SENDER_NAME = "Acme Support";

/** The account, its API pointed at the fake Viber (`platformUrl` + `/pa`, like chatapi.viber.com/pa). */
export function testAccount(platformUrl: string) {
  return {
    id: VIBER_ACCOUNT_ID,
    channel: "viber",
    authToken: VIBER_AUTH_TOKEN,
    senderName: VIBER_SENDER_NAME,
    apiBaseUrl: `${platformUrl}/pa`,
  };
}
