/**
 * The relay configuration the tests run with: two tenants on one sandbox container, so that tenant
 * isolation can be checked. Runs in Node (vitest config and global setup), never in the Worker.
 */
import { createHash } from "node:crypto";
import { ACCESS, ACCESS_AUDIENCE, CONTAINER_LOGIN, ENDPOINT_SECRET, JWT_SECRET, MEDIA_TOKEN_SECRET, TEST_KEYS, WEBHOOK_SECRET } from "./constants";
import { testAccount as messengerTestAccount } from "../channels/messenger/account";
import { testAccount as telegramTestAccount } from "../channels/telegram/account";
import { testAccount as whatsappCloudTestAccount } from "../channels/whatsapp-cloud/account";
import { testAccount as appleTestAccount } from "../channels/apple/account";
import { testAccount as viberTestAccount } from "../channels/viber/account";

export * from "./constants";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export interface Ports {
  containerUrl: string;
  backendUrl: string;
  accessTeamUrl: string;
  /** Fake platform API URLs by channel. */
  platformUrls: Record<string, string>;
}

/** Each channel's test account (test/channels/<channel>/account.ts), for tenant acme. */
function channelAccounts(urls: Record<string, string>): Record<string, unknown>[] {
  const url = (channel: string) => urls[channel] ?? "http://127.0.0.1:9";
  // The channel tests write first to customers who never wrote: the messaging window is advice here
  // (test/e2e/conversations.test.ts covers enforcing it).
  return [
    messengerTestAccount(url("messenger")),
    telegramTestAccount(url("telegram")),
    whatsappCloudTestAccount(url("whatsapp-cloud")),
    // A second number of the same Meta app: its events arrive at the first number's callback URL too.
    { ...whatsappCloudTestAccount(url("whatsapp-cloud")), id: "whatsapp-cloud-test-2", phoneNumberId: "999999999999999" },
    appleTestAccount(url("apple")),
    viberTestAccount(url("viber")),
  ].map((a) => ({ ...a, windowPolicy: "advise" }));
}

export function relayConfig(p: Ports) {
  const account = (id: string, access?: boolean, windowPolicy = "advise") => ({
    id,
    channel: "whatsapp",
    windowPolicy,
    phoneNumber: "+15550000000",
    container: {
      origin: p.containerUrl,
      transport: { type: "access", ...ACCESS },
      ...CONTAINER_LOGIN,
      timeoutMs: 3000,
      templateNamespace: "sandbox_namespace",
    },
    webhook: {
      secret: WEBHOOK_SECRET,
      ...(access && { access: { teamDomain: p.accessTeamUrl, audience: ACCESS_AUDIENCE } }),
    },
  });
  return {
    sandbox: true,
    dnsResolverUrl: `${p.accessTeamUrl}/dns-query`,
    media: { tokenSecret: MEDIA_TOKEN_SECRET },
    auth: { jwt: { secret: JWT_SECRET, issuer: "test-issuer" } },
    tenants: [
      {
        id: "acme",
        apiKeys: [
          { id: "main", sha256: sha256(TEST_KEYS.acme) },
          { id: "read", sha256: sha256(TEST_KEYS.acmeReadOnly), scopes: ["messages:read"] },
          { id: "manage", sha256: sha256(TEST_KEYS.acmeManager), scopes: ["messages:send", "messages:read", "accounts:write", "endpoints:write", "keys:write"] },
        ],
        defaultAccount: "wa-acme",
        endpoint: { url: `${p.backendUrl}/webhooks`, secret: ENDPOINT_SECRET, timeoutMs: 3000 },
        accounts: [account("wa-acme"), account("wa-acme-access", true), account("wa-window", false, "enforce"), ...channelAccounts(p.platformUrls)],
      },
      {
        id: "globex",
        apiKeys: [{ id: "main", sha256: sha256(TEST_KEYS.globex), scopes: ["messages:send", "messages:read", "accounts:write", "endpoints:write", "keys:write"] }],
        endpoint: { url: `${p.backendUrl}/globex`, secret: ENDPOINT_SECRET, timeoutMs: 3000 },
        accounts: [account("wa-globex")],
      },
    ],
  };
}
