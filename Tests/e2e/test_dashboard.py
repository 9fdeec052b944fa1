"""The dashboard in a real headless browser (Chromium through chromedriver, driven by selenium)
against the real binary: operators and key holders sign in, keys are created, used through the
openai SDK, topped up and revoked, requests show in the logs, the playground streams, hostile
names render as text. Every page is saved as a screenshot (SWITCHYARD_SCREENSHOTS, default a
temporary directory; docs/img holds the ones the README shows)."""

import json
import os
import pathlib
import re
import shutil
import time
import urllib.request

import openai
import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import MASTER_KEY, Gateway


@pytest.fixture(scope="module")
def ui_gateway(tmp_path_factory, upstream):
    running = Gateway(tmp_path_factory.mktemp("ui-gateway"), upstream.port)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    folder = pathlib.Path(os.environ.get("SWITCHYARD_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000", "--disable-gpu"]:
        options.add_argument(argument)
    driver_path = shutil.which("chromedriver")
    assert driver_path, "chromedriver is missing (scripts/test.sh installs chromium-driver from Debian)"
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=driver_path))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


class UI:
    """The browser on one gateway's dashboard."""

    def __init__(self, browser, gateway, screenshots):
        self.browser = browser
        self.base = f"http://127.0.0.1:{gateway.port}"
        self.screenshots = screenshots

    def open(self, path: str):
        self.browser.get(self.base + path)
        return self.browser

    def shot(self, name: str):
        self.browser.save_screenshot(str(self.screenshots / f"{name}.png"))

    def sign_in(self, key: str):
        self.open("/ui/login")
        self.browser.find_element(By.XPATH, "//label[text()='API key']")
        field = self.browser.find_element(By.ID, "api_key")
        assert field.get_attribute("type") == "password"
        field.send_keys(key)
        self.button("Sign in").click()
        self.wait_for_load(lambda driver: not driver.current_url.endswith("/ui/login"))

    def sign_out(self):
        self.button("Sign out").click()
        self.wait_for_load(lambda driver: driver.current_url.endswith("/ui/login"))

    def button(self, text: str):
        return self.browser.find_element(By.XPATH, f"//button[normalize-space()='{text}']")

    def submit(self, text: str, confirm: bool = False):
        """Clicks a form's button and waits until the page the post answers with has loaded."""
        page = self.browser.find_element(By.TAG_NAME, "html").id
        self.button(text).click()
        if confirm:
            WebDriverWait(self.browser, 10).until(expected_conditions.alert_is_present()).accept()
        self.wait_for_load(lambda driver: driver.find_element(By.TAG_NAME, "html").id != page)

    def wait_for_load(self, condition):
        """Waits for `condition` and a complete document (a page mid-navigation raises; it is retried)."""
        WebDriverWait(self.browser, 10, ignored_exceptions=(WebDriverException,)).until(
            lambda driver: condition(driver) and driver.execute_script("return document.readyState") == "complete")

    def fill(self, field_id: str, value: str):
        element = self.browser.find_element(By.ID, field_id)
        element.clear()
        element.send_keys(value)

    def text(self) -> str:
        return self.browser.find_element(By.TAG_NAME, "main").text

    def create_key(self, name: str, credits: str = "", models: str = "") -> str:
        self.open("/ui/keys/new")
        self.fill("name", name)
        if credits:
            self.fill("credits", credits)
        if models:
            self.fill("models", models)
        self.submit("Create key")
        return self.browser.find_element(By.ID, "new-key").text


@pytest.fixture
def ui(browser, ui_gateway, screenshots):
    view = UI(browser, ui_gateway, screenshots)
    browser.delete_all_cookies()
    return view


def sdk(gateway, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=gateway.base_url, api_key=key, max_retries=0, timeout=30)


def test_without_a_session_every_page_goes_to_sign_in(ui):
    for path in ["/ui", "/ui/keys", "/ui/usage", "/ui/models", "/ui/routing", "/ui/logs", "/ui/playground", "/ui/logs/req_x"]:
        assert ui.open(path).current_url.endswith("/ui/login"), path
    ui.shot("login")


def test_a_wrong_key_is_refused(ui):
    ui.open("/ui/login")
    ui.fill("api_key", "sk-sy-not-a-key")
    ui.submit("Sign in")
    assert "That key is not valid." in ui.browser.page_source
    assert ui.browser.get_cookies() == []


