/** Credentials of the test configuration, known to tests on both sides (Node and the Worker). */
export const TEST_KEYS = {
  acme: "test-key-acme-0123456789",
  acmeReadOnly: "test-key-acme-readonly-0123",
  /** Every scope: manages acme's accounts, endpoints and keys too. */
  acmeManager: "test-key-acme-manager-0123456",
  globex: "test-key-globex-0123456789",
};
export const JWT_SECRET = "test-jwt-secret-0123456789abcdef0123456789";
export const WEBHOOK_SECRET = "test-webhook-secret-0123456789";
export const ENDPOINT_SECRET = "whsec_dGVzdC1lbmRwb2ludC1zZWNyZXQtMDEyMzQ1Njc4OQ==";
export const ACCESS = { clientId: "test-access-client.access", clientSecret: "test-access-secret-0123456789" };
export const ACCESS_AUDIENCE = "test-access-aud";
export const CONTAINER_LOGIN = { username: "admin", password: "sandbox-password" };
/** The operator's key for `/admin/v1` (its SHA-256 is the ADMIN_KEYS secret of the tests). */
export const ADMIN_KEY = "test-admin-key-0123456789";
export const MEDIA_TOKEN_SECRET = "test-media-token-secret-0123456789abcdef";
/** RELAY_MASTER_KEY of the tests: seals the registry's secrets. */
export const MASTER_KEY = `test1:${btoa("test-master-key-material-0123456")}`;
