"""Deploy open models to SageMaker endpoints with the Hugging Face LLM container."""

import json

import sagemaker
from sagemaker.huggingface import HuggingFaceModel, get_huggingface_llm_image_uri

role = sagemaker.get_execution_role()
image_uri = get_huggingface_llm_image_uri("huggingface", version="2.4.0")

ENDPOINTS = {
    "chat": {
        "HF_MODEL_ID": "meta-llama/Llama-3.1-70B-Instruct",
        "SM_NUM_GPUS": json.dumps(8),
        "MAX_INPUT_LENGTH": json.dumps(8000),
        "MESSAGES_API_ENABLED": "true",
    },
    "code": {
        "HF_MODEL_ID": "Qwen/Qwen2.5-Coder-32B-Instruct",
        "SM_NUM_GPUS": json.dumps(4),
    },
}


def deploy(name: str, instance_type: str = "ml.g5.48xlarge"):
    model = HuggingFaceModel(role=role, image_uri=image_uri, env=ENDPOINTS[name])
    return model.deploy(initial_instance_count=1, instance_type=instance_type,
                        container_startup_health_check_timeout=900)


def deploy_classifier():
    hub = {"HF_MODEL_ID": "distilbert/distilbert-base-uncased-finetuned-sst-2-english", "HF_TASK": "text-classification"}
    model = HuggingFaceModel(env=hub, role=role, transformers_version="4.37", pytorch_version="2.1",
                             py_version="py310")
    return model.deploy(initial_instance_count=1, instance_type="ml.m5.xlarge")
