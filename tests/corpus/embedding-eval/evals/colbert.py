from pylate import models

model = models.ColBERT(model_name_or_path="lightonai/GTE-ModernColBERT-v1")
teacher = models.ColBERT(model_name_or_path="answerdotai/answerai-colbert-small-v1", device="cuda")
