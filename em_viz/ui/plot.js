// The plot component (see plot.py), in three roles. "graph": a Plotly graph that stays
// mounted across reruns; with frames, a view of a timeline, showing any frame the
// timeline is at and gliding between frames, with no round trip to the server.
// "slider": a timeline's controller, the history slider that also plays a Run and takes
// the step keys. "text": a line (the heading, a caption) per frame.

// Its parts: frames.js, drag.js, player.js (plot.py joins them, this file last).

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
  const role = component.data.role || "graph";
  if (role === "slider") return slider(component);
  if (role === "text") return text(component);
  return graphView(component);
}

function graphView(component) {
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
  // Plotly draws WebGL above SVG; the ellipses and means are SVG (so that they glide)
  // over WebGL points: the WebGL canvas goes below a see-through SVG here.
  const layered = figure.data.some((trace) => trace.type === "scattergl");
  graph.classList.toggle("em-viz-layered", layered);
  if (layered) figure.layout.paper_bgcolor = figure.layout.plot_bgcolor = "rgba(0,0,0,0)";
  const config = { displaylogo: false, responsive: true, ...data.config };
  graph.dataset.name = data.name;
  graph.dataset.revision = data.revision;
  clearTimeout(graph.emVizLater);
  const timeline = data.timeline ? timelineOf(data.timeline) : null;
  graph.emVizDrag = data.drag || null;
  graph.emVizTimeline = timeline;
  graph.emVizReport = setTriggerValue;
  if (data.drag && !graph.dataset.draggable) {
    graph.dataset.draggable = "yes";
    draggable(graph);
  }
  let view = null;
  let glideIn = false; // the new frame glides in from the one shown
  let onScreen = false; // the browser shows the server's frame already
  if (timeline) {
    view = timeline.views[data.name] || frameView(graph, data.name);
    view.graph = graph;
    timeline.views[data.name] = view;
    const sent = data.frames;
    const prior = view.frames;
    if (sent.patches && sent.start > 0 && !(prior && prior.revision === sent.base)) {
      view.frames = null;
      setTriggerValue("missing", sent.revision); // patches after frames not here: all again
    } else if (sent.patches) {
      const kept = (list) => (sent.start > 0 && list ? list.slice(0, sent.start) : []);
      view.frames = {
        revision: sent.revision,
        browse: states(sent.patches, kept(prior && prior.browse)),
        run: sent.run_patches ? states(sent.run_patches, kept(prior && prior.run)) : null,
      };
      // (Not a graph that Run shows otherwise: the server's figure says which it is.)
      glideIn = sent.start > 0 && !sent.run_patches && view.shown !== null && graph.dataset.drawn === "yes";
    } else if (!prior || prior.revision !== sent.revision) {
      view.frames = null;
      setTriggerValue("missing", sent.revision); // sent once: ask again
    }
    if (view.frames && !glideIn) {
      // The figure drawn next is this frame: nothing to update once it is there.
      const list = timeline.playing && view.frames.run ? view.frames.run : view.frames.browse;
      const frame = list[Math.min(data.position, list.length - 1)];
      onScreen = view.frames === prior && frame === view.shown && !view.glide && !view.svgGlide;
      view.stop();
      view.shown = frame;
    }
  }
  const draw = () =>
    loadPlotly().then((Plotly) => {
      const drawn =
        graph.dataset.drawn !== "yes"
          ? Plotly.newPlot(graph, figure.data, figure.layout, config).then(() => {
              graph.dataset.drawn = "yes";
              graph.on("plotly_click", (event) => {
                const point = event.points[0];
                setTriggerValue("click", { x: point.x, y: point.y });
              });
            })
          : Plotly.react(graph, figure.data, figure.layout, config);
      return drawn.then(() => {
        // On a timeline, the frame it shows (the server's figure is the one at `position`).
        graph.dataset.rendered = view && view.frames ? String(data.position) : data.revision;
        if (!view || !view.frames) return;
        if (timeline.revision === view.frames.revision && timeline.position !== data.position) {
          view.show(timeline.position, 0, timeline.playing); // the browser is ahead
        }
      });
    });
  // On screen already (the browser moved there and told the server): the figure, for
  // the hover's numbers, once the keys or the slider rest.
  const resized = graph._fullLayout && figure.layout.height !== graph._fullLayout.height;
  if (onScreen && graph.dataset.drawn === "yes" && !resized) {
    graph.emVizLater = setTimeout(draw, 300);
    return;
  }
  if (!glideIn) return draw();
  // A new half-step from the server, after the frames here: it glides in at once, and
  // the server's figure (which also brings the hover's numbers) is drawn after the glide.
  const glideMs = timeline.glide ?? 350;
  view.show(data.position, glideMs, false);
  delete figure.layout.transition; // that figure is on screen by then: nothing to move
  graph.emVizLater = setTimeout(() => {
    view.stop();
    view.shown = view.frames.browse[Math.min(data.position, view.frames.browse.length - 1)];
    draw();
  }, glideMs + 50);
}

