import * as z from "zod";
import type { ChannelId } from "../model";
import type { BaseAccount, ChannelAdapter } from "./types";
import { appleBusiness } from "./apple";
import { messenger } from "./messenger";
import { telegram } from "./telegram";
import { viber } from "./viber";
import { whatsappCloud } from "./whatsapp-cloud";
import { whatsappOnPrem } from "./whatsapp-onprem";

/** Every channel the relay serves, by its slug. Adding a platform is a line here and one in AccountConfig. */
export const CHANNEL_ADAPTERS = {
  whatsapp: whatsappOnPrem,
  "whatsapp-cloud": whatsappCloud,
  messenger,
  telegram,
  viber,
  apple: appleBusiness,
} satisfies Record<ChannelId, unknown>;

/** A channel account in configuration, validated by its channel's schema. */
export const AccountConfig = z.discriminatedUnion("channel", [
  whatsappOnPrem.accountSchema,
  whatsappCloud.accountSchema,
  messenger.accountSchema,
  telegram.accountSchema,
  viber.accountSchema,
  appleBusiness.accountSchema,
]);
export type AccountConfig = z.infer<typeof AccountConfig>;

/** The adapter of a channel, typed for any account of it. */
export function adapterFor(channel: ChannelId): ChannelAdapter<BaseAccount> {
  return CHANNEL_ADAPTERS[channel] as unknown as ChannelAdapter<BaseAccount>;
}
