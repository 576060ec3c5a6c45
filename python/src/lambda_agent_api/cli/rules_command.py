"""``lambda-agent-api rules [ID...]``: list the rules that ``validate`` checks."""

from __future__ import annotations

import argparse
import json
import sys

from lambda_agent_api.protocol.rules import RULES, Rule

__all__ = ["EXIT_CODES", "HELP", "NAME", "add_arguments", "run"]

NAME = "rules"
HELP = "list the rules that validate checks: id, severity, name, docs page and summary"
EXIT_CODES = """\
exit codes:
  0  the rules were listed
  2  an unknown rule id, or bad arguments"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument("ids", nargs="*", metavar="ID", help="only these rules (e.g. P003 s001)")
    parser.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="text (the default), or json: an array of {id, name, severity, summary, url}",
    )


def run(args: argparse.Namespace) -> int:
    """Print the rules; exit 2 if an id is unknown."""
    wanted = [i.upper() for i in args.ids]
    unknown = [i for i in wanted if i not in RULES]
    if unknown:
        print(
            f"lambda-agent-api rules: no rule {', '.join(unknown)}; "
            "run `lambda-agent-api rules` to list them",
            file=sys.stderr,
        )
        return 2
    rules = [RULES[i] for i in wanted] if wanted else list(RULES.values())
    if args.format == "json":
        print(json.dumps([_as_dict(r) for r in rules], indent=2, ensure_ascii=False))
        return 0
    width = max(len(r.name) for r in rules)
    for rule in rules:
        # The URL before the summary: every URL has the same width, so the columns align.
        print(
            f"{rule.id}  {rule.severity.value:<7}  {rule.name:<{width}}  {rule.url}  {rule.summary}"
        )
    return 0


def _as_dict(rule: Rule) -> dict[str, str]:
    return {
        "id": rule.id,
        "name": rule.name,
        "severity": rule.severity.value,
        "summary": rule.summary,
        "url": rule.url,
    }
