"""A customer-support assistant: retrieval over help-centre articles, a chat model, and a router."""
