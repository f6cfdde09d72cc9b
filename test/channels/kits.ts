import { appleKit } from "./apple/kit";
import type { ChannelKit } from "./kit";
import { messengerKit } from "./messenger/kit";
import { telegramKit } from "./telegram/kit";
import { viberKit } from "./viber/kit";
import { whatsappCloudKit } from "./whatsapp-cloud/kit";
import { whatsappOnPremKit } from "./whatsapp-onprem/kit";

/** Every channel's kit: the contract suite runs over all of them. Add a channel's kit here. */
export const KITS: ChannelKit[] = [whatsappOnPremKit, whatsappCloudKit, messengerKit, telegramKit, viberKit, appleKit];
