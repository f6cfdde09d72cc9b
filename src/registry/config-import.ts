import { adapterFor } from "../channels/registry";
import type { RelayConfig } from "../config/schema";
import { sha256Hex } from "../crypto";
import type { ChannelId } from "../model";
import { hint, type Keyring, seal } from "./seal";
import { splitSecrets } from "./secrets";
import { CONFIG_ENDPOINT_ID, type ConfigImport } from "./store";

/** Where an account's sealed secrets belong: bound as additional data, so they open nowhere else. */
export const accountContext = (tenant: string, id: string) => `account/${tenant}/${id}`;
/** Where an endpoint's sealed signing secrets belong (current and previous alike). */
export const endpointContext = (tenant: string, id: string) => `endpoint/${tenant}/${id}`;

/** An account's secrets taken out and sealed, with a hint of each. */
export async function sealAccount(tenant: string, account: { id: string; channel: string }, ring: Keyring) {
  const { visible, secrets, hints } = splitSecrets(account as Record<string, unknown>, adapterFor(account.channel as ChannelId).secretFields);
  return { settings: visible, hints, sealedSecrets: await seal(JSON.stringify(secrets), accountContext(tenant, account.id), ring) };
}

/** A digest of RELAY_CONFIG's text: the import runs again only when it changes. */
export const configDigest = (text: string) => sha256Hex(text);

/** RELAY_CONFIG's tenants, accounts, endpoint and keys, sealed for the registry's import. */
export async function planImport(config: RelayConfig, digest: string, ring: Keyring): Promise<ConfigImport> {
  return {
    digest,
    tenants: await Promise.all(
      config.tenants.map(async (t) => ({
        id: t.id,
        ...(t.defaultAccount && { defaultAccount: t.defaultAccount }),
        keys: t.apiKeys.map((k) => ({ id: k.id, sha256: k.sha256, scopes: [...k.scopes] })),
        accounts: await Promise.all(t.accounts.map(async (a) => ({ id: a.id, channel: a.channel, ...(await sealAccount(t.id, a, ring)) }))),
        endpoint: {
          url: t.endpoint.url,
          timeoutMs: t.endpoint.timeoutMs,
          sealedSecret: await seal(t.endpoint.secret, endpointContext(t.id, CONFIG_ENDPOINT_ID), ring),
          secretHint: hint(t.endpoint.secret),
        },
      })),
    ),
  };
}
