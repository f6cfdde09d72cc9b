import { z } from "zod";
import type { ChannelId } from "../model";
import type { BaseAccount, ChannelAdapter } from "./types";
import { whatsappOnPrem } from "./whatsapp-onprem";
import { messenger } from "./messenger";
import { telegram } from "./telegram";
import { whatsappCloud } from "./whatsapp-cloud";
import { appleBusiness } from "./apple";
import { viber } from "./viber";
// channels: import adapters above this line

/** Every channel the relay serves, by its slug. Adding a platform is a line here and one in AccountConfig. */
export const CHANNEL_ADAPTERS = {
  whatsapp: whatsappOnPrem,
  "messenger": messenger,
  "telegram": telegram,
  "whatsapp-cloud": whatsappCloud,
  "apple": appleBusiness,
  "viber": viber,
  // channels: register adapters above this line
} satisfies Partial<Record<ChannelId, unknown>>;

/** A channel account in configuration, validated by its channel's schema. */
export const AccountConfig = z.discriminatedUnion("channel", [
  whatsappOnPrem.accountSchema,
  messenger.accountSchema,
  telegram.accountSchema,
  whatsappCloud.accountSchema,
  appleBusiness.accountSchema,
  viber.accountSchema,
  // channels: add account schemas above this line
]);
export type AccountConfig = z.infer<typeof AccountConfig>;

/** The adapter of a channel, typed for any account of it. */
export function adapterFor(channel: ChannelId): ChannelAdapter<BaseAccount> {
  const adapter = (CHANNEL_ADAPTERS as Partial<Record<ChannelId, unknown>>)[channel];
  if (!adapter) throw new Error(`no adapter for channel '${channel}'`);
  return adapter as ChannelAdapter<BaseAccount>;
}

/** Whether a channel slug has an adapter. */
export function hasAdapter(channel: string): channel is ChannelId {
  return channel in CHANNEL_ADAPTERS;
}
