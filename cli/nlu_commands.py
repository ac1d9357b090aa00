"""`supportbot setup` and `supportbot nlu train|serve|eval`."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import threading
from pathlib import Path

from bot.config import Settings
from cli.common import CliError, Subparsers, nlu_service, say
from nlu.client import NluClient
from nlu.dataset import Example, load_examples
from nlu.evaluation import Prediction, predict, summarize
from nlu.report import format_table, write_report
from nlu.setup import prepare
from nlu.taxonomy import INTENTS


def register_setup(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("setup", help="install the Rasa venv and train the model")
    parser.set_defaults(handler=run_setup)


def register_nlu(subparsers: Subparsers) -> None:
    nlu = subparsers.add_parser("nlu", help="the Rasa NLU service")
    commands = nlu.add_subparsers(dest="nlu_command", required=True)
    train = commands.add_parser("train", help="train the model (cached by content hash)")
    train.add_argument("--force", action="store_true", help="retrain even when cached")
    train.set_defaults(handler=run_train)
    serve = commands.add_parser("serve", help="run the Rasa HTTP API until Ctrl-C")
    serve.add_argument("--port", type=int, help="port (default: SUPPORTBOT_NLU_PORT)")
    serve.set_defaults(handler=run_serve)
    evaluate = commands.add_parser("eval", help="evaluate a Rasa NLU YAML file")
    evaluate.add_argument("path", type=Path)
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.add_argument("--report", type=Path, metavar="DIR",
                          help="also write a confusion-matrix PNG and the per-intent table")
    evaluate.set_defaults(handler=run_eval)


COMMANDS = (register_setup, register_nlu)


def run_setup(args: argparse.Namespace) -> int:
    settings = Settings()
    prepared = prepare(settings.cache_dir, say)
    say(f"Setup complete. Model: {prepared.model}")
    return 0


def run_train(args: argparse.Namespace) -> int:
    settings = Settings()
    prepare(settings.cache_dir, say, retrain=args.force)
    return 0


def run_serve(args: argparse.Namespace) -> int:
    settings = Settings()
    prepared = prepare(settings.cache_dir, say)
    port = args.port or settings.nlu_port
    process = prepared.process(settings.nlu_host, port, settings.nlu_token.get_secret_value())
    process.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        process.wait_healthy(settings.nlu_start_timeout_s)
        say(f"NLU service ready at {process.url} (Ctrl-C stops it)")
        while not stop.wait(1.0):
            pass
    finally:
        process.stop()
        say("NLU service stopped")
    return 0


def run_eval(args: argparse.Namespace) -> int:
    settings = Settings()
    if not args.path.exists():
        raise CliError(f"{args.path}: no such file")
    examples = load_examples(args.path, known_intents=INTENTS)
    if not examples:
        raise CliError(f"{args.path}: the file has no intent examples")
    with nlu_service(settings) as (settings, prepared):
        predictions = asyncio.run(_predict_all(examples, settings))
    report = {"file": str(args.path), "model": prepared.model.name, **summarize(predictions)}
    if args.report:
        for path in write_report(report, args.report):
            say(f"wrote {path}")
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(format_table(report))
    return 0


async def _predict_all(examples: list[Example], settings: Settings) -> list[Prediction]:
    async with NluClient(settings.resolved_nlu_url, settings.nlu_token.get_secret_value(),
                         timeout=settings.nlu_timeout_s * 3,
                         retries=settings.nlu_retries) as client:
        return await predict(client, examples)
