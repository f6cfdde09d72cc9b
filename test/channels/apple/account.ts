/**
 * The Apple Messages for Business test account and its credentials, known to both sides: the relay's
 * configuration and the tests (Node and the Worker). sandbox/fake-apple.js defaults to the same values.
 */
export const APPLE_ACCOUNT_ID = "apple-test";
/** The MSP id: `iss` of the relay's tokens, `aud` of Apple's. */
export const APPLE_MSP_ID = "d6e2e2f4-3c1a-4b8e-9b7a-2f3e4d5c6b7a";
/** The MSP secret as Apple shows it: base64 of the HS256 key ("relay-test-apple-msp-secret-0123"). */
export const APPLE_MSP_SECRET = "cmVsYXktdGVzdC1hcHBsZS1tc3Atc2VjcmV0LTAxMjM=";
/** The business id: `Source-Id` of outbound messages, `destination-id` of inbound ones. */
export const APPLE_BUSINESS_ID = "a884eddf-5a71-4f7e-9a8c-7f0c3c1b2d4e";
/** The customer of the fixtures. */
export const APPLE_FIXTURE_PEER =
  "urn:mbid:AQAAY45PVG4jg/ni/q6rWSYuu9d7Ga6K22bxp0iUmPkdOwxr3yAbisjOmtYFzw6LjDqhABFFHD/nFz6S2U5rBEcSqO7Eg0B5ikXukFD/x+6hPeOuR0Bvb3JDbU24DLlT/E5Yj9aBzFVASwfwStWnuGMX/+FXmAs=";

/** The account for tenant acme, pointed at the fake Apple gateway. */
export function testAccount(platformUrl: string) {
  return {
    id: APPLE_ACCOUNT_ID,
    channel: "apple",
    mspId: APPLE_MSP_ID,
    mspSecret: APPLE_MSP_SECRET,
    businessId: APPLE_BUSINESS_ID,
    apiBaseUrl: platformUrl,
    timeoutMs: 3000,
  };
}
