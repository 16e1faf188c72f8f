// A graph's frames (see plot.py): the patches decoded into states, and how the graph
// goes from one state to the next, at once or gliding.

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

// SVG traces moved to new x and y at once, drawn straight into their lines, markers and
// texts, with no Plotly call: Plotly's own (a zero-length transition) first computes
// every trace again, the WebGL points too, at a cost that grows with the data. The
// graph's data takes the new x and y, so that Plotly's next drawing starts from them.
// False, drawing nothing, where a trace is not drawn as this expects (Plotly draws it).
function drawnDirectly(graph, traces, data) {
  const groups = new Map();
  for (const group of graph.querySelectorAll(".scatterlayer .trace")) {
    const trace = group.__data__ && group.__data__[0] && group.__data__[0].trace;
    if (trace) groups.set(trace.index, group);
  }
  const drawings = [];
  for (const [place, index] of traces.entries()) {
    const group = groups.get(index);
    const full = graph._fullData[index];
    const plot = full && graph._fullLayout._plots[full.xaxis + full.yaxis];
    if (!group || !plot || full.fill !== "none" || (full.line && full.line.shape !== "linear")) return false;
    const { x = full.x, y = full.y } = data[place]; // what did not move stays
    const points = Array.from(x, (value, i) => [plot.xaxis.c2p(value), plot.yaxis.c2p(y[i])]);
    const shown = points.filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py));
    const segments = [[]];
    for (const point of points) {
      if (Number.isFinite(point[0]) && Number.isFinite(point[1])) segments[segments.length - 1].push(point);
      else if (segments[segments.length - 1].length) segments.push([]);
    }
    const lines = full.mode.includes("lines") ? segments.filter((segment) => segment.length) : [];
    const paths = group.querySelectorAll("path.js-line");
    const markers = group.querySelectorAll("path.point");
    const texts = group.querySelectorAll("g.textpoint text");
    const hasMarkers = full.mode.includes("markers");
    const hasText = full.mode.includes("text");
    if (paths.length !== lines.length) return false;
    if ((hasMarkers && markers.length !== shown.length) || (hasText && texts.length !== shown.length)) {
      return false;
    }
    drawings.push({ index, x, y, lines, paths, markers: hasMarkers ? markers : [], texts: hasText ? texts : [], shown });
  }
  for (const { index, x, y, lines, paths, markers, texts, shown } of drawings) {
    lines.forEach((segment, i) => paths[i].setAttribute("d", "M" + segment.join("L")));
    markers.forEach((marker, i) => marker.setAttribute("transform", `translate(${shown[i][0]},${shown[i][1]})`));
    texts.forEach((text, i) => {
      for (const node of [text, ...text.querySelectorAll("tspan.line")]) {
        node.setAttribute("x", shown[i][0]);
        node.setAttribute("y", shown[i][1]);
      }
    });
    graph.data[index].x = graph._fullData[index].x = x;
    graph.data[index].y = graph._fullData[index].y = y;
  }
  return true;
}

const COLOURING = ["color", "colorscale", "cmin", "cmax"]; // a marker's, by colorscale

