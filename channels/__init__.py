"""Channel adapters: Telegram, WhatsApp (Twilio) and the website chat widget."""
