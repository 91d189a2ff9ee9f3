"""Notebook 07 in a real browser: JupyterLab runs it from top to bottom, and its playground panel reacts
to a colour picked in the page.

What is checked, as a reader would see it in JupyterLab:

- every code cell of ``notebooks/07_playground.ipynb`` runs (it has an execution count) and no output
  shows an error;
- picking an orange hair colour in the panel's "hair" colour picker makes the panel name the class the
  colour snapped to ("orange" instead of the default "blue") and redraw the faces image.

The browser is the system Chromium driven by Playwright (the test never downloads one: install Chromium
with ``apt-get install chromium`` and Playwright with pip, else the test is skipped). The server is a
JupyterLab of this environment on a free port with a random token, with its settings, runtime files and
checkpoints in a temporary folder; autosave is off, so the stored notebook is not rewritten. The
notebook runs in the smoke profile (conftest.py sets ``ACGAN_PROFILE``), writes its figures to a
temporary report folder, and reuses the judge cached in ``data/``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "notebooks/07_playground.ipynb"  # relative to the server's root folder, ROOT

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SERVER_START_TIMEOUT_S = 60
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the server is on 127.0.0.1
NOTEBOOK_LOAD_TIMEOUT_MS = 90_000
RUN_ALL_TIMEOUT_MS = 300_000  # the first run trains the judge when data/ has none cached
PANEL_UPDATE_TIMEOUT_MS = 60_000

DEFAULT_HAIR_CLASS = "blue"  # the notebook's hair_colour, #2e56d8
PICKED_HAIR_COLOUR = "#f48424"  # the orange hair swatch
PICKED_HAIR_CLASS = "orange"

# JupyterLab user settings for the test's server: no autosave (the stored notebook stays as it is), every
# cell attached to the page (no windowing), so that the DOM holds every cell and output, and no news
# (no request to the internet, no toast over the notebook).
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
}

# JupyterLab 4.6 renders a Python exception (an "error" output) as it renders text written to stderr: a
# text output with this MIME type, holding the traceback. (Nothing in the page carries the MIME type
# application/vnd.jupyter.error: it has no renderer.)
STDERR_OUTPUT = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ----- the JupyterLab server ---------------------------------------------------------------------------


@dataclass
class LabServer:
    process: subprocess.Popen
    port: int
    token: str
    log_path: Path

    def url(self, path: str) -> str:
        separator = "&" if "?" in path else "?"
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}{separator}token={self.token}"

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def answers(self) -> bool:
        try:
            with NO_PROXY.open(self.url("api/status"), timeout=2) as response:
                return response.status == 200
        except OSError:
            return False


def lab_command(root_dir: Path, work_dir: Path, port: int, token: str) -> list[str]:
    return [
        sys.executable, "-m", "jupyterlab",
        "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--port-retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        f"--FileCheckpoints.checkpoint_dir={work_dir / 'checkpoints'}",
        f"--LabApp.user_settings_dir={work_dir / 'settings'}",
        f"--LabApp.workspaces_dir={work_dir / 'workspaces'}",
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: run commands, read the kernel's state
        "--LabApp.news_url=None",  # with the three lines below: no request to the internet
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        *(["--allow-root"] if os.geteuid() == 0 else []),  # containers often run tests as root
    ]


def lab_environment(work_dir: Path) -> dict[str, str]:
    """This process's environment (ACGAN_PROFILE=smoke from conftest.py, ACGAN_DATA_DIR untouched) with
    Jupyter's and IPython's per-user folders and the notebook's report folder moved into ``work_dir``."""
    env = dict(os.environ)
    env.update({
        "JUPYTER_CONFIG_DIR": str(work_dir / "config"),
        "JUPYTER_DATA_DIR": str(work_dir / "data"),
        "JUPYTER_RUNTIME_DIR": str(work_dir / "runtime"),
        "IPYTHONDIR": str(work_dir / "ipython"),
        "ACGAN_REPORT_DIR": str(work_dir / "report"),
        "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1",
    })
    return env


