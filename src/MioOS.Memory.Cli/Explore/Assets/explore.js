// mioos-mm explore: the page. It asks the tool's JSON API for the machine's state and pictures, sends console
// lines and trace steps, and marks in each new picture what the last call changed (by the pictures' data-key:
// a rectangle whose key is new, or whose data differ from the drawing before, is outlined).
'use strict';

const $ = (id) => document.getElementById(id);

// What the page shows: the table opened under the directory, the kmalloc size whose first fit is marked, the
// machine version last drawn, the last address walk, the trace's state, and whether the player is running.
const view = { slot: null, drawnSlot: null, next: 0, version: -1, walk: null, trace: null, playing: false };

const hex = (n) => '0x' + Number(n).toString(16).toUpperCase().padStart(8, '0');
const count = (n) => Number(n).toLocaleString('en-US');
const bytes = (n) => n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(2)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`;

// Every action runs after the one before has drawn its answer, so answers and pictures never interleave.
let queue = Promise.resolve();
function serial(action) {
  queue = queue.then(action).catch((e) => note(`the page lost the server: ${e.message}`));
  return queue;
}

async function call(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  let json;
  try {
    json = await response.json();
  } catch {
    json = { error: `the server answered ${response.status} without JSON` };
  }
  return { status: response.status, json };
}

// A picture, or why it cannot be drawn (a console call can unmap what it would read: the kernel would fault).
async function picture(path) {
  const response = await fetch(path);
  return response.ok ? { svg: await response.text() } : { error: (await response.json()).error };
}

function signature(rect) {
  return Object.entries(rect.dataset).map(([k, v]) => `${k}=${v}`).join(';');
}

// Replaces a picture; with highlight, outlines what is new or different from the drawing it replaces.
function swap(container, drawn, highlight) {
  const before = new Map();
  if (highlight) for (const r of container.querySelectorAll('rect[data-key]')) before.set(r.dataset.key, signature(r));
  if (drawn.error) {
    container.textContent = drawn.error;
    container.classList.add('unreadable');
    return;
  }
  container.classList.remove('unreadable');
  container.innerHTML = drawn.svg;
  if (!highlight) return;
  for (const r of container.querySelectorAll('rect[data-key]')) {
    if (before.get(r.dataset.key) !== signature(r)) r.classList.add('changed');
  }
}

async function draw() {
  const { json: state } = await call('GET', '/api/state');
  const slot = view.slot;
  const [map, tables, heap] = await Promise.all([
    picture('/api/picture/map'),
    picture('/api/picture/pagetables' + (slot === null ? '' : `?slot=${slot}`)),
    picture(`/api/picture/heapmap?next=${view.next}`),
  ]);
  const changed = view.version >= 0 && state.version !== view.version;
  swap($('map'), map, changed);
  swap($('pagetables'), tables, changed && view.drawnSlot === slot);
  swap($('heapmap'), heap, changed);
  view.drawnSlot = slot;
  view.version = state.version;
  showState(state);
  markLast();
  markWalk();
  document.body.dataset.version = state.version;
}

function showState(s) {
  $('machine').textContent = `${s.machine}, CPU ${s.cpu}`;
  const p = s.pmm, h = s.heap;
  $('figures-pmm').textContent =
    (p.fault ? `PMM: ${p.fault}` : `PMM: ${count(p.freeFramesLow + p.freeFramesHigh)} frames free in ${count(p.freeExtents)} extents, ${count(p.usedFrames)} used`) +
    (h.fault ? ` | heap: ${h.fault}` : ` | heap: ${bytes(h.size)} in ${h.segments} segment${h.segments === 1 ? '' : 's'}, ${count(h.blocks)} blocks, ${count(h.freeBlocks)} free, fragmentation ${h.fragmentationPercent.toFixed(1)}%`);
  const fault = $('fault');
  fault.hidden = !s.fault;
  fault.textContent = s.fault ? `${s.fault}: the machine stopped; reboot it` : '';
  showTrace(s.trace);
}

function figure(id, value, text) {
  const el = $(id);
  el.dataset.value = value;
  el.textContent = text;
}

function showTrace(t) {
  if (t && t.fault) {
    $('trace-last').className = 'failure';
    $('trace-last').textContent = t.fault;
    return;
  }
  view.trace = t;
  const player = $('player');
  if (!t) {
    player.dataset.state = 'empty';
    delete player.dataset.position;
    $('trace-position').textContent = 'no trace loaded';
    for (const id of ['fig-peak-live', 'fig-peak-heap', 'fig-fragmentation', 'fig-live', 'fig-blocks', 'fig-integrity']) figure(id, '', '');
    $('trace-last').textContent = '';
    return;
  }
  player.dataset.position = t.position;
  if (!view.playing) player.dataset.state = 'paused';
  const scrub = $('trace-scrub');
  scrub.max = t.events;
  scrub.value = t.position;
  $('trace-position').textContent = `${t.name}: event ${count(t.position)} of ${count(t.events)}` +
    (t.touched ? ' (console calls changed the machine since the trace began: the figures include them)' : '');
  figure('fig-peak-live', t.peakLiveBytes, `${bytes(t.peakLiveBytes)} (${count(t.peakLiveBytes)})`);
  figure('fig-peak-heap', t.peakHeapBytes, `${bytes(t.peakHeapBytes)} (${count(t.peakHeapBytes)})`);
  figure('fig-fragmentation', t.fragmentationPercent, `${t.fragmentationPercent.toFixed(1)}%`);
  figure('fig-live', t.liveBytes, bytes(t.liveBytes));
  figure('fig-blocks', t.blocks, `${count(t.blocks)} used, ${count(t.freeBlocks)} free`);
  figure('fig-integrity', t.integrity, t.integrity);
  const last = $('trace-last');
  last.className = t.failure ? 'failure' : '';
  if (t.failure) last.textContent = `the heap refused ${t.failure}`;
  else if (!t.last) last.textContent = '';
  else if (t.last.kind === 'free') last.textContent = `event ${count(t.last.number)}: free(${hex(t.last.released)}) of block id ${t.last.id}`;
  else last.textContent = `event ${count(t.last.number)}: ${t.last.kind}(${count(t.last.bytes)}) of block id ${t.last.id} -> ${hex(t.last.pointer)}` +
    (t.last.released ? ` (was ${hex(t.last.released)})` : '') + '; outlined in blue in the heap';
}

function markLast() {
  const t = view.trace;
  if (!t || !t.last || !t.last.pointer) return;
  for (const r of $('heapmap').querySelectorAll(`rect[data-pointer="${hex(t.last.pointer)}"]`)) r.classList.add('last');
}

function markWalk() {
  const w = view.walk;
  if (!w) return;
  for (const r of $('pagetables').querySelectorAll(`rect[data-slot="${w.directoryIndex}"]`)) r.classList.add('walked');
  if (w.tableIndex !== undefined) {
    for (const r of $('pagetables').querySelectorAll(`rect[data-table="${w.directoryIndex}"][data-index="${w.tableIndex}"]`)) r.classList.add('walked');
  }
}

function note(text) {
  const entry = logEntry('', 'error');
  entry.querySelector('.out').textContent = text;
}

function logEntry(line, kind) {
  const log = $('log');
  const entry = document.createElement('div');
  entry.className = `entry ${kind}`;
  const input = document.createElement('pre');
  input.className = 'in';
  input.textContent = line;
  const output = document.createElement('pre');
  output.className = 'out';
  if (line) entry.append(input);
  entry.append(output);
  log.append(entry);
  log.scrollTop = log.scrollHeight;
  return entry;
}

// The console: a line goes to the shell's parser on the server; the answer is shown as the shell prints it.
const history = [];
let historyAt = 0;
$('console-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = $('console-input');
  const line = input.value.trim();
  if (!line) return;
  history.push(line);
  historyAt = history.length;
  input.value = '';
  serial(async () => {
    const entry = logEntry(line, 'pending');
    const r = await call('POST', '/api/command', { line });
    const out = entry.querySelector('.out');
    entry.dataset.status = r.status;
    if (r.status === 200) {
      entry.className = `entry ${r.json.fault ? 'fault' : r.json.ok ? 'ok' : 'refused'}`;
      out.textContent = r.json.text;
      const answer = r.json.answer;
      if (answer && answer.picture === 'heapmap') {
        view.next = answer.next;
        $('heap-next').value = answer.next;
      }
      if (answer && answer.picture === 'pagetables') view.slot = answer.slot ?? null;
    } else {
      entry.className = 'entry error';
      out.textContent = r.json.error;
    }
    $('log').scrollTop = $('log').scrollHeight;
    await draw();
  });
});
$('console-input').addEventListener('keydown', (e) => {
  if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
  e.preventDefault();
  historyAt = Math.max(0, Math.min(history.length, historyAt + (e.key === 'ArrowUp' ? -1 : 1)));
  e.target.value = history[historyAt] ?? '';
});

// The address walk: directory slot, table entry, frame; the slot's table is opened and both are outlined.
$('walk-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('walk-input').value.trim();
  serial(async () => {
    const r = await call('GET', `/api/walk?address=${encodeURIComponent(text)}`);
    const out = $('walk-result');
    if (r.status !== 200) {
      view.walk = null;
      out.textContent = r.json.error;
      await draw();
      return;
    }
    const w = r.json;
    view.walk = w;
    const lines = [`${hex(w.linear)}: directory slot ${w.directoryIndex} (bits 31-22)` +
      (w.tableIndex === undefined ? '' : `, table entry ${w.tableIndex} (bits 21-12)`) + `, offset 0x${(w.linear & 0xFFF).toString(16).toUpperCase()}`];
    lines.push(`PDE[${w.directoryIndex}] = ${hex(w.pde)}` + ((w.pde & 1) === 0 ? ' not present' : (w.pde & 0x80) ? ' a 4 MiB page' : ` -> page table at ${hex(w.pde & 0xFFFFF000)}`));
    if (w.pte !== undefined) lines.push(`PTE[${w.tableIndex}] = ${hex(w.pte)}` + ((w.pte & 1) === 0 ? ' not present' : ` -> frame ${hex(w.pte & 0xFFFFF000)}`));
    lines.push(w.mapped ? `-> physical ${hex(w.physical)} (${w.pageSize} page, ${w.flags.join(', ')})` : `#PF: ${w.fault.description}`);
    out.textContent = lines.join('\n');
    if (w.tableIndex !== undefined) view.slot = w.directoryIndex;
    await draw();
  });
});

