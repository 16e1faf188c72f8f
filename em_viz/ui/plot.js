// The plot component (see plot.py), in three roles. "graph": a Plotly graph that stays
// mounted across reruns; with frames, a view of a timeline, showing any frame the
// timeline is at and gliding between frames, with no round trip to the server.
// "slider": a timeline's controller, the history slider that also plays a Run and takes
// the step keys. "text": a line (the heading, a caption) per frame.

// One timeline per run, shared by its views in this page.
window.emVizTimelines = window.emVizTimelines || {};
function timelineOf(name) {
  if (!window.emVizTimelines[name]) {
    window.emVizTimelines[name] = {
      name, views: {}, texts: {}, position: 0, count: 0, playing: false, revision: null,
    };
  }
  return window.emVizTimelines[name];
}

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

const TYPED = { f4: Float32Array, u1: Uint8Array, i4: Int32Array };

function decoded(value) {
  if (value && typeof value === "object" && value.bdata !== undefined) {
    const bytes = Uint8Array.from(atob(value.bdata), (c) => c.charCodeAt(0));
    return new TYPED[value.dtype](bytes.buffer);
  }
  return value;
}

// Every frame's value of every attribute that changes in the run: the first patch
// holds them all, each later one what changed (the values carried over are shared).
function states(patches) {
  const result = [];
  let data = {};
  let layout = {};
  for (const patch of patches) {
    data = { ...data };
    for (const [trace, values] of Object.entries(patch.data)) {
      data[trace] = { ...(data[trace] || {}) };
      for (const [path, value] of Object.entries(values)) data[trace][path] = decoded(value);
    }
    layout = { ...layout };
    for (const [path, value] of Object.entries(patch.layout)) layout[path] = decoded(value);
    result.push({ data, layout });
  }
  return result;
}

const GLIDING = new Set(["x", "y"]);

function between(from, to, t) {
  const out = new Float32Array(to.length);
  for (let i = 0; i < to.length; i++) out[i] = from[i] + (to[i] - from[i]) * t;
  return out;
}

function ease(t) {
  return t < 0.5 ? 4 * t * t * t : 1 - Math.pow(-2 * t + 2, 3) / 2;
}

// Plotly.update's arguments that take the graph from state `from` to `to` (at t of a
// glide: x and y of equal length in between, everything else at once), leaving out the
// attributes in `skip` ("trace path").
function update(from, to, t, skip = new Set()) {
  const indices = Object.keys(to.data).map(Number);
  const data = {};
  indices.forEach((trace, place) => {
    for (const [path, value] of Object.entries(to.data[trace])) {
      const old = from && from.data[trace] ? from.data[trace][path] : undefined;
      if ((old === value && t >= 1) || skip.has(`${trace} ${path}`)) continue;
      let shown = value;
      if (t < 1 && GLIDING.has(path) && old && old.length === value.length && value.length) {
        shown = between(old, value, ease(t));
      }
      if (!data[path]) data[path] = new Array(indices.length).fill(undefined);
      data[path][place] = shown;
    }
  });
  const layout = {};
  for (const [path, value] of Object.entries(to.layout)) {
    if (!from || from.layout[path] !== value) layout[path] = value;
  }
  return { data, layout, indices };
}

// The x and y of SVG traces that glide from `from` to `to`: Plotly's own transition
// moves them (smooth, and cheap: it redraws neither the axes nor the other traces).
// WebGL traces do not transition in Plotly: their glides are drawn step by step here.
function transitions(graph, from, to) {
  const traces = [];
  const data = [];
  const skip = new Set();
  for (const [key, values] of Object.entries(to.data)) {
    const trace = Number(key);
    if (!from || !from.data[key] || graph._fullData[trace]?.type !== "scatter") continue;
    const moved = {};
    for (const path of GLIDING) {
      const old = from.data[key][path];
      const value = values[path];
      if (value && old && old !== value && old.length === value.length) {
        moved[path] = Array.from(value);
        skip.add(`${trace} ${path}`);
      }
    }
    if (Object.keys(moved).length) {
      traces.push(trace);
      data.push(moved);
    }
  }
  return { traces, data, skip };
}

