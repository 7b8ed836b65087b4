from dataclasses import dataclass, field


@dataclass
class Args:
    repo_id: str = field(default="acme-research/distill-prompts",
                         metadata={"help": "Hub repository the dataset is pushed to."})
    tokenizer: str = field(default="Qwen/Qwen2.5-7B-Instruct")
