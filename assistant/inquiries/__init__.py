"""Staff triage: inquiries classified, routed to partner institutions and answered through their channel."""

from assistant.inquiries.inquiry import CHANNELS, INTENTS, STATUSES, URGENCIES, Channel, Delivery, Event, Inquiry
from assistant.inquiries.service import InquiryService

__all__ = ["CHANNELS", "INTENTS", "STATUSES", "URGENCIES", "Channel", "Delivery", "Event", "Inquiry",
           "InquiryService"]
