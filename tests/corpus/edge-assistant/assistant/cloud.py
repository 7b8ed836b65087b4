"""Hosted models, used when the user opts in to cloud answers."""

import os

import dashscope
import google.generativeai as genai
from mistralai import Mistral

genai.configure(api_key=os.environ["GOOGLE_API_KEY"])

PROVIDERS = {
    "gemini": {"model": "gemini-1.5-flash", "max_tokens": 2048},
    "mistral": {"model": "mistral-small-latest", "max_tokens": 2048},
    "qwen": {"model": "qwen-plus", "max_tokens": 2048},
}


def ask_gemini(prompt: str) -> str:
    model = genai.GenerativeModel("gemini-1.5-pro")
    return model.generate_content(prompt).text


def ask_mistral(prompt: str) -> str:
    client = Mistral(api_key=os.environ["MISTRAL_API_KEY"])
    reply = client.chat.complete(model="mistral-large-latest", messages=[{"role": "user", "content": prompt}])
    return reply.choices[0].message.content


def ask_qwen(prompt: str) -> str:
    response = dashscope.Generation.call(
        model="qwen-max",
        messages=[{"role": "user", "content": prompt}],
        result_format="message",
    )
    return response.output.choices[0].message.content


def embed_for_search(texts: list[str]):
    return dashscope.TextEmbedding.call(model="text-embedding-v3", input=texts)
