"""What people ask and whether we could answer: questions, ratings, staff insights."""

from assistant.insights.service import InsightsService

__all__ = ["InsightsService"]
