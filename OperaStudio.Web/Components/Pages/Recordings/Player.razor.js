// The recording player, owned by the browser: it fetches the frames of the window it shows (never the whole file)
// from /api/recordings/{id}/frames through the web app's origin, decodes JPEGs with createImageBitmap, draws by time
// with requestAnimationFrame, prefetches the next window while playing, and on a seek fetches only the window at
// that time. Blazor renders the page once (timeline markers, event list); playback never goes through the circuit.
//
// The frames' wire format (RecordingFrames in the contract): a run of [float64 ms][uint16 w][uint16 h][int32 length]
// [JPEG], little-endian. The first frame of an answer is the last one at or before `from`; an answer cut short names
// the time to continue from in X-Recording-Next.
//
// For tests the canvas carries data-time-ms (the position), data-frame-ms (the time of the frame drawn) and
// data-state (playing, paused, loading).

const HEADER_SIZE = 16;
const NEXT_HEADER = 'X-Recording-Next';
const WINDOW_MS = 8000;            // what one fetch asks for; the service cuts it shorter for busy pages
const PREFETCH_AHEAD_MS = 4000;
const LIVE_RETRY_MS = 1000;        // a recording still being written: how soon a window that brought nothing is asked again    // recording time (at 1×) still buffered when the next window is asked for
const KEEP_BYTES = 96 * 1024 * 1024; // JPEGs kept around; the farthest windows go first
const KEEP_BITMAPS = 8;            // decoded frames kept (each is width × height × 4 bytes)
const STEP_BACK_MS = 1000;         // short, so the answer reaches `from` (it starts with the frame before it anyway)
const SPEEDS = [0.5, 1, 2, 4, 8];

export function start(root, canvas, options) {
  const player = new Player(root, canvas, options);
  player.start();
  return {
    refresh: (durationMs, live) => player.refresh(durationMs, live),
    seek: (ms) => player.seek(ms),
    dispose: () => player.dispose(),
  };
}

