"""A Plotly view that stays mounted across reruns, so figures update in place.

``st.plotly_chart`` gives every new figure a new element, which the browser remounts:
a blank flash, a full WebGL set-up per step, and no motion between states. This small
Streamlit component keeps one Plotly graph per key and hands each new figure to
``Plotly.react``, which animates the ellipses and means with ``layout.transition``.
Clicks on points come back as ``click`` (x, y) for placing initial means.

plotly.js itself is the copy shipped in the plotly package, served from the app's
``static/`` folder (``server.enableStaticServing``) and copied there on first use.
"""

import shutil
from collections.abc import Callable
from pathlib import Path

import plotly
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from em_viz.figures.style import for_presenter
from em_viz.ui.present import presenting

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
PLOTLY_JS = STATIC_DIR / "plotly.min.js"

_JS = """
function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.emVizPlotly) {
    window.emVizPlotly = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "./app/static/plotly.min.js";
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => reject(new Error("plotly.min.js could not be loaded"));
      document.head.appendChild(script);
    });
  }
  return window.emVizPlotly;
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let graph = parentElement.querySelector(".em-viz-plot");
  if (!graph) {
    graph = document.createElement("div");
    graph.className = "em-viz-plot";
    parentElement.appendChild(graph);
    new ResizeObserver(() => {
      if (graph.dataset.drawn === "yes" && graph.isConnected && graph.offsetWidth > 0) {
        window.Plotly.Plots.resize(graph).catch(() => {});
      }
    }).observe(graph);
  }
  const figure = JSON.parse(data.figure);
  if (getComputedStyle(graph).getPropertyValue("--em-viz-fill").trim() === "1") {
    // Presenter mode: the height left in the window, less three lines of caption below;
    // measured once per window size, so that a step's motion never changes it.
    if (graph.dataset.fillFor !== String(window.innerHeight)) {
      const top = graph.getBoundingClientRect().top + window.scrollY;
      graph.dataset.fill = String(Math.max(360, window.innerHeight - top - 120));
      graph.dataset.fillFor = String(window.innerHeight);
    }
    figure.layout.height = Number(graph.dataset.fill);
    delete figure.layout.transition; // Plotly's motion leaves a resized graph half-drawn
  }
  const config = { displaylogo: false, responsive: true, ...data.config };
  graph.dataset.name = data.name;
  graph.dataset.revision = data.revision;
  loadPlotly().then((Plotly) => {
    if (graph.dataset.drawn !== "yes") {
      graph.dataset.drawn = "yes";
      return Plotly.newPlot(graph, figure.data, figure.layout, config).then(() => {
        graph.on("plotly_click", (event) => {
          const point = event.points[0];
          setTriggerValue("click", { x: point.x, y: point.y });
        });
        graph.dataset.rendered = data.revision;
      });
    }
    return Plotly.react(graph, figure.data, figure.layout, config).then(() => {
      graph.dataset.rendered = data.revision;
    });
  });
}
"""

_CSS = ".em-viz-plot { width: 100%; }"


def ensure_plotly_js() -> Path:
    """Copy the plotly package's plotly.min.js into the app's static folder if missing."""
    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not PLOTLY_JS.exists() or PLOTLY_JS.stat().st_size != source.stat().st_size:
        STATIC_DIR.mkdir(exist_ok=True)
        shutil.copyfile(source, PLOTLY_JS)
    return PLOTLY_JS


_component = st.components.v2.component("em_viz_plot", js=_JS, css=_CSS, isolate_styles=False)


def plot(
    figure: go.Figure,
    *,
    key: str,
    revision: int | str = 0,
    on_click: Callable[[], None] | None = None,
) -> dict | None:
    """Show ``figure`` in a graph that updates in place; return the last click, if any.

    Parameters
    ----------
    figure : plotly.graph_objects.Figure
    key : str
        One graph per key: the same key updates the same graph.
    revision : int or str
        Written to the graph's ``data-revision`` attribute when the figure arrives and
        to ``data-rendered`` once it is drawn (for tests and benchmarks that wait for a
        redraw); the graph's ``data-name`` is its key.
    on_click : callable, optional
        Called when the user clicks a point; the click is in ``st.session_state[key].click``.
    """
    ensure_plotly_js()
    height = figure.layout.height or 450
    if presenting():
        figure, height = for_presenter(figure), "content"  # its own height, maybe more
    result = _component(
        key=key,
        data={
            "figure": pio.to_json(figure, validate=False),
            "revision": str(revision),
            "name": key,
        },
        height=height,
        on_click_change=on_click or (lambda: None),
    )
    return result.click
