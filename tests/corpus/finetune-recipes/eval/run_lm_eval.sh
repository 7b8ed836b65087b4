#!/bin/bash
# Academic benchmarks with lm-evaluation-harness.
TASKS="mmlu,arc_challenge,hellaswag,gsm8k"

lm_eval --model hf \
    --model_args pretrained=meta-llama/Llama-3.1-8B-Instruct,dtype=bfloat16 \
    --tasks "$TASKS" \
    --batch_size auto \
    --output_path results/llama31-8b-instruct

# Our merged model, served by vLLM for speed
lm_eval --model vllm \
    --model_args pretrained=acme-ml/llama3-8b-support,tensor_parallel_size=2,gpu_memory_utilization=0.85 \
    --tasks "$TASKS" \
    --batch_size auto \
    --output_path results/llama3-8b-support

# Judge-based chat eval
python -m alpaca_eval.main evaluate_from_model \
  --model_configs acme_support \
  --annotators_config weighted_alpaca_eval_gpt4_turbo
