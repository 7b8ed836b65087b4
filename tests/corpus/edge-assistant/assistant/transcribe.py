"""Speech to text for voice notes."""

from transformers import AutoModelForSpeechSeq2Seq, AutoProcessor, pipeline

WHISPER = "openai/whisper-large-v3-turbo"


def build_transcriber(device: str = "cuda:0"):
    model = AutoModelForSpeechSeq2Seq.from_pretrained(WHISPER, low_cpu_mem_usage=True, use_safetensors=True)
    processor = AutoProcessor.from_pretrained(WHISPER)
    return pipeline(
        "automatic-speech-recognition",
        model=model,
        tokenizer=processor.tokenizer,
        feature_extractor=processor.feature_extractor,
        device=device,
    )


def diarizer():
    from pyannote.audio import Pipeline

    return Pipeline.from_pretrained("pyannote/speaker-diarization-3.1")


def tiny_transcriber():
    return pipeline("automatic-speech-recognition", "distil-whisper/distil-small.en")
