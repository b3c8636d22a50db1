"""The operator console in a browser, against the whole platform as `make up` runs it.

A network engineer with MFA signs in (password, then one-time code), sees the Catalyst
Center tools, lists devices as a table, previews and starts a change-managed deployment,
sees it wait for approval with its change number and complete once the change is approved
in the ServiceNow simulator. A developer sees no Catalyst Center tools. An admin sees the
platform status and the last policy decisions. Every page passes axe-core (WCAG 2.1 AA),
works from the keyboard, fits a tablet, and never carries a token.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from platform_launcher.platform import LocalPlatform

from .conftest import approve, axe_violations, new_context, sign_in

NTP_TEMPLATE = "cd546576-69b2-5b3e-9263-191e9a914336"  # NTP-Servers (simulator catalog)
NTP_PARAMS = '{"ntp_primary": "10.0.0.123", "ntp_secondary": "10.0.1.123", "timezone": "UTC"}'
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ")

# The first test also waits for the platform to start (slower on a busy CI host).
pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def engineer_context(browser: Browser) -> Iterator[BrowserContext]:
    context = new_context(browser)
    yield context
    context.close()


@pytest.fixture(scope="module")
def engineer(engineer_context: BrowserContext, console: str) -> Page:
    """network-engineer-mfa, signed in once for the module (password + one-time code)."""
    page = engineer_context.new_page()
    page.goto(f"{console}/tools")
    sign_in(page, "network-engineer-mfa", mfa=True)
    page.wait_for_url(f"{console}/tools")
    return page


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = new_context(browser)
    yield context
    context.close()


def test_sign_in_with_password_and_one_time_code_shows_my_catalyst_center_tools(
    engineer: Page, console: str
) -> None:
    expect(engineer.locator("#who")).to_have_text("network-engineer-mfa")
    expect(engineer.locator(".top .badge.mfa")).to_be_visible()
    catalyst = engineer.locator("section[data-server=catalyst-center]")
    expect(catalyst.locator("a.tool-name", has_text="list_devices")).to_be_visible()
    # Annotations as badges: a read tool, and a destructive write one.
    row = catalyst.locator("li", has=engineer.locator("a", has_text="list_devices"))
    expect(row.locator(".badge.read")).to_be_visible()
    expect(
        engineer.locator("section[data-server=workflows] .badge.destructive").first
    ).to_be_visible()
    assert engineer.url == f"{console}/tools"


def test_calling_list_devices_shows_the_devices_in_a_table(engineer: Page, console: str) -> None:
    engineer.goto(f"{console}/tools/catalyst-center/list_devices")
    expect(engineer.locator("label[for=arg-hostname]")).to_be_visible()
    engineer.get_by_role("button", name="Call list_devices").click()
    table = engineer.locator("#answer table.result")
    expect(table).to_be_visible()
    expect(table.locator("th", has_text="hostname")).to_be_visible()
    expect(table.locator("td", has_text="par-acc-01")).to_be_visible()
    assert table.locator("tbody tr").count() >= 3
    assert axe_violations(engineer) == []


def test_input_is_validated_against_the_schema_before_the_call(
    engineer: Page, console: str
) -> None:
    engineer.goto(f"{console}/tools/catalyst-center/list_devices")
    limit = engineer.locator("#arg-limit")
    expect(limit).to_have_attribute("max", "500")  # from the tool's input schema
    engineer.fill("#arg-limit", "100000")
    engineer.get_by_role("button", name="Call list_devices").click()
    assert engineer.evaluate("document.querySelector('#arg-limit').validity.rangeOverflow")
    expect(engineer.locator("#answer table")).to_have_count(0)


def test_a_denied_call_names_the_action_and_resource(engineer: Page, console: str) -> None:
    # network-engineers may read ServiceNow changes but not incidents: the server hides
    # the tool, so the console says it is not offered to this person.
    engineer.goto(f"{console}/tools/servicenow/search_incidents")
    expect(engineer.locator("h1")).to_have_text("Not found")
    expect(engineer.locator(".problem")).to_contain_text("servicenow offers you no tool")


def test_a_deployment_waits_for_approval_with_its_change_number_then_completes(
    engineer: Page, console: str, platform: LocalPlatform
) -> None:
    engineer.goto(f"{console}/deployments")
    engineer.select_option("#template_id", NTP_TEMPLATE)
    engineer.get_by_label("par-acc-01").check()
    engineer.get_by_label("par-acc-02").check()
    engineer.fill("#params", NTP_PARAMS)
    engineer.fill("#reason", "Regional NTP servers changed (INC0010042)")
    engineer.get_by_role("button", name="Preview").click()
    expect(engineer.locator("#previews pre.cli").first).to_contain_text("ntp server 10.0.0.123")
    assert axe_violations(engineer) == []

    engineer.get_by_role("button", name="Start deployment").click()
    engineer.wait_for_url(re.compile(r"/deployments/template-deployment-"))
    change = engineer.locator("#change-number")
    expect(change).to_have_text(re.compile(r"^CHG\d+$"), timeout=60_000)
    status = engineer.locator("#deployment-status")
    expect(status).to_contain_text("awaiting approval", timeout=60_000)
    expect(engineer.locator("li.stage.current")).to_contain_text("Approved")
    expect(engineer.get_by_role("button", name="Cancel deployment")).to_be_visible()
    assert axe_violations(engineer) == []

    approve(platform, change.inner_text())
    expect(status).to_contain_text("Closed", timeout=90_000)
    expect(engineer.locator("li.stage.failed")).to_have_count(0)
    expect(engineer.get_by_role("button", name="Cancel deployment")).to_have_count(0)


def test_a_developer_sees_no_catalyst_center_tools(context: BrowserContext, console: str) -> None:
    page = context.new_page()
    page.goto(f"{console}/tools")
    sign_in(page, "developer")
    page.wait_for_url(f"{console}/tools")
    catalyst = page.locator("section[data-server=catalyst-center]")
    expect(catalyst.locator(".empty")).to_have_text("No tools for you on this server.")
    expect(catalyst.locator("a.tool-name")).to_have_count(0)
    expect(page.locator("section[data-server=github] a.tool-name").first).to_be_visible()
    expect(page.locator(".top .badge.mfa")).to_have_count(0)


def test_an_expired_session_signs_in_again_and_returns_to_the_same_page(
    context: BrowserContext, console: str, platform: LocalPlatform
) -> None:
    page = context.new_page()
    page.goto(f"{console}/tools")
    sign_in(page, "developer")
    page.wait_for_url(f"{console}/tools")
    page.goto(f"{console}/tools/github/list_issues")
    # The session ends (idle timeout, console restart...): the cookie no longer names one.
    page.fill("#arg-owner", "netops")
    page.fill("#arg-repo", "network-configs")
    context.clear_cookies(name="console_session")
    page.get_by_role("button", name="Call list_issues").click()
    sign_in(page, "developer")
    page.wait_for_url(f"{console}/tools/github/list_issues")
    expect(page.locator("h1")).to_contain_text("list_issues")


def test_an_admin_sees_readiness_rates_and_the_last_policy_decisions(
    context: BrowserContext, console: str
) -> None:
    page = context.new_page()
    page.goto(f"{console}/status")
    sign_in(page, "admin", mfa=True)
    page.wait_for_url(f"{console}/status")
    card = page.locator("article.service", has=page.locator("h2", has_text="mcp-catalyst-center"))
    expect(card.locator(".ready")).to_have_text("Ready")
    expect(card.locator("svg.chart")).to_be_visible()
    decisions = page.locator("table.decisions")
    expect(decisions).to_be_visible()
    expect(decisions.locator("td.allow").first).to_be_visible()
    expect(decisions.locator("td", has_text="mcp-console").first).to_be_visible()
    assert axe_violations(page) == []


def test_keyboard_first_stop_is_the_skip_link_and_it_moves_focus_to_the_content(
    engineer: Page, console: str
) -> None:
    engineer.goto(f"{console}/tools")
    engineer.keyboard.press("Tab")
    focused = engineer.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    engineer.keyboard.press("Enter")
    assert engineer.evaluate("document.activeElement.id") == "main"
    assert axe_violations(engineer) == []


def test_no_token_in_any_page_or_url_and_the_cookie_is_http_only(
    browser: Browser, console: str
) -> None:
    context = new_context(browser)
    urls: list[str] = []
    context.on("request", lambda request: urls.append(request.url))
    page = context.new_page()
    bodies: list[str] = []
    page.on(
        "response",
        lambda r: bodies.append(r.text()) if r.url.startswith(console) and r.ok else None,
    )
    page.goto(f"{console}/tools")
    sign_in(page, "developer")
    page.wait_for_url(f"{console}/tools")
    page.goto(f"{console}/tools/github/list_issues")
    bodies.append(page.content())
    assert not [u for u in urls if JWT.search(u) or "token" in u.lower()]
    assert not [b for b in bodies if JWT.search(b) or "developer-secret" in b]
    [cookie] = [c for c in context.cookies() if c["name"] == "console_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert len(cookie["value"]) >= 40 and not JWT.search(cookie["value"])
    context.close()


@pytest.mark.parametrize("size", [(768, 1024), (1024, 768), (1366, 850)])
def test_readable_on_a_tablet_and_a_laptop(
    browser: Browser, engineer_context: BrowserContext, console: str, size: tuple[int, int]
) -> None:
    page = engineer_context.new_page()
    page.set_viewport_size({"width": size[0], "height": size[1]})
    for path in ("/tools", "/tools/catalyst-center/list_devices", "/deployments"):
        page.goto(f"{console}{path}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways at {size}"
    page.close()
