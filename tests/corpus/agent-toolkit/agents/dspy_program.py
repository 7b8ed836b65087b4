import dspy

lm = dspy.LM("openai/gpt-4o-mini", max_tokens=1000)
teacher = dspy.LM("openai/gpt-4o", max_tokens=2000)
dspy.configure(lm=lm)


class AnswerWithCitations(dspy.Signature):
    """Answer the question and cite the passages used."""

    context: list[str] = dspy.InputField()
    question: str = dspy.InputField()
    answer: str = dspy.OutputField()


program = dspy.ChainOfThought(AnswerWithCitations)
optimizer = dspy.MIPROv2(metric=lambda gold, pred, trace=None: gold.answer in pred.answer,
                         teacher_settings=dict(lm=teacher), auto="light")
