export * from "./address";
export * from "./inbound";
export * from "./message-record";
export * from "./outbound";
export * from "./batch";
export * from "./conversation-id";
export * from "./conversation";