// The WebGL points' new colours drawn straight into their scene: Plotly's own update
// computes and draws every trace again. Only where nothing else changes, in a graph
// whose one WebGL trace is coloured by a stepwise colorscale, as the points are
// (figures/points.py). False, drawing nothing, otherwise (Plotly draws it).
function recolouredDirectly(graph, rest) {
  const paths = Object.keys(rest.data);
  const colouring = paths.every((path) => COLOURING.some((name) => path === `marker.${name}`));
  if (!colouring || !rest.data["marker.color"] || Object.keys(rest.layout).length) return false;
  const changed = rest.indices.filter((_, place) => paths.some((path) => rest.data[path][place] !== undefined));
  const index = changed[0];
  const place = rest.indices.indexOf(index);
  const value = (name) => rest.data[`marker.${name}`]?.[place] ?? graph._fullData[index].marker[name];
  const full = graph._fullData[index];
  const scenes = Object.values(graph._fullLayout._plots).filter((plot) => plot._scene);
  const scene = scenes.length === 1 ? scenes[0]._scene : null;
  const options = scene && scene.count === 1 ? scene.markerOptions[0] : null;
  const scale = full && full.type === "scattergl" ? value("colorscale") : null;
  const alpha = full && full.marker.opacity;
  if (changed.length !== 1 || !options || !options.colors || !scale || typeof alpha !== "number") {
    return false;
  }
  if (value("cmin") !== -0.5 || value("cmax") !== scale.length / 2 - 0.5) return false; // a step per colour
  const palette = [];
  for (let stop = 0; stop < scale.length; stop += 2) {
    const hex = /^#([0-9a-f]{6})$/i.exec(scale[stop][1]);
    if (!hex) return false;
    const rgb = parseInt(hex[1], 16);
    palette.push([(rgb >> 16) / 255, ((rgb >> 8) & 255) / 255, (rgb & 255) / 255, alpha]);
  }
  const colors = Array.from(value("color"), (i) => palette[i]);
  if (colors.some((rgba) => !rgba)) return false;
  options.colors = colors;
  scene.scatter2d.update([{ colors }]);
  graph._fullLayout._glcanvas.each((canvas) => canvas.regl && canvas.regl.clear({ color: [0, 0, 0, 0], depth: 1 }));
  scene.draw();
  for (const name of COLOURING) graph.data[index].marker[name] = graph._fullData[index].marker[name] = value(name);
  return true;
}

// The SVG traces gliding to their new x and y (`svg`, see glides), drawn straight into
// the page at each animation frame (see drawnDirectly): the glide starts at once, where
// Plotly's would first compute every trace again. Cut short, it ends where it was
// going. False where the traces are not drawn as drawnDirectly expects.
function glidesDirectly(view, svg, glideMs) {
  const { graph } = view;
  const from = svg.traces.map((trace) => ({ x: graph._fullData[trace].x, y: graph._fullData[trace].y }));
  const fits = svg.data.every((to, k) =>
    ["x", "y"].every((axis) => !to[axis] || (from[k][axis] && from[k][axis].length === to[axis].length)),
  );
  if (!fits || !drawnDirectly(graph, svg.traces, from)) return false;
  const at = (e) =>
    svg.data.map((to, k) => {
      const step = (axis) => (to[axis] ? to[axis].map((v, i) => from[k][axis][i] + (v - from[k][axis][i]) * e) : from[k][axis]);
      return { x: step("x"), y: step("y") };
    });
  const finish = () => drawnDirectly(graph, svg.traces, svg.data);
  const start = performance.now();
  const tick = (now) => {
    const t = Math.min(1, (now - start) / glideMs);
    drawnDirectly(graph, svg.traces, t < 1 ? at(ease(t)) : svg.data);
    view.svgGlide = t < 1 ? { frame: requestAnimationFrame(tick), finish } : null;
  };
  view.svgGlide = { frame: requestAnimationFrame(tick), finish };
  return true;
}

function frameView(element, name) {
  const view = {
    graph: element,
    name,
    frames: null, // { revision, browse: [...], run: [...] }
    shown: null, // the state on screen, or the one a glide goes to
    glide: null, // a WebGL glide under way: { frame, force }
    svgGlide: null, // an SVG glide under way: { frame, finish }
    stop() {
      // The glides under way left where they are: Plotly draws next.
      for (const glide of [view.glide, view.svgGlide]) if (glide) cancelAnimationFrame(glide.frame);
      view.glide = view.svgGlide = null;
    },
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
      if (view.svgGlide) {
        cancelAnimationFrame(view.svgGlide.frame);
        view.svgGlide.finish();
        view.svgGlide = null;
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
      const gliding = glideMs > 0;
      const moved = svg.traces.length > 0;
      let rest = update(from, target, gliding ? new Set([...svg.skip, ...webgl.skip]) : svg.skip, force);
      // Straight into the page where it can be (the points' colours; at once, the SVG
      // traces), else by Plotly: at once, all in one drawing.
      let done = rest.empty || recolouredDirectly(graph, rest);
      if (!gliding && moved) {
        done = done && drawnDirectly(graph, svg.traces, svg.data);
        if (!done) rest = update(from, target, new Set(), force);
      }
      if (!done) window.Plotly.update(graph, rest.data, rest.layout, rest.indices);
      view.shown = target;
      graph.dataset.rendered = String(position);
      if (gliding && moved && !glidesDirectly(view, svg, glideMs)) {
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