$('pagetables').addEventListener('click', (e) => {
  const slot = e.target.closest('rect[data-slot]');
  if (!slot) return;
  view.slot = Number(slot.dataset.slot);
  serial(draw);
});

$('heap-next').addEventListener('change', (e) => {
  view.next = Math.max(0, Math.floor(Number(e.target.value) || 0));
  serial(draw);
});

$('reboot').addEventListener('click', () => serial(async () => {
  view.playing = false;
  await call('POST', '/api/reboot');
  await draw();
}));

// The trace player: load, step, seek (the scrubber), play at a speed up to the "stop at" event.
async function traceCall(path, body) {
  const r = await call('POST', path, body);
  if (r.status !== 200) {
    view.playing = false;
    $('trace-last').className = 'failure';
    $('trace-last').textContent = r.json.error;
  }
  await draw();
  return r;
}

$('trace-load').addEventListener('click', () => serial(async () => {
  view.playing = false;
  const r = await traceCall('/api/trace/load', { name: $('trace-select').value });
  if (r.status === 200 && r.json.trace) $('trace-stop').value = r.json.trace.events;
}));
$('trace-step').addEventListener('click', () => serial(() => traceCall('/api/trace/step', { count: 1 })));
$('trace-back').addEventListener('click', () => serial(() => view.trace && traceCall('/api/trace/seek', { position: Math.max(0, view.trace.position - 1) })));
$('trace-scrub').addEventListener('change', (e) => serial(() => traceCall('/api/trace/seek', { position: Number(e.target.value) })));
$('trace-play').addEventListener('click', () => {
  if (view.playing) view.playing = false;
  else play();
});

