// Web worker: runs Whisper in the browser with transformers.js (WebGPU when available).
import { pipeline, AutoTokenizer } from "@huggingface/transformers";

const MODEL_ID = "onnx-community/whisper-base";

class Transcriber {
  static instance = null;

  static async get(progress_callback) {
    this.instance ??= await pipeline("automatic-speech-recognition", MODEL_ID, {
      device: "webgpu",
      dtype: { encoder_model: "fp32", decoder_model_merged: "q4" },
      progress_callback,
    });
    return this.instance;
  }
}

const tokenizer = await AutoTokenizer.from_pretrained("Xenova/gpt-4o");

self.addEventListener("message", async (event) => {
  const transcriber = await Transcriber.get((p) => self.postMessage(p));
  const output = await transcriber(event.data.audio, { language: "english", chunk_length_s: 30 });
  self.postMessage({ status: "complete", output, tokens: tokenizer.encode(output.text).length });
});
