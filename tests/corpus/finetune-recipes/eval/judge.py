"""Pairwise judging of chat answers with a strong API model."""

import json
import os
from pathlib import Path

from anthropic import Anthropic
from openai import OpenAI

JUDGE_MODEL = os.getenv("JUDGE_MODEL", "gpt-4o-2024-08-06")
TIEBREAK_MODEL = "claude-3-5-sonnet-20241022"

PROMPT = Path(__file__).with_name("judge_prompt.txt")


def judge(question: str, answer_a: str, answer_b: str) -> str:
    client = OpenAI()
    response = client.chat.completions.create(
        model=JUDGE_MODEL,
        temperature=0,
        messages=[
            {"role": "system", "content": PROMPT.read_text()},
            {"role": "user", "content": json.dumps({"q": question, "a": answer_a, "b": answer_b})},
        ],
        response_format={"type": "json_object"},
    )
    verdict = json.loads(response.choices[0].message.content)["winner"]
    if verdict == "tie":
        second = Anthropic().messages.create(
            model=TIEBREAK_MODEL,
            max_tokens=16,
            messages=[{"role": "user", "content": f"A or B?\n{answer_a}\n---\n{answer_b}"}],
        )
        verdict = second.content[0].text.strip()
    return verdict
