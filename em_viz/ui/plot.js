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
    const flat = new TYPED[value.dtype](bytes.buffer);
    if (!value.shape) return flat;
    const width = value.shape[1]; // rows, as a contour's z
    return Array.from({ length: value.shape[0] }, (_, row) => flat.subarray(row * width, (row + 1) * width));
  }
  return value;
}

// Every frame's value of every attribute that changes in the run, after the frames
// `before` (those the browser has): the first patch from scratch holds them all, each
// later one what changed (the values carried over are shared).
function states(patches, before = []) {
  const result = before.slice();
  let { data, layout } = result[result.length - 1] || { data: {}, layout: {} };
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

// Plotly.update's arguments that take the graph from state `from` to `to` at once,
// leaving out the attributes in `skip` ("trace path") and setting those in `force`
// even where the two states agree (a glide cut short left them in between).
function update(from, to, skip = new Set(), force = new Set()) {
  const indices = Object.keys(to.data).map(Number);
  const data = {};
  indices.forEach((trace, place) => {
    for (const [path, value] of Object.entries(to.data[trace])) {
      const name = `${trace} ${path}`;
      const old = from && from.data[trace] ? from.data[trace][path] : undefined;
      if ((old === value && !force.has(name)) || skip.has(name)) continue;
      if (!data[path]) data[path] = new Array(indices.length).fill(undefined);
      data[path][place] = value;
    }
  });
  const layout = {};
  for (const [path, value] of Object.entries(to.layout)) {
    if (!from || from.layout[path] !== value) layout[path] = value;
  }
  const empty = !Object.keys(data).length && !Object.keys(layout).length;
  return { data, layout, indices, empty };
}

// The x and y that move from `from` to `to`, by the trace's renderer: SVG traces (the
// ellipses and means) move with Plotly's own transition, which redraws neither the
// axes nor the other traces (a WebGL redraw costs more than the rest); WebGL traces
// (points filled in by EM) glide step by step. `skip`: their attributes ("trace path").
function glides(graph, from, to) {
  const svg = { traces: [], data: [], skip: new Set() };
  const webgl = { traces: [], from: [], to: [], skip: new Set() };
  if (!from) return { svg, webgl };
  for (const [key, values] of Object.entries(to.data)) {
    const trace = Number(key);
    const type = graph._fullData[trace]?.type;
    if (!from.data[key] || (type !== "scatter" && type !== "scattergl")) continue;
    const moved = {};
    const skip = type === "scatter" ? svg.skip : webgl.skip;
    for (const path of GLIDING) {
      const old = from.data[key][path];
      const value = values[path];
      if (value && old && old !== value && old.length === value.length && value.length) {
        moved[path] = value;
        skip.add(`${trace} ${path}`);
      }
    }
    if (!Object.keys(moved).length) continue;
    if (type === "scatter") {
      svg.traces.push(trace);
      svg.data.push(Object.fromEntries(Object.entries(moved).map(([p, v]) => [p, Array.from(v)])));
    } else {
      webgl.traces.push(trace);
      webgl.from.push(from.data[key]);
      webgl.to.push(moved);
    }
  }
  return { svg, webgl };
}

function frameView(element, name) {
  const view = {
    graph: element,
    name,
    frames: null, // { revision, browse: [...], run: [...] }
    shown: null, // the state on screen, or the one a glide goes to
    glide: null, // a WebGL glide under way: { frame, force }
    show(position, glideMs, playing) {
      const { frames, graph } = view; // the graph of the latest render (it may be remounted)
      if (!frames || !graph.isConnected || graph.dataset.drawn !== "yes") return;
      const list = playing && frames.run ? frames.run : frames.browse;
      const target = list[Math.min(position, list.length - 1)];
      if (!target) return;
      if (target === view.shown) {
        if (!view.glide) graph.dataset.rendered = String(position); // drawn already
        return;
      }
      let force = new Set();
      if (view.glide) {
        // A WebGL glide cut short by the next frame: its traces are in between.
        cancelAnimationFrame(view.glide.frame);
        force = view.glide.force;
        view.glide = null;
      }
      const from = view.shown;
      const { svg, webgl } = glides(graph, from, target);
      const skip = glideMs > 0 ? new Set([...svg.skip, ...webgl.skip]) : svg.skip;
      const rest = update(from, target, skip, force);
      if (!rest.empty) window.Plotly.update(graph, rest.data, rest.layout, rest.indices);
      view.shown = target;
      graph.dataset.rendered = String(position);
      if (svg.traces.length) {
        window.Plotly.animate(
          graph,
          { data: svg.data, traces: svg.traces },
          {
            transition: { duration: glideMs, easing: "cubic-in-out" },
            frame: { duration: glideMs, redraw: false },
            mode: "immediate",
          },
        ).catch(() => {}); // cut short by the next frame's glide, which starts from here
      }
      if (!webgl.traces.length || glideMs <= 0) return;
      const start = performance.now();
      const paths = webgl.to.flatMap((moved, i) => Object.keys(moved).map((p) => `${webgl.traces[i]} ${p}`));
      const tick = (now) => {
        const t = Math.min(1, (now - start) / glideMs);
        const data = {};
        webgl.to.forEach((moved, i) => {
          for (const [path, value] of Object.entries(moved)) {
            if (!data[path]) data[path] = new Array(webgl.traces.length).fill(undefined);
            data[path][i] = t < 1 ? between(webgl.from[i][path], value, ease(t)) : value;
          }
        });
        window.Plotly.restyle(graph, data, webgl.traces);
        view.glide = t < 1 ? { frame: requestAnimationFrame(tick), force: new Set(paths) } : null;
      };
      view.glide = { frame: requestAnimationFrame(tick), force: new Set(paths) };
    },
  };
  return view;
}

// Means dragged by hand (`graph.emVizDrag`: per component its mean's trace, and the
// ranges of points that move with it): a press within reach of a mean takes it, with
// its ellipses, to wherever the pointer goes; where it is let go goes to the server
// ("dragged"), with the frame on screen. Plotly's zoom never sees that press.
const REACH_PX = 16;

function draggable(graph) {
  const axes = () => [graph._fullLayout.xaxis, graph._fullLayout.yaxis];
  const inPlot = (event) => {
    const [xa, ya] = axes();
    const box = graph.getBoundingClientRect();
    return [event.clientX - box.left - xa._offset, event.clientY - box.top - ya._offset];
  };
  const meanNear = (event) => {
    const drag = graph.emVizDrag;
    const timeline = graph.emVizTimeline;
    if (!drag || graph.dataset.drawn !== "yes" || (timeline && timeline.playing)) return null;
    const [xa, ya] = axes();
    const [px, py] = inPlot(event);
    let best = null;
    drag.means.forEach((trace, component) => {
      const mean = graph._fullData[trace];
      const away = Math.hypot(px - xa.d2p(mean.x[0]), py - ya.d2p(mean.y[0]));
      if (away < REACH_PX && (!best || away < best.away)) best = { component, away };
    });
    return best && best.component;
  };
  graph.addEventListener(
    "mousemove",
    (event) => {
      const handle = graph.querySelector(".nsewdrag");
      if (handle && !graph.emVizDragging) handle.style.cursor = meanNear(event) === null ? "" : "grab";
    },
    true,
  );
  graph.addEventListener(
    "mousedown",
    (event) => {
      const component = event.button === 0 ? meanNear(event) : null;
      if (component === null) return;
      event.stopPropagation();
      event.preventDefault();
      const { means, moves } = graph.emVizDrag;
      const [xa, ya] = axes();
      const mean = graph._fullData[means[component]];
      const from = [mean.x[0], mean.y[0]];
      const [px0, py0] = inPlot(event);
      const traces = [means[component], ...moves[component].map(([trace]) => trace)];
      const starts = traces.map((trace) => ({
        x: Array.from(graph._fullData[trace].x),
        y: Array.from(graph._fullData[trace].y),
      }));
      const ranges = [null, ...moves[component].map(([, first, stop]) => [first, stop])];
      let to = from;
      graph.emVizDragging = true;
      const follow = (move) => {
        const [px, py] = inPlot(move);
        const dx = xa.p2d(px) - xa.p2d(px0);
        const dy = ya.p2d(py) - ya.p2d(py0);
        to = [from[0] + dx, from[1] + dy];
        const shifted = starts.map((start, i) => {
          const [first, stop] = ranges[i] || [0, start.x.length];
          const at = (values, delta) => values.map((v, j) => (j >= first && j < stop ? v + delta : v));
          return { x: at(start.x, dx), y: at(start.y, dy) };
        });
        window.Plotly.animate(
          graph,
          { data: shifted, traces },
          { transition: { duration: 0 }, frame: { duration: 0, redraw: false }, mode: "immediate" },
        ).catch(() => {});
      };
      const letGo = () => {
        window.removeEventListener("mousemove", follow);
        window.removeEventListener("mouseup", letGo);
        graph.emVizDragging = false;
        if (to === from) return;
        const timeline = graph.emVizTimeline;
        const shown = timeline ? timeline.position : -1;
        graph.emVizReport("dragged", { component, x: to[0], y: to[1], shown });
      };
      window.addEventListener("mousemove", follow);
      window.addEventListener("mouseup", letGo);
    },
    true,
  );
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
      onScreen = view.frames === prior && frame === view.shown && !view.glide;
      if (view.glide) cancelAnimationFrame(view.glide.frame);
      view.glide = null;
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
        graph.dataset.rendered = data.revision;
        if (!view || !view.frames) return;
        if (timeline.revision === view.frames.revision && timeline.position !== data.position) {
          view.show(timeline.position, 0, timeline.playing); // the browser is ahead
        }
      });
    });
  // On screen already (the browser moved there and told the server): the figure, for
  // the hover's numbers, once the keys or the slider rest.
  if (onScreen && graph.dataset.drawn === "yes") {
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
    if (view.glide) cancelAnimationFrame(view.glide.frame);
    view.glide = null;
    view.shown = view.frames.browse[Math.min(data.position, view.frames.browse.length - 1)];
    draw();
  }, glideMs + 50);
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
  // Where the browser went, for the server: at once for a key or the slider let go (a
  // button pressed next acts from there), after a pause while the slider is dragged.
  const report = (index, wait = 0) => {
    clearTimeout(timeline.pending);
    timeline.reported = index;
    timeline.pending = setTimeout(() => setTriggerValue("moved", index), wait);
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
      if (!local(t)) report(Number(input.value), 250);
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
