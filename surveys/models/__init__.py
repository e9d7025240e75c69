"""Surveys, their questions, the invitations emailed to customers and their answers."""

from .invitations import Invitation, InvitationStatus
from .responses import Answer, Response
from .rules import EmailSuppression, SurveyRule
from .surveys import Question, QuestionDriver, QuestionType, Survey, SurveyKind, SurveyStatus

__all__ = [
    "Answer",
    "EmailSuppression",
    "Invitation",
    "InvitationStatus",
    "Question",
    "QuestionDriver",
    "QuestionType",
    "Response",
    "Survey",
    "SurveyKind",
    "SurveyRule",
    "SurveyStatus",
]
