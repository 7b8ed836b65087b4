"""Distil a teacher into a student.

Example:

    python scripts/distill.py \
        --student_model_name_or_path Qwen/Qwen2.5-0.5B-Instruct \
        --teacher_model_name_or_path Qwen/Qwen2.5-7B-Instruct \
        --dataset_name acme-research/distill-prompts \
        --output_dir runs/distill-0.5b
"""

import argparse

parser = argparse.ArgumentParser()
parser.add_argument("--student", default="Qwen/Qwen2.5-0.5B-Instruct")
parser.add_argument("--hub-id", help="where to push the student, e.g. acme-research/student-0.5B-v1")
# an older teacher we compared against: "meta-llama/Llama-3.1-8B-Instruct"
