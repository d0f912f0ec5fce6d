"""WhatsApp and Instagram channels: the outbound Meta Graph API client, payload builders, webhooks."""
