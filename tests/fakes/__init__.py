"""Fake Telegram Bot API and Twilio REST servers on localhost, so tests can drive the real
python-telegram-bot and twilio libraries without the network."""
