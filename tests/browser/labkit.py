"""Helpers that drive JupyterLab as a person would: open, Run All from the
menu, wait, read what is on screen."""

from __future__ import annotations

import re
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
#: {lesson: {"run_all_bytes", "run_all_frames", "open_bytes"}}, filled by the lesson tests, printed at the end
WIRE_REPORT: dict[str, dict] = {}


class WireCounter:
    """Counts the bytes of every websocket frame the page receives (kernel messages relayed by the server).

    ``mark()`` starts a new span; ``since(mark)`` gives (bytes, frames) received after it.
    """

    def __init__(self, page):
        self.bytes = 0
        self.frames = 0
        self.sockets: list[str] = []
        page.on("websocket", self._on_socket)

    def _on_socket(self, ws) -> None:
        self.sockets.append(ws.url.split("?")[0])
        ws.on("framereceived", self._on_frame)

    def _on_frame(self, payload) -> None:
        self.bytes += len(payload.encode("utf-8") if isinstance(payload, str) else payload)
        self.frames += 1

    def mark(self) -> tuple[int, int]:
        return self.bytes, self.frames

    def since(self, mark: tuple[int, int]) -> tuple[int, int]:
        return self.bytes - mark[0], self.frames - mark[1]


# Run All marks every queued cell [*] at once; it is done when no cell is left
# queued or running and at least one cell has a number. Cells holding only
# comments are skipped: JupyterLab does not always give them a number.
ALL_CELLS_RAN = """() => {
  const cells = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell')];
  const prompts = cells.filter(c => {
      const code = (c.querySelector('.jp-InputArea-editor .cm-content') || {}).innerText || '';
      return code.split('\\n').some(l => l.trim() && !l.trim().startsWith('#'));
    }).map(c => (c.querySelector('.jp-InputPrompt') || {}).textContent || '');
  return prompts.some(t => /\\[\\d+\\]/.test(t)) && !prompts.some(t => t.includes('[*]'));
}"""
PROMPTS_JS = """() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell')]
    .map((c, i) => i + ':' + ((c.querySelector('.jp-InputPrompt') || {}).textContent || '').trim()
         + ' ' + (((c.querySelector('.jp-InputArea-editor .cm-content') || {}).innerText || '').slice(0, 30)))"""
KERNEL_IDLE = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator[data-status=idle]"


def open_notebook(page, server, relpath: str, timeout_ms: int = 90_000) -> None:
    """Open one notebook in a fresh workspace (``?reset``: no tabs restored from earlier tests)."""
    page.goto(server.url(f"lab/tree/{relpath}?reset"))
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook", timeout=timeout_ms)
    accept_kernel_dialog(page)
    page.wait_for_selector(KERNEL_IDLE, timeout=timeout_ms)


def accept_kernel_dialog(page, wait_ms: int = 1_500) -> None:
    """JupyterLab sometimes asks which kernel to start (on a busy machine): accept its preferred one."""
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    try:
        dialog.wait_for(timeout=wait_ms)
    except Exception:  # noqa: BLE001 - no dialog: the usual case
        return
    dialog.locator("button.jp-mod-accept").click()


def menu(page, top: str, item: str) -> None:
    """Click a top-level menu, then an item in it (exact labels)."""
    page.click(f'.lm-MenuBar-itemLabel:text-is("{top}")')
    page.click(f'.lm-Menu-itemLabel:text-is("{item}")')


def run_all(page, timeout_ms: int = 180_000) -> float:
    """Run > Run All Cells; wait until every code cell has run and the kernel is idle. Returns seconds."""
    t0 = time.monotonic()
    started = """() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')]
        .some(e => /\\[(\\*|\\d+)\\]/.test(e.textContent))"""
    for _attempt in range(3):
        # the menu item is inert until the notebook's session is ready: if nothing starts, click again
        menu(page, "Run", "Run All Cells")
        try:
            page.wait_for_function(started, timeout=15_000)
            break
        except Exception:  # noqa: BLE001 - playwright's TimeoutError
            page.keyboard.press("Escape")
    else:
        raise AssertionError("Run > Run All Cells did not start any cell after 3 tries")
    # finished, or stopped by a dialog (a dead or restarted kernel): fail at once with its text
    try:
        page.wait_for_function(
            f"() => ({ALL_CELLS_RAN})() || !!document.querySelector('.jp-Dialog')", timeout=timeout_ms
        )
    except Exception as e:  # report what the cells show, not just "timeout"
        state = page.evaluate(PROMPTS_JS)
        raise AssertionError(
            f"Run All did not finish in {timeout_ms / 1000:.0f} s; cell prompts: {state}"
        ) from e
    dialog = page.locator(".jp-Dialog")
    if dialog.count():
        raise AssertionError(
            f"JupyterLab showed a dialog during Run All: {dialog.first.inner_text()[:300]!r}"
        )
    page.wait_for_selector(KERNEL_IDLE, timeout=timeout_ms)
    settle(page)
    return time.monotonic() - t0


