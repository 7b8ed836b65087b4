"""Tags incoming tickets by topic so they reach the right queue."""

from transformers import AutoModelForSequenceClassification, AutoTokenizer

TOPICS = ["billing", "shipping", "returns", "account", "other"]

tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
classifier = AutoModelForSequenceClassification.from_pretrained(
    "bert-base-uncased", num_labels=len(TOPICS)
)
