import * as z from "zod";
import type { ChannelId } from "../model";
import type { BaseAccount, ChannelAdapter } from "./types";
import { appleBusiness } from "./apple";
import { messenger } from "./messenger";
import { telegram } from "./telegram";
import { viber } from "./viber";
import { whatsappCloud } from "./whatsapp-cloud";
import { whatsappOnPrem } from "./whatsapp-onprem";

/**
 * Every channel the relay serves, by its slug: the one list of channels. Adding a platform is a line
 * here; the account schemas below derive from it. Each adapter serves the channel it is listed under.
 */
export const CHANNEL_ADAPTERS = {
  whatsapp: whatsappOnPrem,
  "whatsapp-cloud": whatsappCloud,
  messenger,
  telegram,
  viber,
  apple: appleBusiness,
} satisfies { [K in ChannelId]: { channel: K } };

type AccountSchema = (typeof CHANNEL_ADAPTERS)[ChannelId]["accountSchema"];

/** Every channel's account schema, in the registry's order. */
const ACCOUNT_SCHEMAS = Object.values(CHANNEL_ADAPTERS).map((a) => a.accountSchema) as [AccountSchema, ...AccountSchema[]];

/** A channel account in configuration, validated by its channel's schema. */
export const AccountConfig = z.discriminatedUnion("channel", ACCOUNT_SCHEMAS);
export type AccountConfig = z.infer<typeof AccountConfig>;

/** The adapter of a channel, typed for any account of it. */
export function adapterFor(channel: ChannelId): ChannelAdapter<BaseAccount> {
  return CHANNEL_ADAPTERS[channel] as unknown as ChannelAdapter<BaseAccount>;
}
