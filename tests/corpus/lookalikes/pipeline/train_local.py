"""Resume training from our own checkpoints on disk."""

from transformers import AutoModelForCausalLM, AutoTokenizer, TrainingArguments

model = AutoModelForCausalLM.from_pretrained("./outputs/run-7")
tokenizer = AutoTokenizer.from_pretrained("outputs/run-7")
student = AutoModelForCausalLM.from_pretrained("checkpoints/checkpoint-1500")
config_only = AutoTokenizer.from_pretrained("/mnt/models/llama")

args = TrainingArguments(
    output_dir="outputs/run-8",
    hub_model_id="acme-ml/run-8",
    logging_dir="runs/2024/11",
    report_to="wandb",
)
model.save_pretrained("outputs/run-8")
model.push_to_hub("acme-ml/run-8")

model_type = "llama"
model_max_length = 4096
