// The player (see plot.py): a run's timeline, its texts per frame, and the history
// slider that moves it, plays Run and takes the step keys.

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

function textOf(entry, timeline, position) {
  const { texts, run_texts: runTexts, viewing, ahead_texts: ahead } = entry.data;
  // Until the slider has taken a new run, the server says whether it plays.
  const playing = timeline.revision === entry.data.revision ? timeline.playing : entry.data.playing;
  if (playing && runTexts) return runTexts[Math.min(position, runTexts.length - 1)];
  const last = texts.length - 1;
  if (position > last && ahead && ahead.length) return ahead[Math.min(position - last, ahead.length) - 1];
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
    input.max = String(Math.max(timeline.count - 1, position)); // past it: made ahead
    input.value = String(position);
    timeline.label.textContent = timeline.labels[position];
    input.setAttribute("aria-valuetext", timeline.labels[position]);
  }
}

// How long the keys wait for the server's answer to one of them (it may have failed).
const AWAIT_MS = 10000;

// The number of a new message to the server (a key, a move, a stop), in the order sent:
// the server says which it has taken in (``answered``).
function sent(timeline) {
  window.emVizSeq = (window.emVizSeq || 0) + 1;
  timeline.sent = window.emVizSeq;
  return timeline.sent;
}

// Whether every graph of the timeline can show any frame (up to ``last``) without the server.
function local(timeline, last = 0) {
  const views = Object.values(timeline.views).filter((view) => view.graph.isConnected);
  return (
    views.length > 0 &&
    views.every((view) => view.frames && view.frames.revision === timeline.revision && view.frames.browse.length > last)
  );
}

// The next ``n`` half-steps, made ahead by the server (see Timeline.ahead), shown at
// once from the latest one; the server's answer to the press then makes them history.
function showAhead(timeline, n) {
  const to = timeline.count - 1 + n;
  if (timeline.playing || timeline.position !== timeline.count - 1 || !local(timeline, to)) return false;
  showAll(timeline, to, timeline.glide);
  return true;
}

// A step button with half-steps made ahead, pressed (a click, from the pointer or the
// keyboard): they are shown at once, and the button goes on to the server.
function pressedAhead(event) {
  const button = event.target.closest && event.target.closest("button");
  if (!button || button.disabled) return;
  for (const timeline of Object.values(window.emVizTimelines)) {
    if (timeline.awaiting && performance.now() - timeline.since < AWAIT_MS) continue;
    for (const [key, n] of Object.entries(timeline.ahead || {})) {
      const holder = `.st-key-${key.trim().replace(/[^a-zA-Z0-9_-]/g, "-")}`; // Streamlit's class
      if (button.closest(holder) && showAhead(timeline, n)) {
        timeline.pressed = { presses: timeline.presses, since: performance.now() };
      }
    }
  }
}
if (!window.emVizPressedAhead) {
  window.emVizPressedAhead = true;
  document.addEventListener("click", pressedAhead, true);
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
  timeline.labels = [...data.labels, ...data.ahead_labels];
  timeline.report = setTriggerValue;
  const newRun = timeline.revision !== data.revision;
  const answered = data.answered >= (timeline.sent || 0);
  // After a press shown ahead, the browser keeps its frame until the server has acted on it.
  const { pressed } = timeline;
  const pressing = pressed && !newRun && data.presses <= pressed.presses && performance.now() - pressed.since < AWAIT_MS;
  if (!pressing) timeline.pressed = null;
  timeline.presses = data.presses;
  timeline.ahead = data.ahead;
  timeline.revision = data.revision;
  timeline.count = data.labels.length;
  input.max = String(timeline.count - 1);
  input.disabled = timeline.count < 2 || data.playing;
  box.style.display = timeline.count < 2 ? "none" : "";

  const stop = (finished) => {
    clearTimeout(timeline.timer);
    timeline.playing = false;
    input.disabled = timeline.count < 2;
    setTriggerValue("stopped", { index: timeline.position, finished, seq: sent(timeline) });
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
    const seq = sent(timeline);
    timeline.pending = setTimeout(() => setTriggerValue("moved", { index, seq }), wait);
  };
  const server = (action) => {
    // The server does it, from the half-step on screen (no later report of a move);
    // the next keys wait for its answer, and act on what it shows.
    clearTimeout(timeline.pending);
    timeline.awaiting = sent(timeline);
    timeline.since = performance.now();
    const { position: shown, revision } = timeline;
    window.emVizKeys.send("action", { action, shown, revision, seq: timeline.awaiting });
  };
  timeline.handle = (action) => {
    // A step key: done here when the frames allow it, else by the server.
    if (timeline.awaiting && performance.now() - timeline.since < AWAIT_MS) {
      timeline.queue = [...(timeline.queue || []), action];
    } else if (!local(timeline)) {
      server(action);
    } else if (timeline.playing) {
      if (action === "run") stop(false);
    } else if (action === "next" && timeline.position < timeline.count - 1) {
      showAll(timeline, timeline.position + 1, timeline.glide);
      report(timeline.position);
    } else if (action === "back" && timeline.position > 0) {
      showAll(timeline, timeline.position - 1, timeline.glide);
      report(timeline.position);
    } else {
      server(action); // from the half-step on screen: the latest, for "next" at its end
      if (action === "next") showAhead(timeline, 1);
    }
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
    // Until the server has taken in every message sent, the browser is ahead of it.
    showAll(timeline, (answered || newRun) && !pressing ? data.position : timeline.position, 0);
  }
  if (!answered) return;
  // The server has answered: the keys pressed meanwhile act now, on what it shows.
  timeline.awaiting = 0;
  const queued = timeline.queue || [];
  timeline.queue = [];
  for (const action of queued) timeline.handle(action);
}
