#!/bin/sh
# llama.cpp's server pulls GGUF files straight from the Hub.
exec llama-server \
  -hf bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M \
  --hf-repo-draft bartowski/Llama-3.2-1B-Instruct-GGUF:Q8_0 \
  -c 8192 -ngl 99 --port 8080
