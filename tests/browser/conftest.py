"""Browser tests of the operator console: the whole platform (the launcher, as `make up`
runs it, on free ports: the session's `launched_platform`) driven by Playwright through
Debian's Chromium, headless.

Never `playwright install`: the browser is /usr/bin/chromium (`apt-get install chromium`;
`.ci/run` installs it). A failing test saves a screenshot of each of its pages next to the
test report (the --junitxml directory, else .platform/test-reports/) and names it in the
failure output.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from dev_idp.identities import dev_secret
from dev_idp.otp import current_code, totp_secret
from platform_launcher.platform import ROOT, LocalPlatform

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
LAPTOP = {"width": 1366, "height": 850}


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium; the tests fail (never skip) without it."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(
            "Chromium is missing: `apt-get update && apt-get install -y chromium` (.ci/run does)",
            pytrace=False,
        )
    return CHROMIUM


@pytest.fixture(scope="module")
def platform(launched_platform: LocalPlatform) -> LocalPlatform:
    """The whole platform as `make up` starts it (console included): the session's own."""
    assert "console" in launched_platform.endpoints, "the launcher did not start the console"
    return launched_platform


@pytest.fixture(scope="module")
def console(platform: LocalPlatform) -> str:
    """The console's URL."""
    return str(platform.endpoints["console"])


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright, chromium_path: str) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def new_context(browser: Browser, **options: object) -> BrowserContext:
    """A fresh browser profile; CSP is bypassed only so the tests can inject axe-core."""
    context = browser.new_context(
        viewport=options.pop("viewport", LAPTOP),  # type: ignore[arg-type]
        bypass_csp=True,
        **options,  # type: ignore[arg-type]
    )
    context.set_default_timeout(20_000)
    return context


_used_steps: dict[str, int] = {}


def one_time_code(identity: str) -> str:
    """A code the issuer has not accepted yet for `identity` (each 30 s step works once)."""
    secret = totp_secret(dev_secret(identity))
    step = int(time.time() // 30)
    if _used_steps.get(identity, -1) >= step:
        step = _used_steps[identity] + 1  # the issuer accepts one step of drift ahead
    _used_steps[identity] = step
    return current_code(secret, at=step * 30)


def sign_in(page: Page, identity: str, *, mfa: bool = False) -> None:
    """At the issuer's sign-in page: username and dev secret, then the one-time code."""
    page.wait_for_selector("#username")
    page.fill("#username", identity)
    page.fill("#password", dev_secret(identity))
    page.click("button[name=login]")
    if mfa:
        page.wait_for_selector("#otp")
        page.fill("#otp", one_time_code(identity))
        page.click("button[name=verify]")


def axe_violations(page: Page) -> list[dict[str, object]]:
    """axe-core's WCAG 2.x A/AA violations on the current page."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, "
        "nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"
    )
    return list(result)


def approve(platform: LocalPlatform, change: str) -> None:
    """The CAB approves the change in the ServiceNow simulator."""
    base = platform.endpoints["backends"]["servicenow"]
    httpx.post(f"{base}/sandbox/changes/{change}/approve", timeout=10).raise_for_status()


# -- a screenshot of every page of a failing test, next to the report ----------------------


def _report_dir(config: pytest.Config) -> Path:
    xml = getattr(config.option, "xmlpath", None)
    if xml:
        return Path(xml).resolve().parent
    return ROOT / ".platform" / "test-reports"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    report: pytest.TestReport = yield
    if report.when != "call" or not report.failed:
        return report
    pages: list[Page] = []
    for value in getattr(item, "funcargs", {}).values():
        if isinstance(value, Page):
            pages.append(value)
        elif isinstance(value, BrowserContext):
            pages.extend(value.pages)
    folder = _report_dir(item.config) / "screenshots"
    saved = []
    for index, page in enumerate(pages):
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid)[-150:]
        path = folder / f"{name}-{index}.png"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(path), full_page=True)
            saved.append(str(path))
        except Exception as exc:  # a closed page must not hide the real failure
            saved.append(f"(no screenshot: {type(exc).__name__})")
    if saved:
        report.sections.append(("browser screenshots", "\n".join(saved)))
    return report
