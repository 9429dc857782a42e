"""Property-based HTTP fuzzing of both task APIs from python-backend's OpenAPI document.

schemathesis generates requests (valid and invalid: positive and negative modes) for every
operation of the schema; each generated request is sent to python-backend **and replayed
byte for byte against the TypeScript twin**. A 5xx from either, or two different statuses for
the same request, is a failure. Seeded and bounded, so a run is repeatable and short.

    python scripts/fuzz_both.py --python URL --twin URL --token JWT [--seed 1] [--examples 25]

Prints one line per operation and a closing ``N passed, M failed`` line; exits 1 on a failure.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode


def fuzz_operation(operation: Any, args: argparse.Namespace) -> tuple[int, list[str]]:
    """Sends every generated case of ``operation`` to both APIs; returns the count and problems."""
    headers = {"Authorization": f"Bearer {args.token}"}
    problems: list[str] = []
    cases = 0

    def status(base: str, case: Any) -> int:
        return int(case.call(base_url=base, headers=headers, timeout=10).status_code)

    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

        @seed(args.seed)
        @settings(
            max_examples=args.examples,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case: Any) -> None:
            nonlocal cases
            cases += 1
            py, ts = status(args.python, case), status(args.twin, case)
            if py >= 500 or ts >= 500 or py != ts:
                detail = f"{case.method} {case.formatted_path} query={case.query} body={case.body!r}"
                problems.append(f"python {py}, twin {ts}: {detail[:300]}")

        try:
            check()
        except Unsatisfiable:
            # An operation with nothing to get wrong (GET /health) has no negative cases.
            continue
    return cases, problems


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", required=True)
    parser.add_argument("--twin", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--examples", type=int, default=25)
    args = parser.parse_args()

    schema = schemathesis.openapi.from_url(f"{args.python}/openapi.json")
    passed = failed = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        cases, problems = fuzz_operation(operation, args)
        if problems:
            failed += 1
            print(f"FAIL {label}: {len(problems)} of {cases} cases differ or 5xx; first: {problems[0]}")
        else:
            passed += 1
            print(f"ok   {label}: {cases} cases, same status from both, no 5xx")
    print(f"fuzz: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
