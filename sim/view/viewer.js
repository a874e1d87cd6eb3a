// The trace viewer: draws an edgecache trace (embedded in this page as JSON) as a space-time diagram on a
// canvas. Time runs left to right, one lane per node. Everything is derived once from the events into flat
// arrays sorted by time, so that each redraw only visits what lies in view; when more messages are in view
// than can be told apart, arrows and events are binned per pixel column instead of drawn one by one.
"use strict";

(function () {
  const loadStart = performance.now();
  const data = JSON.parse(document.getElementById("trace-data").textContent);
  const events = data.events;
  const lanes = data.hosts.slice();

  // Message kinds as people think of them, each with its colour; the order is the legend's.
  const KINDS = [
    { id: "client", label: "client request/reply", color: "#2f6fdf" },
    { id: "origin", label: "origin fetch", color: "#e07b00" },
    { id: "election", label: "election", color: "#c2185b" },
    { id: "heartbeat", label: "heartbeat", color: "#9aa3b5" },
    { id: "replication", label: "replication", color: "#1b9e5a" },
    { id: "other", label: "other", color: "#7a4fc4" },
  ];
  const KIND_INDEX = {};
  KINDS.forEach((kind, index) => { KIND_INDEX[kind.id] = index; });
  const OUTCOME_COLORS = { ok: "#1b9e5a", not_found: "#8d96a8", unavailable: "#d32f2f", rejected: "#6a1b9a" };
  const BAND_STYLES = {
    crash: { fill: "rgba(40, 44, 52, 0.55)", label: "crashed" },
    pause: { fill: "rgba(240, 170, 0, 0.40)", label: "paused" },
    partition: { fill: "rgba(0, 150, 170, 0.18)", label: "partition" },
    clock: { fill: "rgba(150, 60, 200, 0.30)", label: "clock skew" },
    degrade: { fill: "rgba(220, 60, 60, 0.10)", label: "degraded links" },
  };
  const PARTITION_GROUP_COLORS = ["rgba(0, 150, 170, 0.20)", "rgba(230, 120, 0, 0.20)", "rgba(120, 80, 200, 0.20)",
                                  "rgba(60, 160, 60, 0.20)"];
  // Leader colours are kept apart from the message kinds' so that a belief line never reads as an arrow.
  const LEADER_COLORS = ["#00897b", "#795548", "#b8860b", "#37474f", "#6a1b9a", "#0277bd", "#827717", "#bf360c"];

  // Geometry in CSS pixels.
  const GUTTER = 112;
  const AXIS_HEIGHT = 30;
  const VIOLATION_ROW = 22;
  const STRIP_HEIGHT = 110;
  const BOTTOM = 30;
  const MIN_LANE = 26;
  const MAX_LANE = 120;
  const DETAIL_LIMIT = 2500;  // Messages in view above which arrows are binned per pixel column.

  const laneIndex = {};
  lanes.forEach((name, index) => { laneIndex[name] = index; });
  const roleOf = (name) => (name.startsWith("edge-") ? "edge" : name === "canonical" ? "canonical" : name.startsWith("client-") ? "client" : "other");

  // ---- Model: derived once from the events. ----
  const count = events.length;
  const eventTime = new Float64Array(count);
  const eventLane = new Int32Array(count);
  const laneEvents = lanes.map(() => []);
  let tMin = Infinity;
  let tMax = -Infinity;
  for (let i = 0; i < count; ++i) {
    const event = events[i];
    eventTime[i] = event.t_us;
    tMin = Math.min(tMin, event.t_us);
    tMax = Math.max(tMax, event.t_us);
    const lane = event.node !== undefined && event.node !== "" ? laneIndex[event.node] : undefined;
    eventLane[i] = lane === undefined ? -1 : lane;
    if (lane !== undefined) laneEvents[lane].push(i);
  }
  if (!isFinite(tMin)) { tMin = 0; tMax = 1; }
  if (data.summary && typeof data.summary.sim_time_us === "number") tMax = Math.max(tMax, data.summary.sim_time_us);
  if (tMax <= tMin) tMax = tMin + 1000;

  function messageKind(event, from, to) {
    const msg = event.msg;
    if (msg === "heartbeat" || msg === "heartbeat_ack") return KIND_INDEX.heartbeat;
    if (msg === "election" || msg === "answer" || msg === "coordinator") return KIND_INDEX.election;
    if (msg === "holding" || msg === "pull_order" || msg === "inventory_request") return KIND_INDEX.replication;
    if (msg === "get_image" || msg === "image_reply" || msg === "get_size" || msg === "size_reply") {
      if (roleOf(from) === "client" || roleOf(to) === "client") return KIND_INDEX.client;
      if (from === "canonical" || to === "canonical") return KIND_INDEX.origin;
      return KIND_INDEX.replication;
    }
    return KIND_INDEX.other;
  }

  // One entry per copy of a message: its send, and where it ended (a receive, a drop, or nothing if it was
  // lost at the sender or the trace ends first). Flags: 1 lost or cut at send, 2 dropped in flight, 4 the
  // second copy of a duplicated message.
  const messages = { sendT: [], endT: [], from: [], to: [], kind: [], flags: [], sendEvent: [], endEvent: [] };
  function addMessage(sendIndex, endIndex, flags) {
    const send = events[sendIndex];
    const from = laneIndex[send.node];
    const to = laneIndex[send.to];
    if (from === undefined || to === undefined) return;
    messages.sendT.push(send.t_us);
    messages.endT.push(endIndex >= 0 ? events[endIndex].t_us : NaN);
    messages.from.push(from);
    messages.to.push(to);
    messages.kind.push(messageKind(send, send.node, send.to));
    messages.flags.push(flags);
    messages.sendEvent.push(sendIndex);
    messages.endEvent.push(endIndex);
  }
  {
    // Sends waiting for their ends, by msg_id when the trace has it (format version 2), else by link and
    // message fields, oldest first.
    const pending = new Map();
    const keyOf = (event, from, to) => (event.msg_id !== undefined ? "#" + event.msg_id
      : from + ">" + to + " " + event.msg + " " + event.req + " " + event.epoch + " " + event.image);
    for (let i = 0; i < count; ++i) {
      const event = events[i];
      if (event.ev === "send") {
        if (event.fate === "lost" || event.fate === "partitioned") {
          addMessage(i, -1, 1);
        } else {
          const key = keyOf(event, event.node, event.to);
          const entry = { send: i, copies: event.fate === "duplicated" ? 2 : 1, ended: 0 };
          const queue = pending.get(key);
          if (queue) queue.push(entry); else pending.set(key, [entry]);
        }
      } else if (event.ev === "recv" || event.ev === "drop") {
        const key = keyOf(event, event.from, event.node);
        const queue = pending.get(key);
        if (!queue || queue.length === 0) continue;
        const entry = queue[0];
        entry.ended += 1;
        addMessage(entry.send, i, (event.ev === "drop" ? 2 : 0) | (entry.ended === 2 ? 4 : 0));
        if (entry.ended >= entry.copies) {
          queue.shift();
          if (queue.length === 0) pending.delete(key);
        }
      }
    }
    // Copies still in flight when the trace ends.
    for (const queue of pending.values()) {
      for (const entry of queue) {
        for (let copy = entry.ended; copy < entry.copies; ++copy) addMessage(entry.send, -1, copy === 1 ? 4 : 0);
      }
    }
  }
  const messageCount = messages.sendT.length;
  const messageOrder = Array.from({ length: messageCount }, (_, i) => i);
  messageOrder.sort((a, b) => messages.sendT[a] - messages.sendT[b] || a - b);
  const orderedSendT = Float64Array.from(messageOrder, (i) => messages.sendT[i]);
  let longestFlight = 0;
  for (let i = 0; i < messageCount; ++i) {
    if (!isNaN(messages.endT[i])) longestFlight = Math.max(longestFlight, messages.endT[i] - messages.sendT[i]);
  }

  // Fault bands: [lane, start, end, style, label]. Crash and pause come from host events, so a crash the
  // nemesis caused looks the same as a scripted one.
  const bands = [];
  const clusterBands = [];
  {
    const downSince = {};
    const pausedSince = {};
    let partition = null;  // {start, groups: [[names]], kind, label}
    let degradedSince = null;
    const closePartition = (t) => {
      if (!partition) return;
      partition.lanes.forEach(([lane, color, label]) => bands.push({ lane, start: partition.start, end: t, style: "partition", color, label }));
      partition = null;
    };
    for (let i = 0; i < count; ++i) {
      const event = events[i];
      const lane = eventLane[i];
      if (event.ev === "crashed" && lane >= 0) downSince[lane] = event.t_us;
      if ((event.ev === "restarted" || event.ev === "started") && lane >= 0 && downSince[lane] !== undefined) {
        bands.push({ lane, start: downSince[lane], end: event.t_us, style: "crash", label: "crashed", event: i });
        delete downSince[lane];
      }
      if (event.ev === "paused" && lane >= 0) pausedSince[lane] = event.t_us;
      if (event.ev === "resumed" && lane >= 0 && pausedSince[lane] !== undefined) {
        bands.push({ lane, start: pausedSince[lane], end: event.t_us, style: "pause", label: "paused", event: i });
        delete pausedSince[lane];
      }
      if (event.ev !== "fault") continue;
      const fault = event.fault;
      if (fault === "partition" || fault === "isolate" || fault === "cut") {
        closePartition(event.t_us);
        const bandLanes = [];
        if (fault === "partition" && Array.isArray(event.groups)) {
          const grouped = new Set();
          event.groups.forEach((group, g) => group.forEach((name) => {
            grouped.add(name);
            if (laneIndex[name] !== undefined) bandLanes.push([laneIndex[name], PARTITION_GROUP_COLORS[g % PARTITION_GROUP_COLORS.length], "side " + String.fromCharCode(65 + g)]);
          }));
          lanes.forEach((name, l) => {
            if (!grouped.has(name)) bandLanes.push([l, PARTITION_GROUP_COLORS[event.groups.length % PARTITION_GROUP_COLORS.length], "side " + String.fromCharCode(65 + event.groups.length)]);
          });
        } else if (fault === "isolate" && lane >= 0) {
          bandLanes.push([lane, PARTITION_GROUP_COLORS[1], "isolated"]);
        } else if (fault === "cut" && laneIndex[event.from] !== undefined) {
          bandLanes.push([laneIndex[event.from], PARTITION_GROUP_COLORS[2], "cut to " + event.to]);
        }
        partition = { start: event.t_us, lanes: bandLanes };
      } else if (fault === "heal") {
        closePartition(event.t_us);
      } else if (fault === "clock" && lane >= 0) {
        bands.push({ lane, start: event.t_us, end: tMax, style: "clock", label: "clock +" + event.offset_ms + " ms, " + Number(event.drift_ppm).toFixed(0) + " ppm", event: i, thin: true });
      } else if (fault === "degrade") {
        if (degradedSince === null) degradedSince = event.t_us;
      } else if (fault === "restore" && degradedSince !== null) {
        clusterBands.push({ start: degradedSince, end: event.t_us, style: "degrade", label: "links degraded" });
        degradedSince = null;
      }
    }
    closePartition(tMax);
    Object.keys(downSince).forEach((lane) => bands.push({ lane: Number(lane), start: downSince[lane], end: tMax, style: "crash", label: "crashed" }));
    Object.keys(pausedSince).forEach((lane) => bands.push({ lane: Number(lane), start: pausedSince[lane], end: tMax, style: "pause", label: "paused" }));
    if (degradedSince !== null) clusterBands.push({ start: degradedSince, end: tMax, style: "degrade", label: "links degraded" });
  }

  // Each edge's belief about the leader, as segments [start, end, leader, role, epoch] along its lane.
  const beliefs = lanes.map(() => []);
  {
    const open = {};
    for (let i = 0; i < count; ++i) {
      const event = events[i];
      const lane = eventLane[i];
      if (lane < 0) continue;
      const close = (t) => {
        if (open[lane]) { open[lane].end = t; beliefs[lane].push(open[lane]); delete open[lane]; }
      };
      if (event.ev === "state") {
        close(event.t_us);
        open[lane] = { start: event.t_us, end: tMax, leader: event.leader || "", role: event.role, epoch: event.epoch, event: i };
      } else if (event.ev === "crashed") {
        close(event.t_us);
      }
    }
    Object.keys(open).forEach((lane) => beliefs[lane].push(open[lane]));
  }
  const leaderColor = (name) => {
    const lane = laneIndex[name];
    return lane === undefined ? "#999" : LEADER_COLORS[lane % LEADER_COLORS.length];
  };

  // Client requests: submit and result paired by client and request id.
  const requests = [];
  {
    const submitted = new Map();
    for (let i = 0; i < count; ++i) {
      const event = events[i];
      if (event.ev === "submit") submitted.set(event.node + "#" + event.req, i);
      if (event.ev === "result") {
        const key = event.node + "#" + event.req;
        const start = submitted.has(key) ? events[submitted.get(key)].t_us : event.t_us - (event.latency_us || 0);
        submitted.delete(key);
        requests.push({ start, end: event.t_us, latency: event.latency_us || event.t_us - start, outcome: event.outcome, event: i });
      }
    }
  }
  let maxLatency = 1000;
  requests.forEach((r) => { maxLatency = Math.max(maxLatency, r.latency); });
  const requestEnd = Float64Array.from(requests, (r) => r.end);

  const violations = [];
  for (let i = 0; i < count; ++i) if (events[i].ev === "violation") violations.push(i);

  const modelMs = performance.now() - loadStart;

  // ---- View state. ----
  const canvas = document.getElementById("diagram");
  const context = canvas.getContext("2d");
  const kindVisible = KINDS.map(() => true);
  const laneVisible = lanes.map(() => true);
  let view = { start: tMin, end: tMax + (tMax - tMin) * 0.01 };
  // page.html#view=FROM_MS-TO_MS opens on that stretch of the run (the README's screenshot uses it).
  {
    const match = /view=(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)/.exec(location.hash);
    if (match && Number(match[2]) > Number(match[1])) view = { start: Number(match[1]) * 1000, end: Number(match[2]) * 1000 };
  }
  let width = 0;
  let height = 0;
  let laneY = [];  // Centre y of each visible lane, or -1.
  let laneHeight = MIN_LANE;
  let stripTop = 0;
  let selected = -1;
  let hovered = -1;
  let lastStats = { arrows: 0, bands: 0, lanes: 0, binned: false, renderMs: 0 };

  const xOf = (t) => GUTTER + (t - view.start) / (view.end - view.start) * (width - GUTTER - 8);
  const tOf = (x) => view.start + (x - GUTTER) / (width - GUTTER - 8) * (view.end - view.start);

  function layout() {
    const box = canvas.parentElement.getBoundingClientRect();
    width = Math.max(320, box.width);
    height = Math.max(240, box.height);
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    const shown = laneVisible.filter(Boolean).length;
    const available = height - AXIS_HEIGHT - VIOLATION_ROW - STRIP_HEIGHT - BOTTOM;
    laneHeight = Math.max(MIN_LANE, Math.min(MAX_LANE, Math.floor(available / Math.max(1, shown))));
    let y = AXIS_HEIGHT + VIOLATION_ROW;
    laneY = lanes.map((_, l) => {
      if (!laneVisible[l]) return -1;
      const centre = y + laneHeight / 2;
      y += laneHeight;
      return centre;
    });
    stripTop = y + 8;
  }

  function niceStep(span, pixels) {
    const raw = span / Math.max(1, pixels / 110);
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
    return 10 * power;
  }
  function formatTime(us, step) {
    if (step >= 1e6) return (us / 1e6).toFixed(step >= 1e7 ? 0 : 1) + " s";
    if (step >= 1e3) return (us / 1e3).toFixed(0) + " ms";
    if (step >= 1) return (us / 1e3).toFixed(step >= 100 ? 1 : 3) + " ms";
    return us.toFixed(1) + " µs";
  }

  function lowerBound(array, value) {
    let lo = 0;
    let hi = array.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (array[mid] < value) lo = mid + 1; else hi = mid;
    }
    return lo;
  }
  function laneLowerBound(list, t) {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (eventTime[list[mid]] < t) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  function drawAxis() {
    const step = niceStep(view.end - view.start, width - GUTTER);
    context.fillStyle = "#5d6677";
    context.font = "11px system-ui, sans-serif";
    context.textAlign = "center";
    context.strokeStyle = "#eceef3";
    context.lineWidth = 1;
    const bottom = stripTop + STRIP_HEIGHT;
    for (let t = Math.ceil(view.start / step) * step; t <= view.end; t += step) {
      const x = Math.round(xOf(t)) + 0.5;
      context.beginPath();
      context.moveTo(x, AXIS_HEIGHT - 6);
      context.lineTo(x, bottom);
      context.stroke();
      context.fillText(formatTime(t, step), x, AXIS_HEIGHT - 10);
    }
    context.textAlign = "left";
    context.fillText("simulated time →", GUTTER, height - 10);
  }

  function drawLanes() {
    context.font = "12px system-ui, sans-serif";
    context.textBaseline = "middle";
    let shown = 0;
    lanes.forEach((name, l) => {
      const y = laneY[l];
      if (y < 0) return;
      ++shown;
      context.fillStyle = shown % 2 === 0 ? "#f7f8fb" : "#ffffff";
      context.fillRect(GUTTER, y - laneHeight / 2, width - GUTTER, laneHeight);
      context.strokeStyle = "#9aa1b0";
      context.beginPath();
      context.moveTo(GUTTER, Math.round(y) + 0.5);
      context.lineTo(width, Math.round(y) + 0.5);
      context.stroke();
      const role = roleOf(name);
      context.fillStyle = role === "edge" ? leaderColor(name) : role === "canonical" ? "#e07b00" : "#2f6fdf";
      context.fillRect(6, y - 6, 4, 12);
      context.fillStyle = "#1d2330";
      context.fillText(name, 14, y);
    });
    context.textBaseline = "alphabetic";
    context.font = "11px system-ui, sans-serif";
    context.fillStyle = "#5d6677";
    context.fillText("violations", 14, AXIS_HEIGHT + 14);
    return shown;
  }

  function drawBands() {
    let drawn = 0;
    const visible = (band) => band.end >= view.start && band.start <= view.end;
    clusterBands.forEach((band) => {
      if (!visible(band)) return;
      const x0 = Math.max(GUTTER, xOf(band.start));
      const x1 = Math.min(width, xOf(band.end));
      context.fillStyle = BAND_STYLES[band.style].fill;
      context.fillRect(x0, AXIS_HEIGHT + VIOLATION_ROW, Math.max(1, x1 - x0), stripTop - 8 - AXIS_HEIGHT - VIOLATION_ROW);
      ++drawn;
    });
    context.font = "11px system-ui, sans-serif";
    bands.forEach((band) => {
      const y = laneY[band.lane];
      if (y < 0 || !visible(band)) return;
      const x0 = Math.max(GUTTER, xOf(band.start));
      const x1 = Math.min(width, xOf(band.end));
      const top = band.thin ? y + laneHeight / 2 - 7 : y - laneHeight / 2 + 1;
      const bandHeight = band.thin ? 6 : laneHeight - 2;
      context.fillStyle = band.color || BAND_STYLES[band.style].fill;
      context.fillRect(x0, top, Math.max(2, x1 - x0), bandHeight);
      if (band.style === "crash") {
        // Hatching tells "down" apart from the other shades even in grey print.
        context.save();
        context.beginPath();
        context.rect(x0, top, Math.max(2, x1 - x0), bandHeight);
        context.clip();
        context.strokeStyle = "rgba(255, 255, 255, 0.25)";
        for (let x = x0 - bandHeight; x < x1; x += 8) {
          context.beginPath();
          context.moveTo(x, top + bandHeight);
          context.lineTo(x + bandHeight, top);
          context.stroke();
        }
        context.restore();
      }
      if (x1 - x0 > 60) {
        context.fillStyle = band.style === "crash" ? "#fff" : "#1d2330";
        context.fillText(band.label, x0 + 4, band.thin ? top - 2 : top + 12);
      }
      ++drawn;
    });
    return drawn;
  }

  // An edge's own time line is drawn in the colour of the edge it believes leads, thick while it leads
  // itself and dashed grey while it follows no one, so a split brain shows as two colours at once.
  function drawBeliefs() {
    context.font = "11px system-ui, sans-serif";
    lanes.forEach((name, l) => {
      const y = laneY[l];
      if (y < 0) return;
      for (const segment of beliefs[l]) {
        if (segment.end < view.start || segment.start > view.end) continue;
        const x0 = Math.max(GUTTER, xOf(segment.start));
        const x1 = Math.min(width, xOf(segment.end));
        if (!segment.leader) {
          context.strokeStyle = "#8d96a8";
          context.lineWidth = 2;
          context.setLineDash([4, 4]);
          context.beginPath();
          context.moveTo(x0, y);
          context.lineTo(x1, y);
          context.stroke();
          context.setLineDash([]);
          context.lineWidth = 1;
        } else {
          const thickness = segment.role === "leader" ? 6 : 3;
          context.fillStyle = leaderColor(segment.leader);
          context.fillRect(x0, y - thickness / 2, Math.max(1, x1 - x0), thickness);
        }
        if (x1 - x0 > 90) {
          const text = segment.role === "leader" ? "leads, epoch " + segment.epoch
            : segment.leader ? "follows " + segment.leader + ", epoch " + segment.epoch : segment.role + ", no leader";
          context.fillStyle = "rgba(255, 255, 255, 0.85)";
          context.fillRect(x0 + 2, y - 18, context.measureText(text).width + 6, 14);
          context.fillStyle = segment.leader ? leaderColor(segment.leader) : "#5d6677";
          context.fillText(text, x0 + 5, y - 7);
        }
      }
    });
  }

  // Drawing is batched: one Path2D per colour and style, stroked or filled once, because a canvas call per
  // arrow is what makes a large trace slow.
  function addArrowHead(path, x0, y0, x1, y1) {
    const angle = Math.atan2(y1 - y0, x1 - x0);
    path.moveTo(x1, y1);
    path.lineTo(x1 - 7 * Math.cos(angle - 0.4), y1 - 7 * Math.sin(angle - 0.4));
    path.lineTo(x1 - 7 * Math.cos(angle + 0.4), y1 - 7 * Math.sin(angle + 0.4));
    path.closePath();
  }
  function addCross(path, x, y) {
    path.moveTo(x - 4, y - 4); path.lineTo(x + 4, y + 4);
    path.moveTo(x + 4, y - 4); path.lineTo(x - 4, y + 4);
  }

  function messageShown(m) {
    return kindVisible[messages.kind[m]] && laneY[messages.from[m]] >= 0 && laneY[messages.to[m]] >= 0;
  }
  // The x where a message ends: its receive or drop; lost at send or never ended, a short stub.
  function messageEnd(m) {
    const end = messages.endT[m];
    return isNaN(end) ? xOf(messages.sendT[m]) + 14 : xOf(end);
  }

  function drawMessages() {
    const first = lowerBound(orderedSendT, view.start - longestFlight);
    const last = lowerBound(orderedSendT, view.end + 1);
    let inView = 0;
    for (let k = first; k < last; ++k) if (messageShown(messageOrder[k])) ++inView;
    if (inView <= DETAIL_LIMIT) {
      const solid = KINDS.map(() => new Path2D());
      const dashed = KINDS.map(() => new Path2D());
      const heads = KINDS.map(() => new Path2D());
      const crosses = new Path2D();
      const duplicates = [];
      for (let k = first; k < last; ++k) {
        const m = messageOrder[k];
        if (!messageShown(m)) continue;
        const x0 = xOf(messages.sendT[m]);
        const y0 = laneY[messages.from[m]];
        const yTo = laneY[messages.to[m]];
        const flags = messages.flags[m];
        const ended = !isNaN(messages.endT[m]);
        const x1 = messageEnd(m);
        const y1 = ended ? yTo : y0 + (yTo - y0) * 0.35;
        if (Math.max(x0, x1) < GUTTER) continue;
        const kind = messages.kind[m];
        const path = flags & 5 ? dashed[kind] : solid[kind];
        path.moveTo(x0, y0);
        path.lineTo(x1, y1);
        if (flags & 3) addCross(crosses, x1, y1);
        else if (ended) addArrowHead(heads[kind], x0, y0, x1, y1);
        if (flags & 4) duplicates.push([x1, y1]);
      }
      KINDS.forEach((kind, k) => {
        context.strokeStyle = kind.color;
        context.fillStyle = kind.color;
        context.globalAlpha = k === KIND_INDEX.heartbeat ? 0.7 : 0.9;
        context.stroke(solid[k]);
        context.setLineDash([4, 3]);
        context.stroke(dashed[k]);
        context.setLineDash([]);
        context.fill(heads[k]);
      });
      context.globalAlpha = 1;
      context.strokeStyle = "#d32f2f";
      context.lineWidth = 2;
      context.stroke(crosses);
      context.lineWidth = 1;
      context.fillStyle = "#7a4fc4";
      context.font = "bold 10px system-ui, sans-serif";
      for (const [x, y] of duplicates) context.fillText("2×", x + 3, y - 3);
      return { arrows: inView, binned: false };
    }
    // Binned: one stroke per (two pixel columns, link, kind), more opaque the more messages it stands for.
    // Messages come sorted by send time, so a column's bins are complete when the next column starts.
    const LEVELS = 8;
    const paths = KINDS.map(() => Array.from({ length: LEVELS }, () => new Path2D()));
    const lost = new Path2D();
    const laneCount = lanes.length;
    let bins = new Map();
    let binCount = 0;
    let column = -Infinity;
    const flush = () => {
      for (const bin of bins.values()) {
        const m = bin.m;
        const x0 = xOf(messages.sendT[m]);
        const y0 = laneY[messages.from[m]];
        const y1 = laneY[messages.to[m]];
        const level = Math.min(LEVELS - 1, Math.floor(Math.log2(bin.n)));
        const path = paths[messages.kind[m]][level];
        path.moveTo(x0, y0);
        path.lineTo(x0 + Math.max(1, bin.endX / bin.n), y1);
        if (bin.lost > 0) lost.rect(x0 - 1, y1 - 1, 3, 3);
      }
      binCount += bins.size;
      bins = new Map();
    };
    for (let k = first; k < last; ++k) {
      const m = messageOrder[k];
      if (!messageShown(m)) continue;
      const x0 = xOf(messages.sendT[m]);
      const c = Math.floor(x0 / 2);
      if (c !== column) { flush(); column = c; }
      const key = (messages.kind[m] * laneCount + messages.from[m]) * laneCount + messages.to[m];
      let bin = bins.get(key);
      if (!bin) { bin = { m, n: 0, endX: 0, lost: 0 }; bins.set(key, bin); }
      bin.n += 1;
      bin.endX += messageEnd(m) - x0;
      if (messages.flags[m] & 3) bin.lost += 1;
    }
    flush();
    KINDS.forEach((kind, k) => {
      context.strokeStyle = kind.color;
      for (let level = 0; level < LEVELS; ++level) {
        context.globalAlpha = Math.min(0.8, 0.07 + 0.09 * level);
        context.stroke(paths[k][level]);
      }
    });
    context.globalAlpha = 0.8;
    context.fillStyle = "#d32f2f";
    context.fill(lost);
    context.globalAlpha = 1;
    return { arrows: binCount, binned: true };
  }

  // Events other than messages: marks per event when zoomed in, a density bar per pixel column when not.
  function drawEvents(binned) {
    const states = new Path2D();
    const timers = new Path2D();
    const others = new Path2D();
    const density = new Path2D();
    lanes.forEach((_, l) => {
      const y = laneY[l];
      if (y < 0) return;
      const list = laneEvents[l];
      const first = laneLowerBound(list, view.start);
      const last = laneLowerBound(list, view.end + 1);
      if (!binned && last - first < 4000) {
        for (let k = first; k < last; ++k) {
          const i = list[k];
          const ev = events[i].ev;
          if (ev === "send" || ev === "recv" || ev === "drop" || ev === "violation") continue;
          const x = xOf(eventTime[i]);
          if (ev === "state") {
            states.moveTo(x, y - 5); states.lineTo(x + 4, y); states.lineTo(x, y + 5); states.lineTo(x - 4, y);
            states.closePath();
          } else if (ev === "timer") {
            timers.rect(x - 1, y + 3, 2, 4);
          } else {
            others.rect(x - 2, y - 2, 4, 4);
          }
        }
        return;
      }
      // Counted per pixel column in one pass over the lane's events in view, which are sorted by time.
      let column = -1;
      let n = 0;
      const flush = () => {
        if (n === 0) return;
        const h = Math.min(laneHeight / 4, 2 + 1.5 * Math.log2(n));
        density.rect(column, y + 5, 1, h);
      };
      for (let k = first; k < last; ++k) {
        const c = Math.floor(xOf(eventTime[list[k]]));
        if (c !== column) { flush(); column = c; n = 0; }
        ++n;
      }
      flush();
    });
    context.fillStyle = "rgba(29, 35, 48, 0.28)";
    context.fill(density);
    context.fillStyle = "#8d96a8";
    context.fill(timers);
    context.fillStyle = "#1d2330";
    context.fill(others);
    context.fill(states);
  }

  function drawViolations() {
    const top = AXIS_HEIGHT;
    for (const i of violations) {
      const t = eventTime[i];
      if (t < view.start || t > view.end) continue;
      const x = xOf(t);
      context.strokeStyle = "rgba(211, 47, 47, 0.5)";
      context.setLineDash([4, 4]);
      context.beginPath();
      context.moveTo(x, top + 16);
      context.lineTo(x, stripTop - 8);
      context.stroke();
      context.setLineDash([]);
      context.fillStyle = i === selected ? "#7f0015" : "#d32f2f";
      context.beginPath();
      context.moveTo(x - 6, top + 4); context.lineTo(x + 6, top + 4); context.lineTo(x, top + 16);
      context.fill();
      const lane = eventLane[i];
      if (lane >= 0 && laneY[lane] >= 0) {
        context.strokeStyle = "#d32f2f";
        context.lineWidth = 2;
        context.beginPath();
        context.arc(x, laneY[lane], 7, 0, 2 * Math.PI);
        context.stroke();
        context.lineWidth = 1;
      }
    }
  }

  function drawRequests() {
    const top = stripTop;
    const bottom = top + STRIP_HEIGHT - 16;
    context.fillStyle = "#f7f8fb";
    context.fillRect(GUTTER, top, width - GUTTER, STRIP_HEIGHT - 16);
    context.font = "12px system-ui, sans-serif";
    context.fillStyle = "#1d2330";
    context.fillText("client requests", 14, top + 14);
    context.font = "10px system-ui, sans-serif";
    context.fillStyle = "#5d6677";
    context.fillText("latency (log)", 14, top + 28);
    // Latency on a log scale from 0.1 ms to the slowest request.
    const low = Math.log10(100);
    const high = Math.log10(Math.max(1000, maxLatency));
    const yOf = (latency) => bottom - 3 - (Math.log10(Math.max(100, latency)) - low) / Math.max(0.1, high - low) * (STRIP_HEIGHT - 24);
    // Tick labels sit inside the strip, so they never collide with its title in the gutter.
    for (const mark of [1e3, 1e4, 1e5, 1e6, 1e7]) {
      if (mark > maxLatency * 1.01 && mark !== 1e3) break;
      const y = yOf(mark);
      // The "max" label sits just below the top line; a tick label as close would overprint it.
      if (Math.abs((y - 2) - (yOf(maxLatency) + 10)) < 12 && mark !== 1e3) continue;
      context.fillText(mark >= 1e6 ? mark / 1e6 + " s" : mark / 1e3 + " ms", GUTTER + 3, y - 2);
      context.strokeStyle = "#e6e8ee";
      context.beginPath();
      context.moveTo(GUTTER, Math.round(y) + 0.5);
      context.lineTo(width, Math.round(y) + 0.5);
      context.stroke();
    }
    context.fillText("max " + (maxLatency >= 1e6 ? (maxLatency / 1e6).toFixed(1) + " s" : (maxLatency / 1e3).toFixed(0) + " ms"), GUTTER + 3, yOf(maxLatency) + 10);
    // A faint span from submit to result and a solid mark at the result, batched per outcome. Results come
    // in time order, so the ones in view are found by binary search.
    const spans = {};
    const marks = {};
    const first = lowerBound(requestEnd, view.start);
    const last = lowerBound(requestEnd, view.end + maxLatency + 1);
    for (let k = first; k < last; ++k) {
      const request = requests[k];
      if (request.start > view.end) continue;
      const outcome = OUTCOME_COLORS[request.outcome] ? request.outcome : "other";
      if (!spans[outcome]) { spans[outcome] = new Path2D(); marks[outcome] = new Path2D(); }
      const x0 = xOf(request.start);
      const x1 = xOf(request.end);
      const y = yOf(request.latency);
      spans[outcome].rect(x0, y - 0.5, Math.max(1, x1 - x0), 1);
      marks[outcome].rect(x1 - 1.5, y - 1.5, 3, 3);
    }
    for (const outcome of Object.keys(spans)) {
      context.fillStyle = OUTCOME_COLORS[outcome] || "#7a4fc4";
      context.globalAlpha = 0.25;
      context.fill(spans[outcome]);
      context.globalAlpha = 1;
      context.fill(marks[outcome]);
    }
  }

  function drawHighlight(i) {
    if (i < 0) return;
    const lane = eventLane[i];
    if (lane < 0 || laneY[lane] < 0) return;
    const x = xOf(eventTime[i]);
    if (x < GUTTER || x > width) return;
    context.strokeStyle = "#111";
    context.lineWidth = 2;
    context.beginPath();
    context.arc(x, laneY[lane], 6, 0, 2 * Math.PI);
    context.stroke();
    context.lineWidth = 1;
  }

  function render() {
    const renderStart = performance.now();
    layout();
    context.clearRect(0, 0, width, height);
    context.fillStyle = "#fff";
    context.fillRect(0, 0, width, height);
    const shownLanes = drawLanes();
    drawAxis();
    drawRequests();
    // Everything placed by time is clipped to the plot, so nothing that starts before the view runs over
    // the lane names.
    context.save();
    context.beginPath();
    context.rect(GUTTER, 0, width - GUTTER, height);
    context.clip();
    const bandCount = drawBands();
    const arrows = drawMessages();
    drawEvents(arrows.binned);
    drawBeliefs();
    drawViolations();
    drawHighlight(selected);
    drawHighlight(hovered);
    context.restore();
    lastStats = { arrows: arrows.arrows, bands: bandCount, lanes: shownLanes, binned: arrows.binned,
                  renderMs: performance.now() - renderStart };
    updateStatus();
  }

  let frameRequested = false;
  function scheduleRender() {
    if (frameRequested) return;
    frameRequested = true;
    requestAnimationFrame(() => { frameRequested = false; render(); });
  }

  function updateStatus() {
    const status = document.getElementById("viewer-status");
    status.setAttribute("data-lanes", String(lastStats.lanes));
    status.setAttribute("data-arrows", String(lastStats.arrows));
    status.setAttribute("data-bands", String(lastStats.bands));
    status.setAttribute("data-messages", String(messageCount));
    status.setAttribute("data-events", String(count));
    status.setAttribute("data-violations", String(violations.length));
    status.setAttribute("data-binned", String(lastStats.binned));
    status.setAttribute("data-errors", String(window.viewerErrors.length));
    status.setAttribute("data-model-ms", modelMs.toFixed(0));
    status.setAttribute("data-render-ms", lastStats.renderMs.toFixed(1));
    status.textContent = window.viewerErrors.length > 0 ? "script error: " + window.viewerErrors[0]
      : count + " events · " + messageCount + " messages" + (lastStats.binned ? " · binned per pixel column" : "");
  }

  // ---- Details, hover and selection. ----
  function fieldsTable(event) {
    const table = document.createElement("table");
    for (const key of Object.keys(event)) {
      const row = table.insertRow();
      row.insertCell().textContent = key;
      const value = event[key];
      row.insertCell().textContent = typeof value === "object" ? JSON.stringify(value) : String(value);
    }
    return table;
  }
  function showDetails(i) {
    const panel = document.getElementById("details");
    panel.replaceChildren();
    const heading = document.createElement("h2");
    const event = events[i];
    heading.textContent = event.ev + (event.node ? " on " + event.node : "") + " at " + (event.t_us / 1000).toFixed(3) + " ms";
    if (event.ev === "violation") heading.className = "violation";
    panel.append(heading, fieldsTable(event));
    // A violation names the trace line of the event during which its checker fired (header = line 1).
    if (event.ev === "violation" && typeof event.event_line === "number") {
      const cause = event.event_line - 2;
      if (cause >= 0 && cause < count) {
        const link = document.createElement("p");
        const anchor = document.createElement("a");
        anchor.textContent = "Seen after trace line " + event.event_line + ": " + events[cause].ev + (events[cause].node ? " on " + events[cause].node : "");
        anchor.addEventListener("click", () => select(cause, true));
        link.append(anchor);
        panel.append(link, fieldsTable(events[cause]));
      }
    }
    const line = document.createElement("p");
    line.className = "hint";
    line.textContent = "Trace line " + (i + 2) + ".";
    panel.append(line);
  }
  function select(i, centre) {
    selected = i;
    showDetails(i);
    if (centre) {
      const span = view.end - view.start;
      view = { start: eventTime[i] - span / 2, end: eventTime[i] + span / 2 };
    }
    scheduleRender();
  }

  // The event nearest to (x, y) within a few pixels: a violation marker, or an event on the lane under y.
  function hitTest(x, y) {
    const radius = 6;
    if (y >= AXIS_HEIGHT && y < AXIS_HEIGHT + VIOLATION_ROW) {
      let best = -1;
      let bestDistance = radius + 1;
      for (const i of violations) {
        const d = Math.abs(xOf(eventTime[i]) - x);
        if (d < bestDistance) { best = i; bestDistance = d; }
      }
      return best;
    }
    const lane = laneY.findIndex((centre) => centre >= 0 && Math.abs(centre - y) <= laneHeight / 2);
    if (lane < 0) return -1;
    const list = laneEvents[lane];
    const from = laneLowerBound(list, tOf(x - radius));
    const to = laneLowerBound(list, tOf(x + radius) + 1);
    let best = -1;
    let bestDistance = radius + 1;
    for (let k = from; k < to; ++k) {
      const d = Math.abs(xOf(eventTime[list[k]]) - x);
      if (d < bestDistance) { best = list[k]; bestDistance = d; }
    }
    return best;
  }

  const tooltip = document.getElementById("tooltip");
  function showTooltip(i, clientX, clientY) {
    if (i < 0) { tooltip.hidden = true; return; }
    const event = events[i];
    tooltip.textContent = Object.keys(event).map((key) => key + ": " + (typeof event[key] === "object" ? JSON.stringify(event[key]) : event[key])).join("\n");
    tooltip.hidden = false;
    tooltip.style.left = Math.min(clientX + 14, window.innerWidth - 430) + "px";
    tooltip.style.top = Math.min(clientY + 14, window.innerHeight - 200) + "px";
  }

  // ---- Zoom and pan. ----
  function zoom(factor, aroundX) {
    const t = tOf(aroundX);
    const span = Math.max(10, (view.end - view.start) * factor);
    const share = (t - view.start) / (view.end - view.start);
    view = { start: t - share * span, end: t - share * span + span };
    scheduleRender();
  }
  canvas.addEventListener("wheel", (event) => {
    event.preventDefault();
    const rect = canvas.getBoundingClientRect();
    zoom(Math.pow(1.0015, event.deltaY), Math.max(GUTTER, event.clientX - rect.left));
  }, { passive: false });
  let drag = null;
  canvas.addEventListener("mousedown", (event) => {
    drag = { x: event.clientX, start: view.start, end: view.end, moved: false };
    canvas.classList.add("dragging");
  });
  window.addEventListener("mouseup", (event) => {
    if (drag && !drag.moved) {
      const rect = canvas.getBoundingClientRect();
      const i = hitTest(event.clientX - rect.left, event.clientY - rect.top);
      if (i >= 0) select(i, false);
    }
    drag = null;
    canvas.classList.remove("dragging");
  });
  canvas.addEventListener("mousemove", (event) => {
    const rect = canvas.getBoundingClientRect();
    if (drag) {
      const dx = event.clientX - drag.x;
      if (Math.abs(dx) > 2) drag.moved = true;
      const perPixel = (drag.end - drag.start) / (width - GUTTER - 8);
      view = { start: drag.start - dx * perPixel, end: drag.end - dx * perPixel };
      tooltip.hidden = true;
      scheduleRender();
      return;
    }
    const i = hitTest(event.clientX - rect.left, event.clientY - rect.top);
    if (i !== hovered) { hovered = i; scheduleRender(); }
    showTooltip(i, event.clientX, event.clientY);
  });
  canvas.addEventListener("mouseleave", () => { tooltip.hidden = true; hovered = -1; scheduleRender(); });
  document.getElementById("zoom-in").addEventListener("click", () => zoom(0.5, (GUTTER + width) / 2));
  document.getElementById("zoom-out").addEventListener("click", () => zoom(2, (GUTTER + width) / 2));
  document.getElementById("zoom-fit").addEventListener("click", () => {
    view = { start: tMin, end: tMax + (tMax - tMin) * 0.01 };
    scheduleRender();
  });
  window.addEventListener("resize", scheduleRender);

  // ---- Toolbar: title, filters, legend. ----
  function checkbox(parent, label, color, onChange) {
    const wrapper = document.createElement("label");
    const input = document.createElement("input");
    input.type = "checkbox";
    input.checked = true;
    input.addEventListener("change", () => { onChange(input.checked); scheduleRender(); });
    wrapper.append(input);
    if (color) {
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = color;
      wrapper.append(swatch);
    }
    wrapper.append(label);
    parent.append(wrapper);
  }
  document.getElementById("page-title").textContent = document.title;
  const scenario = data.header.scenario || {};
  const facts = [];
  if (scenario.protocol) facts.push(scenario.protocol + " protocol");
  facts.push(count + " events");
  if (data.summary) facts.push((data.summary.sim_time_us / 1e6).toFixed(1) + " s simulated", data.summary.violations + " violations");
  else facts.push("trace cut short (no summary line)");
  document.getElementById("run-facts").textContent = facts.join(" · ");
  KINDS.forEach((kind, k) => checkbox(document.getElementById("kind-filters"), kind.label, kind.color, (on) => { kindVisible[k] = on; }));
  lanes.forEach((name, l) => checkbox(document.getElementById("node-filters"), name, null, (on) => { laneVisible[l] = on; }));
  const legend = document.getElementById("legend-row");
  const legendItem = (html) => {
    const item = document.createElement("span");
    item.className = "legend-item";
    item.innerHTML = html;
    legend.append(item);
  };
  legendItem("<b>Faults</b>");
  ["crash", "pause", "partition", "clock", "degrade"].forEach((style) => legendItem(
    "<span class='swatch' style='background:" + BAND_STYLES[style].fill + "'></span>" + BAND_STYLES[style].label));
  legendItem("<b>Marks</b> <span style='color:#d32f2f'>✕</span> dropped · dashed: lost at send / duplicate (2×) · ◆ role change · <span style='color:#d32f2f'>▼</span> violation");
  legendItem("<b>Leader belief</b> each edge's line takes the colour of the edge it follows (swatch by the name); thick: it leads; dashed: no leader");
  legendItem("<b>Requests</b> " + Object.keys(OUTCOME_COLORS).map((outcome) =>
    "<span class='swatch' style='background:" + OUTCOME_COLORS[outcome] + "'></span>" + outcome).join(" "));

  // page.html#select=LINE opens with the event on trace line LINE in the details panel.
  {
    const match = /select=(\d+)/.exec(location.hash);
    if (match && Number(match[1]) >= 2 && Number(match[1]) - 2 < count) {
      selected = Number(match[1]) - 2;
      showDetails(selected);
    }
  }
  render();

  // Opened as page.html#benchmark, the page times redraws at zoom levels from the whole run down to a
  // thousandth of it, panning at each, and reports the mean and slowest in #viewer-status: how
  // responsiveness on large traces is measured (docs/viewer.md).
  if (location.hash.includes("benchmark")) {
    const whole = { start: view.start, end: view.end };
    const times = [];
    for (const fraction of [1, 0.3, 0.1, 0.03, 0.01, 0.001]) {
      for (const offset of [0.1, 0.45, 0.8]) {
        const span = (whole.end - whole.start) * fraction;
        const start = whole.start + (whole.end - whole.start - span) * offset;
        view = { start, end: start + span };
        render();
        times.push(lastStats.renderMs);
      }
    }
    view = whole;
    render();
    const status = document.getElementById("viewer-status");
    status.setAttribute("data-benchmark-mean-ms", (times.reduce((a, b) => a + b, 0) / times.length).toFixed(1));
    status.setAttribute("data-benchmark-max-ms", Math.max(...times).toFixed(1));
  }
})();
