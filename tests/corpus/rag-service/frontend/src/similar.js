// Client-side "similar questions" with transformers.js, so typing never hits the server.
import { pipeline, env } from "@huggingface/transformers";

env.allowLocalModels = false;

const EMBEDDING_MODEL = "Xenova/all-MiniLM-L6-v2";
let extractor = null;

export async function embed(texts) {
  if (extractor === null) {
    extractor = await pipeline("feature-extraction", EMBEDDING_MODEL, { dtype: "q8" });
  }
  const output = await extractor(texts, { pooling: "mean", normalize: true });
  return output.tolist();
}

export async function detectLanguage(text) {
  const classify = await pipeline("text-classification", "Xenova/xlm-roberta-base-language-detection");
  return (await classify(text))[0].label;
}

// Earlier experiment, kept for reference:
// const tagger = await pipeline("token-classification", "Xenova/bert-base-NER");

const headers = { "Content-Type": "application/json", Accept: "text/event-stream" };
export const api = { base: "/api/v1", headers };