def test_an_operator_manages_a_key_end_to_end(ui, ui_gateway):
    ui.sign_in(MASTER_KEY)
    cookie = ui.browser.get_cookie("sy_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and MASTER_KEY not in json.dumps(ui.browser.get_cookies())
    assert "Requests" in ui.text()
    ui.shot("overview")

    plaintext = ui.create_key("e2e team", credits="1.00", models="mini")
    assert re.fullmatch(r"sk-sy-[0-9A-Za-z]{32}", plaintext)
    ui.shot("key-created")
    key_url = ui.browser.find_element(By.LINK_TEXT, "Go to the key").get_attribute("href")
    ui.browser.get(key_url)
    assert plaintext not in ui.browser.page_source, "the key is shown once only"
    assert "$1.00" in ui.browser.find_element(By.ID, "balance").text

    # The key works through the official SDK, and the request shows in the logs within 2 s.
    response = sdk(ui_gateway, plaintext).chat.completions.with_raw_response.create(
        model="mini", messages=[{"role": "user", "content": "hello from the dashboard test"}])
    request_id = response.headers["x-request-id"]
    deadline = time.monotonic() + 2
    while True:
        ui.open("/ui/logs")
        if request_id in ui.browser.page_source or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert request_id in ui.browser.page_source, "the request is in the logs within 2 s of being served"
    row = ui.browser.find_element(By.XPATH, f"//tr[td/a[text()='{request_id}']]").text
    assert "e2e team" in row and "mini" in row and "200" in row
    ui.shot("logs")
    ui.browser.get(ui.browser.find_element(By.LINK_TEXT, request_id).get_attribute("href"))
    assert "gpt-4o-mini" in ui.text()
    ui.shot("log")

    ui.open("/ui/usage?days=1&group=key")
    assert "e2e team" in ui.text()
    ui.shot("usage")
    csv = ui.browser.find_element(By.LINK_TEXT, "Export CSV").get_attribute("href")
    session = {"Cookie": f"sy_session={cookie['value']}"}
    with urllib.request.urlopen(urllib.request.Request(csv, headers=session), timeout=10) as reply:
        assert reply.headers["content-type"].startswith("text/csv")
        assert "e2e team" in reply.read().decode()

    # Top up: the balance moves by exactly the amount (less what the request cost).
    ui.browser.get(key_url)
    before = float(ui.browser.find_element(By.ID, "balance").text.lstrip("$"))
    ui.fill("amount", "5.00")
    ui.submit("Top up")
    assert "Credits added." in ui.text()
    after = float(ui.browser.find_element(By.ID, "balance").text.lstrip("$"))
    assert abs(after - before - 5.0) < 1e-9
    ui.shot("key")

    # Revoke: the SDK is refused with 401 at once.
    ui.submit("Revoke", confirm=True)
    assert "Key revoked." in ui.text()
    with pytest.raises(openai.AuthenticationError):
        sdk(ui_gateway, plaintext).chat.completions.create(model="mini", messages=[{"role": "user", "content": "still there?"}])

    ui.open("/ui/keys?q=e2e")
    assert "e2e team" in ui.text() and "revoked" in ui.text()
    ui.shot("keys")


def test_every_operator_page_renders(ui, ui_gateway):
    sdk(ui_gateway, MASTER_KEY).chat.completions.create(model="auto", messages=[{"role": "user", "content": "route me"}])
    ui.sign_in(MASTER_KEY)
    ui.open("/ui/models")
    assert "gpt-4o-mini" in ui.text() and "healthy" in ui.text()
    ui.shot("models")
    ui.open("/ui/routing")
    assert "auto" in ui.text() and "Saved" in ui.text()
    ui.shot("routing")
    ui.open("/ui")
    assert ui.browser.find_element(By.ID, "savings-30d").text.startswith("$")


def test_the_playground_streams_an_answer(ui):
    ui.sign_in(MASTER_KEY)
    ui.open("/ui/playground")
    Select(ui.browser.find_element(By.ID, "pg-model")).select_by_value("mini")
    ui.fill("pg-message", "Say hello")
    ui.button("Send").click()
    WebDriverWait(ui.browser, 15).until(lambda driver: driver.find_element(By.ID, "pg-cost").text.startswith("$"))
    assert ui.browser.find_element(By.ID, "pg-answer").text.strip()
    assert ui.browser.find_element(By.ID, "pg-served").text == "mini"
    assert re.match(r"\d+ in, \d+ out", ui.browser.find_element(By.ID, "pg-tokens").text)
    ui.shot("playground")


def test_a_hostile_key_name_renders_as_text(ui):
    ui.sign_in(MASTER_KEY)
    ui.create_key("<script>alert(1)</script>")
    ui.open("/ui/keys")
    assert "<script>alert(1)</script>" in ui.text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in ui.browser.page_source
    with pytest.raises(NoAlertPresentException):
        ui.browser.switch_to.alert.text


def test_a_key_holder_sees_only_their_own_key(ui, ui_gateway):
    ui.sign_in(MASTER_KEY)
    mine = ui.create_key("holder key", credits="2.00")
    theirs = ui.create_key("someone else")
    ui.sign_out()
    served_mine = sdk(ui_gateway, mine).chat.completions.with_raw_response.create(
        model="mini", messages=[{"role": "user", "content": "mine"}]).headers["x-request-id"]
    served_theirs = sdk(ui_gateway, theirs).chat.completions.with_raw_response.create(
        model="mini", messages=[{"role": "user", "content": "theirs"}]).headers["x-request-id"]
    time.sleep(0.5)

    ui.sign_in(mine)
    assert "holder key" in ui.text()
    balance = float(ui.browser.find_element(By.ID, "balance").text.lstrip("$"))
    assert 1.99 < balance < 2.0, "the balance less what the one request cost"
    ui.shot("key-holder")
    nav = ui.browser.find_element(By.TAG_NAME, "nav").text
    assert "Keys" not in nav and "Models" not in nav
    ui.open("/ui/keys")
    assert "for operators" in ui.browser.page_source
    ui.open("/ui/logs")
    assert served_mine in ui.browser.page_source and served_theirs not in ui.browser.page_source
    ui.open(f"/ui/logs/{served_theirs}")
    assert "No request with id" in ui.browser.page_source
    ui.open("/ui/usage")
    assert "someone else" not in ui.text()
    ui.sign_out()
    assert ui.open("/ui").current_url.endswith("/ui/login")