function frameView(element, name) {
  const view = {
    graph: element,
    name,
    frames: null, // { revision, browse: [...], run: [...] }
    shown: null, // the state on screen
    glide: null,
    show(position, glideMs, playing) {
      const { frames, graph } = view; // the graph of the latest render (it may be remounted)
      if (!frames || !graph.isConnected || graph.dataset.drawn !== "yes") return;
      const list = playing && frames.run ? frames.run : frames.browse;
      const target = list[Math.min(position, list.length - 1)];
      if (!target) return;
      if (target === view.shown && !view.glide) {
        graph.dataset.rendered = String(position); // drawn already (the server's figure)
        return;
      }
      if (view.glide) {
        // A glide cut short by the next frame: the next glide starts from its end.
        cancelAnimationFrame(view.glide.frame);
        view.shown = view.glide.target;
        graph.dataset.rendered = String(view.glide.position);
      }
      const from = view.shown;
      const moving = glideMs > 0 ? transitions(graph, from, target) : null;
      if (moving && moving.traces.length) {
        const rest = update(from, target, 1, moving.skip);
        if (Object.keys(rest.data).length || Object.keys(rest.layout).length) {
          window.Plotly.update(graph, rest.data, rest.layout, rest.indices);
        }
        window.Plotly.animate(
          graph,
          { data: moving.data, traces: moving.traces },
          {
            transition: { duration: glideMs, easing: "cubic-in-out" },
            frame: { duration: glideMs, redraw: false },
            mode: "immediate",
          },
        ).catch(() => {}); // cut short by the next frame's glide, which starts from here
        view.shown = target;
        graph.dataset.rendered = String(position);
        return;
      }
      const start = performance.now();
      const tick = (now) => {
        const t = glideMs > 0 ? Math.min(1, (now - start) / glideMs) : 1;
        const step = update(from, target, t);
        window.Plotly.update(graph, step.data, step.layout, step.indices);
        if (t < 1) {
          view.glide = { frame: requestAnimationFrame(tick), target, position };
        } else {
          view.glide = null;
          view.shown = target;
          graph.dataset.rendered = String(position);
        }
      };
      view.glide = null;
      tick(glideMs > 0 ? start : start + 1);
    },
  };
  return view;
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
  const config = { displaylogo: false, responsive: true, ...data.config };
  graph.dataset.name = data.name;
  graph.dataset.revision = data.revision;
  const timeline = data.timeline ? timelineOf(data.timeline) : null;
  let view = null;
  if (timeline) {
    view = timeline.views[data.name] || frameView(graph, data.name);
    view.graph = graph;
    timeline.views[data.name] = view;
    if (data.frames.patches) {
      view.frames = {
        revision: data.frames.revision,
        browse: states(data.frames.patches),
        run: data.frames.run_patches ? states(data.frames.run_patches) : null,
      };
    } else if (!view.frames || view.frames.revision !== data.frames.revision) {
      view.frames = null;
      setTriggerValue("missing", data.frames.revision); // sent once: ask again
    }
    if (view.frames) {
      // The figure drawn next is this frame: nothing to update once it is there.
      if (view.glide) cancelAnimationFrame(view.glide.frame);
      view.glide = null;
      const list = timeline.playing && view.frames.run ? view.frames.run : view.frames.browse;
      view.shown = list[Math.min(data.position, list.length - 1)];
    }
  }
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
      graph.dataset.rendered = data.revision;
      if (!view || !view.frames) return;
      if (timeline.revision === view.frames.revision && timeline.position !== data.position) {
        view.show(timeline.position, 0, timeline.playing); // the browser is ahead
      }
    });
  });
}

function textOf(entry, timeline, position) {
  const { texts, run_texts: runTexts, viewing } = entry.data;
  // Until the slider has taken a new run, the server says whether it plays.
  const playing = timeline.revision === entry.data.revision ? timeline.playing : entry.data.playing;
  if (playing && runTexts) return runTexts[Math.min(position, runTexts.length - 1)];
  const last = texts.length - 1;
  const shown = texts[Math.min(position, last)];
  return viewing && position < last
    ? viewing.replace("{shown}", shown).replace("{latest}", texts[last])
    : shown;
}

function text(component) {
  const { data, parentElement } = component;
  let element = parentElement.querySelector(".em-viz-text");
  if (!element) {
    element = document.createElement("div");
    element.className = `em-viz-text em-viz-${data.style}`;
    parentElement.appendChild(element);
  }
  element.dataset.name = data.name;
  const timeline = timelineOf(data.timeline);
  const entry = { element, data };
  timeline.texts[data.name] = entry;
  const local = timeline.revision === data.revision ? timeline.position : data.position;
  element.textContent = textOf(entry, timeline, local);
}

function showAll(timeline, position, glideMs) {
  timeline.position = position;
  for (const view of Object.values(timeline.views)) {
    if (view.frames && view.frames.revision === timeline.revision) {
      view.show(position, glideMs, timeline.playing);
    }
  }
  for (const entry of Object.values(timeline.texts)) {
    if (entry.element.isConnected && entry.data.revision === timeline.revision) {
      entry.element.textContent = textOf(entry, timeline, position);
    }
  }
  const input = timeline.input;
  if (input && input.isConnected) {
    input.value = String(position);
    timeline.label.textContent = timeline.labels[position];
    input.setAttribute("aria-valuetext", timeline.labels[position]);
  }
}

// Whether every graph of the timeline can show any frame without the server.
function local(timeline) {
  const views = Object.values(timeline.views).filter((view) => view.graph.isConnected);
  return views.length > 0 && views.every((view) => view.frames && view.frames.revision === timeline.revision);
}