def write_lab_settings(settings_dir: Path) -> None:
    for name, values in LAB_SETTINGS.items():
        path = settings_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@contextmanager
def running_lab_server(root_dir: Path, log_path: Path):
    """A JupyterLab server serving ``root_dir``, stopped (its process group) and cleaned up on exit."""
    with tempfile.TemporaryDirectory(prefix="acgan-lab-", ignore_cleanup_errors=True) as work:
        work_dir = Path(work)
        write_lab_settings(work_dir / "settings")
        port, token = free_port(), secrets.token_hex(24)
        with open(log_path, "wb") as log:
            process = subprocess.Popen(lab_command(root_dir, work_dir, port, token), cwd=root_dir,
                                       env=lab_environment(work_dir), stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        server = LabServer(process, port, token, log_path)
        try:
            wait_until_answering(server)
            yield server
        finally:
            stop(process)


def wait_until_answering(server: LabServer, timeout_s: float = SERVER_START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not server.answers():
        if server.process.poll() is not None:
            pytest.fail(f"JupyterLab exited with code {server.process.returncode} before answering:\n"
                        f"{server.log_tail()}")
        if time.monotonic() > deadline:
            pytest.fail(f"JupyterLab did not answer /api/status within {timeout_s:.0f} s:\n{server.log_tail()}")
        time.sleep(0.25)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the server's process group (the server then shuts its kernels down), SIGKILL if it lingers."""
    for sig, wait_s in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait_s)
        except subprocess.TimeoutExpired:
            continue


# ----- the page ----------------------------------------------------------------------------------------

# JavaScript run in the page; window.jupyterapp is there because of --LabApp.expose_app_in_browser.
NOTEBOOK_PANEL_JS = """path => Array.from(window.jupyterapp?.shell.widgets('main') ?? [])
    .find(widget => widget.context?.path === path)"""
KERNEL_IDLE_JS = f"""path => {{
    const panel = ({NOTEBOOK_PANEL_JS})(path);
    return Boolean(panel?.context.isReady && panel.sessionContext.session?.kernel?.status === 'idle');
}}"""
START_RUN_ALL_JS = f"""path => {{
    const panel = ({NOTEBOOK_PANEL_JS})(path);
    window.jupyterapp.shell.activateById(panel.id);
    window.runAllOutcome = undefined;
    window.jupyterapp.commands.execute('notebook:run-all-cells').then(
        finished => {{ window.runAllOutcome = finished ? 'finished' : 'stopped at a failing cell'; }},
        error => {{ window.runAllOutcome = 'failed: ' + error; }});
}}"""


def open_notebook(page, server: LabServer, path: str) -> None:
    """Open the notebook in JupyterLab and wait until its kernel has started and is idle."""
    page.goto(server.url(f"lab/tree/{path}"))
    page.wait_for_function(KERNEL_IDLE_JS, arg=path, polling=500, timeout=NOTEBOOK_LOAD_TIMEOUT_MS)


def run_all_cells(page, path: str) -> str:
    """Run > Run All Cells (its command), wait until the run is over and the kernel idle; say how it ended."""
    page.evaluate(START_RUN_ALL_JS, path)
    page.wait_for_function("() => window.runAllOutcome !== undefined", polling=1000, timeout=RUN_ALL_TIMEOUT_MS)
    page.wait_for_function(KERNEL_IDLE_JS, arg=path, polling=500, timeout=NOTEBOOK_LOAD_TIMEOUT_MS)
    return page.evaluate("() => window.runAllOutcome")


def tracebacks_shown(page) -> list[str]:
    return [text for text in page.locator(STDERR_OUTPUT).all_inner_texts() if "Traceback" in text]


def unexecuted_prompts(page) -> list[str]:
    """The input prompts of code cells that have no execution count: '[ ]:' (never ran), '[*]:' (running)."""
    prompts = page.locator(".jp-CodeCell .jp-InputArea-prompt").all_inner_texts()
    return [prompt for prompt in prompts if not prompt.strip().strip("[]:").isdigit()]


def colour_picker(page, description: str):
    """An ipywidgets ColorPicker by its description (its label); it holds a text and a colour input."""
    label = page.locator("label.widget-label", has_text=re.compile(rf"^\s*{re.escape(description)}\s*$"))
    return page.locator(".widget-colorpicker", has=label)


def class_name_beside(page, picker):
    """The class a picker's colour snapped to, shown by the HTML widget in the picker's row."""
    return page.locator(".widget-hbox", has=picker).locator(".widget-html b.class-name")


def image_in_tab(page, title: str):
    """The image widget on the tab titled ``title`` of the page's Tab widget (clicked, so that it shows)."""
    tabs = page.locator(".widget-tab")
    tabs.get_by_role("tab", name=title, exact=True).click()
    titles = [text.strip() for text in tabs.locator(".lm-TabBar-tab .lm-TabBar-tabLabel").all_inner_texts()]
    return tabs.locator(".widget-tab-contents > *").nth(titles.index(title)).locator("img.widget-image")


# ----- fixtures ----------------------------------------------------------------------------------------


@pytest.fixture
def chromium_executable(monkeypatch) -> str:
    """The system Chromium, with Playwright importable; skips the test when either is missing."""
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium on PATH (chromium or chromium-browser): apt-get install chromium")
    pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: pip install playwright==1.65.2")
    monkeypatch.setenv("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")  # the system Chromium only, never a download
    return executable


@pytest.fixture
def lab_server(chromium_executable, tmp_path):
    with running_lab_server(ROOT, tmp_path / "jupyterlab.log") as server:
        yield server


@pytest.fixture
def page(chromium_executable, lab_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)  # the CPUs may be shared with training: be patient
            yield page
        finally:
            browser.close()


@contextmanager
def explained_failures(page, server: LabServer, screenshot: Path):
    """On a failure or a Playwright timeout, fail with a screenshot of the page and the server's log tail."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        yield
    except (AssertionError, PlaywrightError) as failure:
        try:
            page.screenshot(path=screenshot)
            where = f"screenshot: {screenshot}"
        except PlaywrightError as error:
            where = f"no screenshot ({error})"
        pytest.fail(f"{failure}\n\n{where}\nJupyterLab log ({server.log_path}), last lines:\n{server.log_tail()}")


# ----- the test ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_notebook_07_runs_in_jupyterlab_and_its_hair_picker_redraws_the_faces(lab_server, page, tmp_path):
    from playwright.sync_api import expect

    with explained_failures(page, lab_server, tmp_path / "jupyterlab.png"):
        open_notebook(page, lab_server, NOTEBOOK)
        outcome = run_all_cells(page, NOTEBOOK)
        tracebacks = tracebacks_shown(page)
        assert not tracebacks, f"run all: {outcome}; a cell shows an error:\n" + "\n\n".join(tracebacks)
        assert outcome == "finished", f"run all: {outcome}"
        assert not unexecuted_prompts(page), f"code cells without an execution count: {unexecuted_prompts(page)}"

        hair_picker = colour_picker(page, "hair")
        class_name = class_name_beside(page, hair_picker)
        expect(class_name).to_have_text(DEFAULT_HAIR_CLASS, timeout=PANEL_UPDATE_TIMEOUT_MS)
        faces = image_in_tab(page, "faces")
        expect(faces).to_have_attribute("src", re.compile(r"\S"), timeout=PANEL_UPDATE_TIMEOUT_MS)
        faces_before = faces.get_attribute("src")

        hair_picker.locator("input[type=color]").fill(PICKED_HAIR_COLOUR)

        expect(class_name).not_to_have_text(DEFAULT_HAIR_CLASS, timeout=PANEL_UPDATE_TIMEOUT_MS)
        assert class_name.inner_text() == PICKED_HAIR_CLASS, f"{PICKED_HAIR_COLOUR} snapped to {class_name.inner_text()}"
        expect(faces).not_to_have_attribute("src", faces_before, timeout=PANEL_UPDATE_TIMEOUT_MS)
