"""What the AppTests of the pages of demos share (Bernoulli mixtures, hidden Markov
models, incomplete data: em_viz/ui/demos.py): the page opened after the app's first
page or from a link, a demo chosen, a run's buttons pressed, its history slider (the
browser's player) moved and its run read from session state."""

from dataclasses import dataclass

from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash
from test_app_compare import APP, TIMEOUT, open_page


@dataclass(frozen=True)
class DemoPage:
    """A page of demos: its URL path and the key of its control choosing the demo."""

    url_path: str
    demo_key: str

    def open(self) -> AppTest:
        """The page, reached from the app's first page."""
        return open_page(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), self.url_path)

    def opened_by_link(self, params: dict) -> AppTest:
        """The page opened from a link carrying ``params``, as a session's first page."""
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at._page_hash = calc_hash(self.url_path)
        at.query_params.update(params)
        return at.run()

    def demo(self, at: AppTest, name: str) -> AppTest:
        """The demo ``name`` chosen."""
        return at.button_group(key=self.demo_key).set_value(name).run()


def press(at: AppTest, prefix: str, label: str, times: int = 1) -> AppTest:
    """Click the button ``label`` of the run under ``prefix``, ``times`` times."""
    for _ in range(times):
        at.button(key=prefix + label).click().run()
    return at


def run_of(at: AppTest, prefix: str):
    """The stepper of the run under ``prefix``."""
    return at.session_state[prefix + "em"]


def slide(at: AppTest, prefix: str, index: int) -> AppTest:
    """Move the history slider of the run under ``prefix`` to ``index``, as the
    browser's player reports it when let go."""
    at.session_state[prefix + "history_view"] = index
    return at.run()
