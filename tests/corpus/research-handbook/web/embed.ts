import { pipeline } from '@huggingface/transformers';

/**
 * Embeds text in the browser.
 * @example
 * const extractor = await pipeline('feature-extraction', 'Xenova/all-MiniLM-L6-v2');
 */
export async function embed(text: string) {
  const extractor = await pipeline('feature-extraction', 'mixedbread-ai/mxbai-embed-xsmall-v1');
  return extractor(text);
}