function slider(component) {
  const { data, parentElement, setTriggerValue } = component;
  const timeline = timelineOf(data.timeline);
  let box = parentElement.querySelector(".em-viz-slider");
  if (!box) {
    box = document.createElement("div");
    box.className = "em-viz-slider";
    box.innerHTML =
      '<div class="em-viz-slider-head"><span class="em-viz-slider-name"></span>' +
      '<span class="em-viz-slider-label"></span></div>' +
      '<input type="range" min="0" step="1" class="em-viz-range">';
    parentElement.appendChild(box);
  }
  const input = box.querySelector("input");
  box.querySelector(".em-viz-slider-name").textContent = data.label;
  box.title = data.help;
  input.setAttribute("aria-label", data.label);
  timeline.input = input;
  timeline.label = box.querySelector(".em-viz-slider-label");
  timeline.labels = data.labels;
  timeline.report = setTriggerValue;
  const newRun = timeline.revision !== data.revision;
  timeline.revision = data.revision;
  timeline.count = data.labels.length;
  input.max = String(timeline.count - 1);
  input.disabled = timeline.count < 2 || data.playing;
  box.style.display = timeline.count < 2 ? "none" : "";

  const stop = (finished) => {
    clearTimeout(timeline.timer);
    timeline.playing = false;
    input.disabled = timeline.count < 2;
    setTriggerValue("stopped", { index: timeline.position, finished });
  };
  // The clock sets the half-step shown, so that the speed holds: on a machine too slow
  // to draw every half-step in its time, one is left out rather than the run slowed.
  const tick = () => {
    if (!timeline.playing) return;
    if (timeline.position >= timeline.count - 1) return stop(true);
    const due = timeline.from + Math.floor((performance.now() - timeline.t0) / timeline.period);
    const shown = Math.min(Math.max(timeline.position + 1, due), timeline.count - 1);
    showAll(timeline, shown, timeline.glide);
    const next = timeline.t0 + (shown - timeline.from + 1) * timeline.period; // the next one's time
    timeline.timer = setTimeout(tick, Math.max(0, next - performance.now()));
  };
  const report = (index) => {
    clearTimeout(timeline.pending);
    timeline.reported = index;
    timeline.pending = setTimeout(() => setTriggerValue("moved", index), 250);
  };
  const server = () => {
    // The server does it, from the half-step the key sends: no later report of a move,
    // and the next keys wait for its answer (they act on what it shows).
    clearTimeout(timeline.pending);
    timeline.reported = undefined;
    timeline.awaiting = performance.now();
    return false;
  };
  timeline.handle = (action) => {
    // A step key, done here when the frames allow it; false: the server does it.
    if (timeline.awaiting && performance.now() - timeline.awaiting < 3000) {
      timeline.queue = [...(timeline.queue || []), action];
      return true;
    }
    if (!local(timeline)) return server();
    if (action === "run" && timeline.playing) return stop(false), true;
    if (timeline.playing) return true;
    if (action === "next" && timeline.position < timeline.count - 1) {
      showAll(timeline, timeline.position + 1, timeline.glide);
      report(timeline.position);
      return true;
    }
    if (action === "back" && timeline.position > 0) {
      showAll(timeline, timeline.position - 1, timeline.glide);
      report(timeline.position);
      return true;
    }
    return server();
  };
  window.emVizPlayer = timeline;
  if (!input.dataset.listening) {
    input.dataset.listening = "yes";
    input.addEventListener("input", () => {
      const t = window.emVizTimelines[data.timeline];
      showAll(t, Number(input.value), 0);
      if (!local(t)) report(Number(input.value));
    });
    input.addEventListener("change", () => report(Number(input.value)));
  }

  timeline.period = data.speed > 0 ? 1000 / data.speed : 0;
  timeline.glide = Math.min(data.glide_ms, 0.8 * (timeline.period || data.glide_ms / 0.8));
  if (data.playing && !timeline.playing && newRun) {
    timeline.playing = true;
    showAll(timeline, data.position, 0);
    timeline.t0 = performance.now();
    timeline.from = data.position;
    timeline.timer = setTimeout(tick, timeline.period);
  } else if (!data.playing && timeline.playing) {
    stop(false); // Stop on the server's button: here, where the picture is
  } else if (!timeline.playing) {
    const ahead = !newRun && timeline.reported !== undefined && timeline.reported !== data.position;
    showAll(timeline, ahead ? timeline.position : data.position, 0);
    if (!ahead) timeline.reported = undefined;
  }
  // The server has answered: the keys pressed meanwhile act now, on what it shows.
  timeline.awaiting = 0;
  const queued = timeline.queue || [];
  timeline.queue = [];
  for (const action of queued) {
    if (!timeline.handle(action) && window.emVizKeys) {
      window.emVizKeys.send("action", { action, shown: timeline.position });
    }
  }
}
