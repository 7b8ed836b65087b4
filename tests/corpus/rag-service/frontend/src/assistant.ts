import { generateText, streamText } from "ai";
import { openai } from "@ai-sdk/openai";
import { anthropic } from "@ai-sdk/anthropic";

// The browser never talks to the providers directly; these run in the Next.js route handlers.
const FAST_MODEL = "gpt-4o-mini";

export async function suggestTitle(question: string): Promise<string> {
  const { text } = await generateText({
    model: openai(FAST_MODEL),
    prompt: `Write a five-word title for: ${question}`,
  });
  return text;
}

export function streamAnswer(question: string, context: string) {
  return streamText({
    model: anthropic("claude-3-5-sonnet-20241022"),
    system: "Answer from the context only.",
    prompt: `${context}\n\nQ: ${question}`,
  });
}

export const ROUTES = {
  answer: "/v1/answer",
  health: "/healthz",
};
