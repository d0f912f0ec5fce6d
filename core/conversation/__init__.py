"""The ordering conversation, the same for every chat channel: state machine, menu browsing, checkout and
status messages. Channels translate their webhooks to `Inbound` and render `Reply`; see engine.py."""
from core.conversation.engine import respond
from core.conversation.model import (
    Button,
    CatalogItem,
    ConversationState,
    Inbound,
    InboundKind,
    Reply,
    Row,
    Section,
    Stage,
    Turn,
)
from core.conversation.ports import ConversationPorts
from core.conversation.status import NOTIFIED, status_text
from core.conversation.texts import Texts

__all__ = ["NOTIFIED", "Button", "CatalogItem", "ConversationPorts", "ConversationState", "Inbound", "InboundKind",
           "Reply", "Row", "Section", "Stage", "Texts", "Turn", "respond", "status_text"]