/** Puts text on the clipboard (the steps' JSON); resolves to true when it worked. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

class Player {
  constructor(root, canvas, options) {
    this.root = root;
    this.canvas = canvas;
    this.context = canvas.getContext('2d');
    this.id = options.id;
    this.duration = Math.max(0, options.durationMs || 0);
    this.live = !!options.live;
    this.position = clamp(options.startMs || 0, 0, this.duration);
    this.speed = 1;
    this.playing = false;
    this.loading = false;
    this.disposed = false;

    // Windows of frames: each covers [from, to] completely, and its first frame is the last one at or before
    // `from`, so any time inside it can be drawn. Kept sorted and merged.
    this.segments = [];
    this.bytes = 0;
    this.pending = new Map(); // from → { to, controller, promise }
    this.retryAt = 0; // a live recording: no window asked for again before this (performance.now())
    this.bitmaps = new Map(); // frame → Promise<ImageBitmap>
    this.drawn = null;        // the frame on the canvas
    this.decoding = null;     // the frame being decoded for drawing
    this.clockWall = 0;       // performance.now() when the clock last (re)started
    this.clockPosition = 0;   // the position then
    this.raf = 0;
    this.currentEvent = -1;
    this.error = null;

    this.time = root.querySelector('[data-player-time]');
    this.progress = root.querySelector('[data-player-progress]');
    this.playhead = root.querySelector('[data-player-playhead]');
    this.timeline = root.querySelector('[data-testid=player-timeline]');
    this.speedSelect = root.querySelector('[data-testid=player-speed]');
    this.eventList = root.querySelector('[data-player-event-list]');
    this.readEvents();
  }

  start() {
    this.onClick = (e) => this.clicked(e);
    this.onKey = (e) => this.key(e);
    this.onSpeed = () => this.setSpeed(Number(this.speedSelect.value));
    this.onScrubStart = (e) => this.scrubStart(e);
    this.root.addEventListener('click', this.onClick);
    this.root.addEventListener('keydown', this.onKey);
    this.speedSelect?.addEventListener('change', this.onSpeed);
    this.timeline?.addEventListener('pointerdown', this.onScrubStart);
    this.setState();
    this.seek(this.position);
  }

  dispose() {
    this.disposed = true;
    cancelAnimationFrame(this.raf);
    this.root.removeEventListener('click', this.onClick);
    this.root.removeEventListener('keydown', this.onKey);
    this.speedSelect?.removeEventListener('change', this.onSpeed);
    this.timeline?.removeEventListener('pointerdown', this.onScrubStart);
    for (const pending of this.pending.values()) {
      pending.controller.abort();
    }

    for (const bitmap of this.bitmaps.values()) {
      bitmap.then((b) => b.close(), () => {});
    }

    this.bitmaps.clear();
    this.segments = [];
  }

  /**
   * A recording still being written grows: its new length and events (Blazor re-rendered them). Windows fetched
   * while it was shorter end where it ended then, so what came since is fetched when the position gets there.
   */
  refresh(durationMs, live) {
    this.duration = Math.max(this.duration, durationMs || 0);
    this.live = !!live;
    this.readEvents();
    this.render();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Controls

  clicked(e) {
    const action = e.target.closest('[data-player-action]');
    if (action && this.root.contains(action)) {
      e.preventDefault();
      switch (action.dataset.playerAction) {
        case 'play': this.toggle(); break;
        case 'back': this.step(-1); break;
        case 'forward': this.step(1); break;
        default: break;
      }

      return;
    }

    // A marker or an entry of the event list: jump exactly to its time.
    const entry = e.target.closest('[data-testid=player-marker][data-at-ms], [data-testid=player-event][data-at-ms]');
    if (entry) {
      this.seek(Number(entry.dataset.atMs));
    }
  }

  key(e) {
    if (e.target.closest('select, input, textarea')) {
      return;
    }

    const entry = e.target.closest('[data-testid=player-event][data-at-ms]');
    if (entry && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      this.seek(Number(entry.dataset.atMs));
      return;
    }

    if (e.key === ' ' && !e.target.closest('button')) {
      e.preventDefault();
      this.toggle();
    } else if (e.key === 'ArrowLeft' || e.key === ',') {
      e.preventDefault();
      this.step(-1);
    } else if (e.key === 'ArrowRight' || e.key === '.') {
      e.preventDefault();
      this.step(1);
    }
  }

  scrubStart(e) {
    if (e.button !== 0) {
      return;
    }

    if (e.target.closest('[data-testid=player-marker]')) {
      return; // its click jumps to exactly its time, not to where on its few pixels the pointer was
    }

    const track = this.timeline;
    const resume = this.playing;
    this.pause();
    const at = (ev) => {
      const r = track.getBoundingClientRect();
      return clamp((ev.clientX - r.left) / Math.max(1, r.width), 0, 1) * this.duration;
    };
    track.setPointerCapture(e.pointerId);
    this.root.dataset.scrubbing = 'true';
    this.seek(at(e));
    const move = (ev) => this.seek(at(ev));
    const up = (ev) => {
      track.removeEventListener('pointermove', move);
      track.removeEventListener('pointerup', up);
      track.removeEventListener('pointercancel', up);
      delete this.root.dataset.scrubbing;
      this.seek(at(ev));
      if (resume) {
        this.play();
      }
    };
    track.addEventListener('pointermove', move);
    track.addEventListener('pointerup', up);
    track.addEventListener('pointercancel', up);
  }

  toggle() {
    if (this.playing) {
      this.pause();
    } else {
      this.play();
    }
  }

  play() {
    if (this.playing) {
      return;
    }

    if (this.position >= this.duration - 1) {
      this.position = 0; // played to the end: start over
    }

    this.playing = true;
    this.restartClock();
    this.setState();
    this.loop();
  }

  pause() {
    if (!this.playing) {
      return;
    }

    this.position = this.clockNow();
    this.playing = false;
    cancelAnimationFrame(this.raf);
    this.setState();
    this.render();
  }

  setSpeed(speed) {
    if (!SPEEDS.includes(speed)) {
      return;
    }

    this.position = this.clockNow();
    this.speed = speed;
    this.restartClock();
    this.root.dataset.speed = String(speed);
  }

  seek(ms) {
    if (!Number.isFinite(ms)) {
      return;
    }

    this.position = clamp(ms, 0, this.duration);
    this.restartClock();
    this.render();
  }

  /** The frame before or after the one drawn; fetches the neighbouring window when the frame is not here yet. */
  async step(direction) {
    this.pause();
    const from = this.drawn?.at ?? this.position;
    for (let attempt = 0; attempt < 3 && !this.disposed; attempt++) {
      const segment = this.segmentAt(from);
      if (segment) {
        const frames = segment.frames;
        const i = lastAtOrBefore(frames, from);
        const target = direction > 0 ? frames[i + 1] : frames[i] && frames[i].at < from ? frames[i] : frames[i - 1];
        if (target) {
          this.seek(target.at);
          return;
        }

        if (direction > 0 && segment.to >= this.duration) {
          return; // the last frame
        }

        if (direction < 0 && (frames[0]?.at ?? 0) <= 0) {
          return; // the first frame
        }
      }

      const window = direction > 0
        ? [segment ? segment.to : from, (segment ? segment.to : from) + WINDOW_MS]
        : [Math.max(0, from - STEP_BACK_MS), from];
      try {
        await this.fetchWindow(window[0], window[1]);
      } catch {
        return;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Clock and drawing

  restartClock() {
    this.clockWall = performance.now();
    this.clockPosition = this.position;
  }

  clockNow() {
    if (!this.playing || this.loading) {
      return this.position;
    }

    return Math.min(this.duration, this.clockPosition + (performance.now() - this.clockWall) * this.speed);
  }

  loop() {
    cancelAnimationFrame(this.raf);
    const tick = () => {
      if (!this.playing || this.disposed) {
        return;
      }

      this.position = this.clockNow();
      if (this.position >= this.duration) {
        this.position = this.duration;
        this.render();
        this.pause();
        return;
      }

      this.render();
      this.raf = requestAnimationFrame(tick);
    };
    this.raf = requestAnimationFrame(tick);
  }

  /** Shows the position: the clock and timeline, the current event, and the frame at or before it (fetching if needed). */
  render() {
    if (this.disposed) {
      return;
    }

    const position = this.position;
    this.canvas.dataset.timeMs = String(position);
    if (this.time) {
      this.time.textContent = formatClock(position);
    }

    const fraction = this.duration > 0 ? position / this.duration : 0;
    if (this.progress) {
      this.progress.style.width = `${fraction * 100}%`;
    }

    if (this.playhead) {
      this.playhead.style.left = `${fraction * 100}%`;
    }

    this.followEvents(position);

    const segment = this.segmentAt(position);
    if (!segment) {
      this.setLoading(true);
      this.ensureWindow(position);
      return;
    }

    this.setLoading(false);
    if (this.playing) {
      this.prefetch(segment);
    }

    const frames = segment.frames;
    // Before the recording's first picture (it comes a few ms after the start), that picture rather than nothing:
    // the window starts with the last frame at or before its start, so a window without one holds the first frame.
    const target = frames[lastAtOrBefore(frames, position)] ?? frames[0] ?? null;
    if (!target) {
      this.clear();
      return;
    }

    if (target !== this.drawn) {
      this.drawSoon(target);
    }

    if (this.playing) {
      // The next frames decode while this one shows.
      const i = frames.indexOf(target);
      for (const next of frames.slice(i + 1, i + 3)) {
        this.bitmap(next);
      }
    }
  }

  drawSoon(frame) {
    if (this.decoding) {
      this.decoding.want = frame; // one decode at a time; the newest wish is drawn after it
      return;
    }

    const job = { want: frame };
    this.decoding = job;
    const run = async (current) => {
      let failed = false;
      try {
        const bitmap = await this.bitmap(current);
        if (!this.disposed && (current === job.want || this.playing)) {
          this.draw(current, bitmap);
        }
      } catch (error) {
        this.error = String(error?.message ?? error);
        this.canvas.dataset.error = this.error;
        failed = true;
      }

      if (job.want !== current && !this.disposed) {
        return run(job.want);
      }

      this.decoding = null;
      // The position may have moved on while this one decoded (a frame that cannot be decoded is not tried again).
      if (!failed && !this.playing && !this.disposed) {
        this.render();
      }
      return undefined;
    };
    run(frame);
  }

  draw(frame, bitmap) {
    if (this.canvas.width !== bitmap.width || this.canvas.height !== bitmap.height) {
      this.canvas.width = bitmap.width;
      this.canvas.height = bitmap.height;
    }

    this.context.drawImage(bitmap, 0, 0);
    this.drawn = frame;
    this.canvas.dataset.frameMs = String(frame.at);
    this.canvas.dataset.frameSize = `${frame.width}x${frame.height}`;
  }

  clear() {
    this.context.fillStyle = '#020617';
    this.context.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.drawn = null;
    delete this.canvas.dataset.frameMs;
  }

  bitmap(frame) {
    let decoded = this.bitmaps.get(frame);
    if (!decoded) {
      decoded = createImageBitmap(frame.jpeg);
      this.bitmaps.set(frame, decoded);
      decoded.catch(() => this.bitmaps.delete(frame));
      // Forget the oldest decoded frames (Map keeps insertion order), never the one on the canvas.
      for (const [old, promise] of this.bitmaps) {
        if (this.bitmaps.size <= KEEP_BITMAPS) {
          break;
        }

        if (old !== this.drawn && old !== frame) {
          this.bitmaps.delete(old);
          promise.then((b) => b.close(), () => {});
        }
      }
    }

    return decoded;
  }

  setLoading(loading) {
    if (loading === this.loading) {
      return;
    }

    if (!loading) {
      this.restartClock(); // time stood still while the window loaded
    }

    this.loading = loading;
    this.setState();
  }

  setState() {
    const state = this.loading ? 'loading' : this.playing ? 'playing' : 'paused';
    this.canvas.dataset.state = state;
    this.root.dataset.state = state;
    const play = this.root.querySelector('[data-player-action=play]');
    if (play) {
      play.setAttribute('aria-label', this.playing ? 'Pause' : 'Play');
      play.title = this.playing ? 'Pause (space)' : 'Play (space)';
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The event list follows playback

  readEvents() {
    this.events = this.eventList ? [...this.eventList.querySelectorAll('[data-testid=player-event]')] : [];
    this.eventTimes = this.events.map((e) => Number(e.dataset.atMs));
    this.currentEvent = -1;
    this.followEvents(this.position);
  }

  followEvents(position) {
    const index = lastAtOrBeforeTimes(this.eventTimes, position);
    if (index === this.currentEvent) {
      return;
    }

    this.events[this.currentEvent]?.removeAttribute('data-current');
    this.currentEvent = index;
    const entry = this.events[index];
    if (!entry) {
      return;
    }

    entry.setAttribute('data-current', 'true');
    // Scroll the list only (not the page) so the entry is in view.
    const list = this.eventList;
    const top = entry.offsetTop - list.offsetTop;
    if (top < list.scrollTop || top + entry.offsetHeight > list.scrollTop + list.clientHeight) {
      list.scrollTo({ top: Math.max(0, top - list.clientHeight / 3), behavior: this.playing ? 'smooth' : 'auto' });
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Windows of frames

  segmentAt(ms) {
    return this.segments.find((s) => s.from <= ms && ms <= s.to) ?? null;
  }

  /** While playing, ask for what follows before the clock gets there. */
  prefetch(segment) {
    if (segment.to >= this.duration || segment.to - this.position > PREFETCH_AHEAD_MS * this.speed) {
      return;
    }

    this.fetchWindow(segment.to, segment.to + WINDOW_MS * Math.max(1, this.speed / 2)).catch(() => {});
  }

  /** The window at a position nobody has: drop the windows asked for that are no longer wanted. */
  ensureWindow(ms) {
    for (const [from, pending] of this.pending) {
      if (!(from <= ms && ms <= pending.to)) {
        pending.controller.abort();
        this.pending.delete(from);
      }
    }

    if ([...this.pending.entries()].some(([from, p]) => from <= ms && ms <= p.to)) {
      return;
    }

    if (this.live && performance.now() < this.retryAt) {
      return;
    }

    this.fetchWindow(ms, ms + WINDOW_MS).catch((error) => {
      if (error?.name !== 'AbortError') {
        this.error = String(error?.message ?? error);
        this.canvas.dataset.error = this.error;
        this.setLoading(false);
      }
    });
  }

  fetchWindow(from, to) {
    const existing = this.pending.get(from);
    if (existing) {
      return existing.promise;
    }

    const controller = new AbortController();
    const knownUntil = this.live ? this.duration : null;
    const promise = (async () => {
      const query = `from=${Math.floor(from)}&to=${Math.ceil(to)}`;
      const response = await fetch(`/api/recordings/${encodeURIComponent(this.id)}/frames?${query}`,
        { credentials: 'same-origin', signal: controller.signal });
      if (!response.ok) {
        throw new Error(`Frames ${query}: HTTP ${response.status}`);
      }

      const next = Number(response.headers.get(NEXT_HEADER));
      const frames = parseFrames(await response.arrayBuffer());
      // Cut short: covered up to the last frame it held. Still recording: only as far as the recording went.
      let end = Number.isFinite(next) && response.headers.has(NEXT_HEADER) ? Math.min(to, frames.at(-1)?.at ?? from) : to;
      if (knownUntil !== null) {
        // Still recording: a frame is readable once the service has flushed it (within a second), so the recording's
        // length runs ahead of its frames. The window covers only up to its last frame; one that brought nothing new
        // covers nothing, and the position is asked for again a second later (a full run waited 30 s on a window
        // fetched before the first flush, taken as empty for good).
        end = Math.min(end, knownUntil, frames.at(-1)?.at ?? from);
        if (frames.length === 0 || end <= from) {
          this.retryAt = performance.now() + LIVE_RETRY_MS;
          if (frames.length === 0) {
            return;
          }
        }
      }

      this.add({ from, to: end, frames });
    })().finally(() => {
      if (this.pending.get(from)?.controller === controller) {
        this.pending.delete(from);
      }
    });
    this.pending.set(from, { to, controller, promise });
    return promise.then(() => {
      if (!this.disposed) {
        this.render();
      }
    });
  }

  add(segment) {
    // No frame lies between the first frame (the last at or before `from`) and `from`: the window covers from there.
    if (segment.frames.length > 0 && segment.frames[0].at < segment.from) {
      segment.from = segment.frames[0].at;
    }

    segment.bytes = segment.frames.reduce((sum, f) => sum + f.jpeg.size, 0);
    this.bytes += segment.bytes;
    const all = [...this.segments, segment].sort((a, b) => a.from - b.from);
    const merged = [];
    for (const s of all) {
      const last = merged.at(-1);
      if (last && s.from <= last.to) {
        // Overlapping or touching: one window, frames in time order without repeats.
        const byTime = new Map(last.frames.map((f) => [f.at, f]));
        for (const f of s.frames) {
          if (!byTime.has(f.at)) {
            byTime.set(f.at, f);
            last.bytes += f.jpeg.size;
          } else {
            this.bytes -= f.jpeg.size;
          }
        }

        last.frames = [...byTime.values()].sort((a, b) => a.at - b.at);
        last.to = Math.max(last.to, s.to);
      } else {
        merged.push(s);
      }
    }

    this.segments = merged;
    this.evict();
  }

  /** Long recordings: keep memory bounded by dropping the windows farthest from the position. */
  evict() {
    while (this.bytes > KEEP_BYTES && this.segments.length > 1) {
      const far = this.segments.reduce((a, b) => (distance(a, this.position) >= distance(b, this.position) ? a : b));
      this.segments = this.segments.filter((s) => s !== far);
      this.bytes -= far.bytes;
    }
  }
}

function parseFrames(buffer) {
  const view = new DataView(buffer);
  const frames = [];
  let offset = 0;
  while (offset + HEADER_SIZE <= buffer.byteLength) {
    const at = view.getFloat64(offset, true);
    const width = view.getUint16(offset + 8, true);
    const height = view.getUint16(offset + 10, true);
    const length = view.getInt32(offset + 12, true);
    offset += HEADER_SIZE;
    if (length < 0 || offset + length > buffer.byteLength) {
      break; // a torn answer: keep what was whole
    }

    frames.push({ at, width, height, jpeg: new Blob([new Uint8Array(buffer, offset, length)], { type: 'image/jpeg' }) });
    offset += length;
  }

  return frames;
}

/** Index of the last frame at or before `ms`, or -1. */
function lastAtOrBefore(frames, ms) {
  let lo = 0;
  let hi = frames.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (frames[mid].at <= ms) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }

  return found;
}

function lastAtOrBeforeTimes(times, ms) {
  let found = -1;
  for (let i = 0; i < times.length && times[i] <= ms; i++) {
    found = i;
  }

  return found;
}

function distance(segment, ms) {
  return ms < segment.from ? segment.from - ms : ms > segment.to ? ms - segment.to : 0;
}

function clamp(value, min, max) {
  return Math.min(max, Math.max(min, value));
}

function formatClock(ms) {
  const total = Math.floor(Math.max(0, ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
