import type { ChannelKit } from "./kit";
import { whatsappOnPremKit } from "./whatsapp-onprem/kit";

/** Every channel's kit: the contract suite runs over all of them. Add a channel's kit here. */
export const KITS: ChannelKit[] = [
  whatsappOnPremKit,
  // channels: add kits above this line
];