function stopAt() {
  const t = view.trace;
  const value = Number($('trace-stop').value);
  return $('trace-stop').value === '' || !(value >= 0) ? t.events : Math.min(value, t.events);
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 40));

async function play() {
  if (!view.trace) return;
  view.playing = true;
  $('player').dataset.state = 'playing';
  $('trace-play').textContent = '\u275A\u275A pause';
  let last = performance.now(), due = 0;
  while (view.playing) {
    const t = view.trace;
    if (!t || t.failure || t.position >= stopAt()) break;
    const now = performance.now();
    // Events due at the chosen speed since the last step; a slow draw is made up by a larger step.
    due = Math.min(due + Number($('trace-speed').value) * (now - last) / 1000, 1e6);
    last = now;
    const n = Math.min(Math.floor(due), stopAt() - t.position);
    if (n < 1) {
      await tick();
      continue;
    }
    due -= n;
    await serial(() => traceCall('/api/trace/step', { count: n }));
    await tick();
  }
  view.playing = false;
  $('player').dataset.state = view.trace ? 'paused' : 'empty';
  $('trace-play').textContent = '\u25B6 play';
}

async function start() {
  const { json } = await call('GET', '/api/traces');
  const select = $('trace-select');
  for (const t of json.traces ?? []) {
    const option = document.createElement('option');
    option.value = t.name;
    option.textContent = `${t.name} (${bytes(t.bytes)})`;
    select.append(option);
  }
  if (select.options.length === 0) {
    const option = document.createElement('option');
    option.textContent = 'no traces (explore --traces DIR)';
    select.append(option);
    select.disabled = true;
  }
  await draw();
}

serial(start);
