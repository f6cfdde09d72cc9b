import { WEBHOOK_SECRET } from "../../support/constants";
import { fixtures } from "../../support/fixtures";
import type { ChannelKit } from "../kit";

const path = "/webhooks/whatsapp/wa-acme";
const json = { "content-type": "application/json" };

/** The On-Premises container authenticates with the account's secret in its callback URL. */
export const whatsappOnPremKit: ChannelKit = {
  channel: "whatsapp",
  accountId: "wa-acme",
  fixtures: fixtures("whatsapp"),
  signed: async (body) => ({ path: `${path}?secret=${WEBHOOK_SECRET}`, headers: json, body }),
  unsigned: (body) => ({ path, headers: json, body }),
  wronglySigned: async (body) => ({ path: `${path}?secret=${WEBHOOK_SECRET.slice(0, -1)}!`, headers: json, body }),
  // No signature covers the body; a secret for another account must not open this one.
  tampered: async (body) => ({ path: `/webhooks/whatsapp/wa-acme-access?secret=${WEBHOOK_SECRET}`, headers: json, body }),
};
