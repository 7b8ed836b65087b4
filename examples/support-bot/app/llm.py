"""The chat model that answers customers."""

from transformers import AutoModelForCausalLM, AutoTokenizer

CHAT_MODEL = "Qwen/Qwen2.5-7B-Instruct"


def load_chat_model(device: str = "cuda"):
    tokenizer = AutoTokenizer.from_pretrained(CHAT_MODEL)
    model = AutoModelForCausalLM.from_pretrained(CHAT_MODEL, torch_dtype="auto", device_map=device)
    return tokenizer, model


def answer(question: str, context: list[str], tokenizer, model) -> str:
    messages = [
        {"role": "system", "content": "Answer using only the help-centre articles below.\n" + "\n".join(context)},
        {"role": "user", "content": question},
    ]
    prompt = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    inputs = tokenizer(prompt, return_tensors="pt").to(model.device)
    output = model.generate(**inputs, max_new_tokens=512)
    return tokenizer.decode(output[0][inputs["input_ids"].shape[1]:], skip_special_tokens=True)
