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
        if (drawnDirectly(graph, traces, shifted)) return;
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

