import { Button } from "@acme/ui-kit";
import type { Message } from "@acme/types";

const ROUTES = { chat: "/v1/chat/completions", models: "/v1/models" };
const headers = { "Content-Type": "application/json", Accept: "text/event-stream" };
const release = new Date("2024/11/02");
const repo = "acme/assistant-web";
const dataset = "acme/support-transcripts";
// model: whatever the server runs (see its config); the client never names it.

export async function send(messages: Message[]) {
  return fetch(ROUTES.chat, { method: "POST", headers, body: JSON.stringify({ messages }) });
}
