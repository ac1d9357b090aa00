"""axe-core in the browser tests: inject it into a page (installed by `make browser` into
tests/browser/node_modules) and list the serious and critical violations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"


async def serious_violations(page: Any) -> list[str]:
    """Each serious or critical axe-core violation on the page, with where it is (the
    page's context needs `bypass_csp=True`: the console allows no injected script)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make browser` installs axe-core with npm")
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{violation['id']} ({violation['impact']}): {violation['help']} at "
            f"{[node['target'] for node in violation['nodes']][:3]}"
            for violation in result["violations"]
            if violation["impact"] in ("serious", "critical")]
