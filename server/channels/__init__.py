"""Chat channels: Meta webhooks in, the conversation engine in a background worker, Graph API messages out."""
