import type { ChannelKit } from "./kit";
import { telegramKit } from "./telegram/kit";
import { whatsappOnPremKit } from "./whatsapp-onprem/kit";
import { messengerKit } from "./messenger/kit";
import { whatsappCloudKit } from "./whatsapp-cloud/kit";
import { appleKit } from "./apple/kit";
import { viberKit } from "./viber/kit";

/** Every channel's kit: the contract suite runs over all of them. Add a channel's kit here. */
export const KITS: ChannelKit[] = [
  whatsappOnPremKit,
  messengerKit,
  telegramKit,
  whatsappCloudKit,
  appleKit,
  viberKit,
  // channels: add kits above this line
];
