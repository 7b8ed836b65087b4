"""Multi-step answers for refund disputes, where the chat model alone gets the arithmetic wrong."""

from transformers import AutoModelForCausalLM, AutoTokenizer

REASONER = "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"
REASONER_REVISION = "main"


def load_reasoner():
    tokenizer = AutoTokenizer.from_pretrained(REASONER, revision=REASONER_REVISION)
    model = AutoModelForCausalLM.from_pretrained(
        REASONER, revision=REASONER_REVISION, trust_remote_code=True
    )
    return tokenizer, model