def settle(page, quiet_ms: int = 600, timeout_s: float = 20) -> None:
    """Wait until the notebook's DOM stops changing (widgets finish rendering)."""
    page.evaluate("""() => { window.__lastMutation = Date.now();
        if (!window.__observer) { window.__observer = new MutationObserver(() => window.__lastMutation = Date.now());
          window.__observer.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true}); } }""")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if page.evaluate(f"() => Date.now() - window.__lastMutation > {quiet_ms}"):
            return
        time.sleep(0.2)


def output_problems(page) -> list[str]:
    """Every output a learner would see as a failure: tracebacks, stderr, widgets that did not render."""
    found = page.evaluate("""() => {
      const out = [];
      const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
      for (const e of panel.querySelectorAll('.jp-OutputArea-output')) {
        const mime = e.getAttribute('data-mime-type') || '';
        const text = e.innerText || '';
        if (mime === 'application/vnd.jupyter.stderr') out.push('stderr: ' + text.slice(0, 400));
        else if (/Traceback \\(most recent call last\\)/.test(text)) out.push('traceback: ' + text.slice(0, 400));
        if (/Error displaying widget|Loading widget\\.\\.\\.|Failed to load model/.test(text)) out.push('widget: ' + text.slice(0, 200));
      }
      return out;
    }""")
    return found


def count(page, selector: str) -> int:
    return page.evaluate("(s) => document.querySelectorAll(s).length", selector)


SCROLLER = """(y) => {
    const el = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer');
    if (!el) return [0, 0];
    if (y !== null) el.scrollTop = y;
    return [el.scrollHeight, el.clientHeight]; }"""


def screenshot(page, path: Path, max_pages: int = 40) -> list[Path]:
    """Screenshot the whole notebook, one screenful at a time: ``NAME-01.png``, ``NAME-02.png``, ...

    JupyterLab scrolls inside its own panel, so a "full page" screenshot shows
    only the top of a notebook; this scrolls the panel and saves every screen.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob(f"{path.stem}-*.png"):
        old.unlink()
    total, view = page.evaluate(SCROLLER, None)
    step = max(200, view - 80)  # a little overlap between screens
    shots = []
    y = 0
    while len(shots) < max_pages:
        page.evaluate(SCROLLER, y)
        settle(page, quiet_ms=300, timeout_s=5)
        shot = path.with_name(f"{path.stem}-{len(shots) + 1:02d}.png")
        page.screenshot(path=str(shot))
        shots.append(shot)
        if y + view >= total:
            break
        y += step
    page.evaluate(SCROLLER, 0)
    return shots


def wait_until(fn, timeout_s: float = 15, interval_s: float = 0.2, message: str = "condition"):
    """Poll ``fn`` until it returns a truthy value; return it, or raise AssertionError."""
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval_s)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {message} (last value: {last!r})")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# ------------------------------------------------------------------ the trust lab
#: The lesson whose guided steps end in the TrustLab widget, and the two questions the lab waits behind.
TRUST_LAB_LESSON = "lessons/07_small_steps_grit.ipynb"
TRUST_LAB_GATES = ("l07-predict-reneger", "l07-grit-worst-loss")
GRIT_WORST_LOSS = "4.87"  # the mean worst loss of GRIT's small first step (tests/test_trust_lab_lessons.py)


def forget_answers(server) -> None:
    """Start as a learner who has answered nothing: earlier tests in this server may have answered checks."""
    (server.root / "lessons" / ".course-progress.json").unlink(missing_ok=True)


def open_trust_lab(page, server) -> None:
    """Open the trust-lab lesson from no answers, run it all, and answer the two questions the lab waits
    behind, as a learner would (a prediction, any option, and the worst loss); return when the lab's plot
    is drawn."""
    forget_answers(server)
    open_notebook(page, server, TRUST_LAB_LESSON)
    run_all(page)
    predict, worst = TRUST_LAB_GATES
    box = page.locator(f".course-check-id-{predict}").first
    box.scroll_into_view_if_needed()
    box.locator("input[type=radio]").first.check()
    box.locator("button", has_text="Check").click()
    num = page.locator(f".course-check-id-{worst}").first
    num.scroll_into_view_if_needed()
    num.locator("input[type=text]").first.fill(GRIT_WORST_LOSS)
    num.locator("button", has_text="Check").click()
    page.wait_for_selector(".trust-lab .js-plotly-plot .scatterlayer path.js-line", timeout=60_000)
