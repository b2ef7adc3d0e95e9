// The live view of one session, owned entirely by the browser: the hub connection (through the web app's own
// origin), frame decoding and drawing, input capture, viewport sizing and the status line. Blazor renders the
// chrome around it and hears only about infrequent events (tabs, dialogs, downloads, connection state) and the
// agent's events, which the panel hands on to the chat (the page has this one hub connection). While the agent
// holds control the panel sends no input; a step waiting for approval gets its target outlined over the canvas.
//
// Wire shapes: the hub speaks MessagePack with SignalR's default (contractless) resolver, so objects arrive with
// the C# property names (PascalCase), byte[] as Uint8Array and DateTimeOffset as [Date, offsetMinutes].

const HUB_PATH = '/hubs/live';
const VIEWPORT_DEBOUNCE_MS = 150;
const PING_INTERVAL_MS = 2000;
const STATUS_INTERVAL_MS = 500;
const MAX_PASTE = 100_000;
const MAX_WHEEL = 10_000;
const DOUBLE_CLICK_MS = 500;
const DOUBLE_CLICK_SLOP = 4;

const MOD_ALT = 1;
const MOD_CTRL = 2;
const MOD_META = 4;
const MOD_SHIFT = 8;

// Keys the hub accepts by name; anything else must be one printable character.
const NAMED_KEYS = new Set([
  'Enter', 'Tab', 'Backspace', 'Delete', 'Escape', 'ArrowLeft', 'ArrowUp', 'ArrowRight', 'ArrowDown', 'Home', 'End',
  'PageUp', 'PageDown', 'Insert', 'Shift', 'Control', 'Alt', 'Meta', 'CapsLock', 'ContextMenu',
  'F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8', 'F9', 'F10', 'F11', 'F12',
]);

// What the hub refuses while the agent holds control; held back here rather than sent to be refused.
const INPUT_METHODS = new Set(['Pointer', 'Wheel', 'Key', 'InsertText']);

// The agent's hub events, forwarded to the panel's [JSInvokable] methods of the same name with an "On" prefix.
const AGENT_EVENTS = [
  'AgentMessage', 'AgentTextDelta', 'AgentStep', 'AgentRunChanged', 'AgentRunFinished',
  'ApprovalRequested', 'ApprovalResolved',
];

// PointerEvent.button → the hub's button names; PointerEvent.buttons bits match CDP's.
const BUTTON_NAMES = ['left', 'middle', 'right', 'back', 'forward'];

const STATE_TEXT = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  disconnected: 'Disconnected',
  restoring: 'Restoring session…',
  ended: 'Session ended',
};

const segmenter = typeof Intl !== 'undefined' && Intl.Segmenter ? new Intl.Segmenter() : null;

/**
 * Starts the live view. Returns the handle .NET keeps (an IJSObjectReference): focus, upload, cancelUpload,
 * setControl (who holds control: "user" or "agent"), highlight (an element box in page CSS px, or null), dispose.
 */
export function start(root, canvas, status, dotnet, sessionId) {
  const panel = new LivePanel(root, canvas, status, dotnet, sessionId);
  panel.start();
  return {
    focus: () => panel.focusCanvas(),
    focusAddressBar: () => panel.focusAddressBar(),
    upload: (input, tabId) => panel.upload(input, tabId),
    cancelUpload: (tabId) => panel.cancelUpload(tabId),
    setControl: (holder) => panel.setControl(holder),
    highlight: (box) => panel.highlight(box),
    dispose: () => panel.dispose(),
  };
}

class LivePanel {
  constructor(root, canvas, status, dotnet, sessionId) {
    this.root = root;
    this.canvas = canvas;
    this.status = status;
    this.dotnet = dotnet;
    this.sessionId = sessionId;
    this.ctx = canvas.getContext('2d', { alpha: false, desynchronized: true });
    this.disposed = false;
    this.ended = false;
    this.state = 'connecting';
    this.connection = null;

    // Frames: one decoding at a time; the newest waiting one replaces any older (which is acknowledged unseen).
    this.decoding = false;
    this.pending = null;
    this.bitmap = null;
    this.frameInfo = null;
    this.drawRect = null;
    this.firstFrame = false;
    this.framesDrawn = 0;
    this.framesDropped = 0;
    this.drawTimes = [];

    // Input.
    this.pendingMove = null;
    this.pendingWheel = null;
    this.flushScheduled = 0;
    this.pressedKeys = new Map();
    this.lastDown = null;
    this.buttonsDown = 0;

    // Viewport and measurements.
    this.cssWidth = 0;
    this.cssHeight = 0;
    this.sentViewport = '';
    this.viewportTimer = 0;
    this.latencyMs = null;
    this.pingTimer = 0;
    this.statusTimer = 0;
    this.dprQuery = null;

    // The agent: input is held back while it holds control; the element a pending approval targets is outlined.
    this.inputPaused = false;
    this.highlightBox = null;
    this.highlightEl = null;
    this.highlightKey = '';
    this.highlightLayer = root.querySelector('[data-highlight-layer]') ?? canvas.parentElement;

    this.listeners = [];
  }

  start() {
    this.measure();
    this.installInput();
    this.resizeObserver = new ResizeObserver(() => this.onResize());
    this.resizeObserver.observe(this.canvas);
    this.watchPixelRatio();
    this.statusTimer = setInterval(() => this.renderStatus(), STATUS_INTERVAL_MS);
    this.renderStatus();
    this.connect();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Connection

  buildConnection() {
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(HUB_PATH)
      .withHubProtocol(new signalR.protocols.msgpack.MessagePackHubProtocol())
      // Keep trying while the panel is open: 0.5 s, 1 s, 2 s, then every 5 s.
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (ctx) => (this.disposed || this.ended ? null : Math.min(500 * 2 ** ctx.previousRetryCount, 5000)) })
      .configureLogging(signalR.LogLevel.Warning)
      .build();

    connection.on('Frame', (frame) => this.onFrame(frame));
    connection.on('SessionChanged', (session) => this.forward('OnSessionChanged', toDotNet(session)));
    connection.on('TabUpdated', (tab) => this.forward('OnTabUpdated', toDotNet(tab)));
    connection.on('TabCrashed', (tabId) => this.forward('OnTabCrashed', tabId));
    connection.on('DialogOpened', (dialog) => this.forward('OnDialogOpened', toDotNet(dialog)));
    connection.on('DialogClosed', (tabId) => this.forward('OnDialogClosed', tabId));
    connection.on('FileChooserOpened', (tabId, multiple) => this.forward('OnFileChooserOpened', tabId, !!multiple));
    connection.on('DownloadFinished', (download) => this.forward('OnDownloadFinished', toDotNet(download)));
    connection.on('NavigationBlocked', (tabId, url, reason) => this.forward('OnNavigationBlocked', tabId, url, reason));
    for (const name of AGENT_EVENTS) {
      connection.on(name, (payload) => this.forward(`On${name}`, toDotNet(payload)));
    }

    connection.on('ControlChanged', (control) => {
      // Pause or resume input at once; .NET hears about it too (banner, chat) and confirms through setControl.
      this.setControl(control?.Holder);
      this.forward('OnControlChanged', toDotNet(control));
    });
    connection.on('SessionEnded', (reason, restorable) => {
      if (restorable) {
        // Chromium crashed, the service restarted, or the session was released while idle: joining again
        // restores it (same id, same tabs), so the panel just keeps trying.
        this.restoring = true;
        this.setState('restoring');
        this.forward('OnSessionRestoring', reason || 'The session is being restored.');
        this.rejoinSoon();
        return;
      }

      this.ended = true;
      this.setState('ended');
      this.forward('OnSessionEnded', reason || 'The session ended.');
    });

    connection.onreconnecting(() => this.setState('reconnecting'));
    connection.onreconnected(() => this.join());
    connection.onclose(() => {
      if (this.disposed || this.ended) {
        return;
      }

      // Automatic reconnect gave up (or never got going): start over.
      this.setState('disconnected');
      setTimeout(() => this.connect(), 2000);
    });
    return connection;
  }

  async connect() {
    if (!this.connection) {
      this.connection = this.buildConnection();
    }

    while (!this.disposed && !this.ended) {
      try {
        this.setState(this.state === 'connected' ? 'reconnecting' : 'connecting');
        await this.connection.start();
        break;
      } catch {
        this.setState('disconnected');
        await delay(2000);
      }
    }

    if (!this.disposed && !this.ended) {
      await this.join();
    }
  }

  /** Re-joins a session that is being restored, with a growing pause, until it answers or the panel closes. */
  async rejoinSoon() {
    for (let attempt = 0; !this.disposed && !this.ended && this.state === 'restoring'; attempt++) {
      await delay(Math.min(250 * 2 ** attempt, 3000));
      if (this.connection.state === signalR.HubConnectionState.Connected && await this.join({ quiet: true })) {
        return;
      }
    }
  }

  /** Joins (or re-joins after a reconnect); the server sends the current frame at once. True when joined. */
  async join(options = {}) {
    try {
      const session = await this.connection.invoke('Join', this.sessionId);
      if (this.restoring) {
        // After a crash, a restart (the socket dropped and came back) or an idle release.
        this.restoring = false;
        this.forward('OnSessionRestored');
      }

      this.setState('connected');
      this.forward('OnSessionChanged', toDotNet(session));
      // Events flow from here on: the chat reads the agent's state now (first join, reconnect or restore).
      this.forward('OnJoined');
      this.sentViewport = '';
      this.sendViewport();
      this.startPing();
      return true;
    } catch (error) {
      if (this.connection.state !== signalR.HubConnectionState.Connected || options.quiet) {
        return false; // Dropped meanwhile (onreconnected joins again), or a restore still on its way.
      }

      this.ended = true;
      this.setState('ended');
      this.forward('OnJoinFailed', hubMessage(error));
      return false;
    }
  }

  setState(state) {
    if (this.state === state) {
      return;
    }

    this.state = state;
    this.renderStatus();
    this.forward('OnConnectionChanged', state);
  }

  get connected() {
    return this.state === 'connected' && this.connection?.state === signalR.HubConnectionState.Connected;
  }

  send(method, ...args) {
    if (this.connected && !(this.inputPaused && INPUT_METHODS.has(method))) {
      this.connection.send(method, ...args).catch(() => {});
    }
  }

  /**
   * Acknowledges a drawn (or skipped) frame. Frames start arriving while Join is still being answered, before the
   * panel counts as connected; their acks must go out all the same, or the server's window of frames in flight
   * stays full and a static page is never painted again.
   */
  ack() {
    if (this.connection?.state === signalR.HubConnectionState.Connected) {
      this.connection.send('Ack').catch(() => {});
    }
  }

  forward(method, ...args) {
    if (!this.disposed) {
      this.dotnet.invokeMethodAsync(method, ...args).catch(() => {});
    }
  }

  startPing() {
    if (this.pingTimer) {
      return;
    }

    const ping = async () => {
      if (!this.connected) {
        return;
      }

      const started = performance.now();
      try {
        await this.connection.invoke('Ping', Date.now());
        this.latencyMs = Math.round(performance.now() - started);
      } catch {
        // Reconnecting; the status line says so.
      }
    };
    ping();
    this.pingTimer = setInterval(ping, PING_INTERVAL_MS);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Frames

  onFrame(frame) {
    if (this.decoding) {
      if (this.pending) {
        // Never drawn: acknowledge so the server's window moves on.
        this.framesDropped++;
        this.ack();
      }

      this.pending = frame;
      return;
    }

    this.decodeLoop(frame);
  }

  async decodeLoop(frame) {
    this.decoding = true;
    try {
      while (frame && !this.disposed) {
        let bitmap = null;
        try {
          bitmap = await createImageBitmap(new Blob([frame.Data], { type: 'image/jpeg' }));
        } catch {
          // A broken frame: skip it; the next one repaints.
        }

        if (bitmap) {
          this.present(bitmap, frame);
        }

        this.ack();
        frame = this.pending;
        this.pending = null;
      }
    } finally {
      this.decoding = false;
    }
  }

  present(bitmap, frame) {
    this.bitmap?.close();
    this.bitmap = bitmap;
    this.frameInfo = {
      tabId: frame.TabId,
      viewportWidth: frame.ViewportWidth || frame.Width,
      viewportHeight: frame.ViewportHeight || frame.Height,
      sequence: frame.Sequence,
    };
    this.draw();
    this.framesDrawn++;
    this.drawTimes.push(performance.now());
    if (!this.firstFrame) {
      this.firstFrame = true;
      this.forward('OnFirstFrame');
    }
  }

  /** Draws the latest frame scaled to fit the canvas (keeping its aspect), at the device's pixel density. */
  draw() {
    const bitmap = this.bitmap;
    const info = this.frameInfo;
    if (!bitmap || !info || this.cssWidth === 0 || this.cssHeight === 0) {
      return;
    }

    const dpr = window.devicePixelRatio || 1;
    const backingWidth = Math.max(1, Math.round(this.cssWidth * dpr));
    const backingHeight = Math.max(1, Math.round(this.cssHeight * dpr));
    if (this.canvas.width !== backingWidth || this.canvas.height !== backingHeight) {
      this.canvas.width = backingWidth;
      this.canvas.height = backingHeight;
    }

    const scale = Math.min(this.cssWidth / info.viewportWidth, this.cssHeight / info.viewportHeight);
    const width = info.viewportWidth * scale;
    const height = info.viewportHeight * scale;
    const x = (this.cssWidth - width) / 2;
    const y = (this.cssHeight - height) / 2;
    const ctx = this.ctx;
    if (x > 0.5 || y > 0.5) {
      ctx.fillStyle = '#020617';
      ctx.fillRect(0, 0, backingWidth, backingHeight);
    }

    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, Math.round(x * dpr), Math.round(y * dpr), Math.round(width * dpr), Math.round(height * dpr));

    const frameSize = `${bitmap.width}x${bitmap.height}`;
    if (this.canvas.dataset.frameSize !== frameSize) {
      this.canvas.dataset.frameSize = frameSize; // The image's own pixels (page CSS size × its pixel ratio).
    }

    const rect = `${round2(x)},${round2(y)},${round2(width)},${round2(height)}`;
    if (this.drawRect?.key !== rect + info.viewportWidth + 'x' + info.viewportHeight) {
      this.drawRect = { x, y, width, height, viewportWidth: info.viewportWidth, viewportHeight: info.viewportHeight, key: rect + info.viewportWidth + 'x' + info.viewportHeight };
      // For tests and tools: where the page is drawn (CSS px inside the canvas) and the page size it shows.
      this.canvas.dataset.drawRect = rect;
      this.canvas.dataset.pageViewport = `${info.viewportWidth}x${info.viewportHeight}`;
    }

    this.placeHighlight();
  }

  /** A pointer position in the page's CSS pixels, or null before the first frame. */
  toPage(event) {
    const d = this.drawRect;
    if (!d) {
      return null;
    }

    const r = this.canvas.getBoundingClientRect();
    const x = ((event.clientX - r.left - d.x) / d.width) * d.viewportWidth;
    const y = ((event.clientY - r.top - d.y) / d.height) * d.viewportHeight;
    return { x: clamp(round2(x), 0, d.viewportWidth), y: clamp(round2(y), 0, d.viewportHeight) };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Input

  listen(target, type, handler, options) {
    target.addEventListener(type, handler, options);
    this.listeners.push(() => target.removeEventListener(type, handler, options));
  }

  installInput() {
    const canvas = this.canvas;
    this.listen(canvas, 'pointerdown', (e) => this.onPointerDown(e));
    this.listen(canvas, 'pointerup', (e) => this.onPointerUp(e));
    this.listen(canvas, 'pointercancel', (e) => this.onPointerUp(e));
    this.listen(canvas, 'pointermove', (e) => this.onPointerMove(e));
    this.listen(canvas, 'wheel', (e) => this.onWheel(e), { passive: false });
    this.listen(canvas, 'contextmenu', (e) => e.preventDefault());
    this.listen(canvas, 'keydown', (e) => this.onKey(e, 'down'));
    this.listen(canvas, 'keyup', (e) => this.onKey(e, 'up'));
    this.listen(canvas, 'blur', () => this.releaseAll());
    this.listen(document, 'paste', (e) => this.onPaste(e));
    // Ctrl+L anywhere in the panel (canvas, tabs, toolbar) goes to the address bar, as in a browser.
    this.listen(this.root, 'keydown', (e) => {
      if (e.target !== canvas && isAccel(e) && !e.altKey && e.key.toLowerCase() === 'l') {
        e.preventDefault();
        this.focusAddressBar();
      }
    });
  }

  focusCanvas() {
    this.canvas.focus({ preventScroll: true });
  }

  focusAddressBar() {
    const input = this.root.querySelector('[data-testid="address-bar"]');
    if (input) {
      input.focus();
      input.select();
    }
  }

  onPointerDown(e) {
    this.focusCanvas();
    e.preventDefault();
    const p = this.toPage(e);
    if (!p) {
      return;
    }

    try {
      this.canvas.setPointerCapture(e.pointerId);
    } catch {
      // Synthetic events have no capturable pointer.
    }

    this.flushInput();
    const button = BUTTON_NAMES[e.button] ?? 'none';
    const now = performance.now();
    const last = this.lastDown;
    const repeat = last && last.button === button && now - last.time < DOUBLE_CLICK_MS
      && Math.abs(last.x - e.clientX) <= DOUBLE_CLICK_SLOP && Math.abs(last.y - e.clientY) <= DOUBLE_CLICK_SLOP;
    const clickCount = repeat ? Math.min(last.count + 1, 3) : 1;
    this.lastDown = { button, time: now, x: e.clientX, y: e.clientY, count: clickCount, page: p };
    this.buttonsDown = e.buttons;
    this.send('Pointer', 'down', p.x, p.y, button, e.buttons & 31, clickCount, modifiers(e));
  }

  onPointerUp(e) {
    const p = this.toPage(e);
    if (!p || this.buttonsDown === 0) {
      return;
    }

    this.flushInput();
    const button = BUTTON_NAMES[e.button] ?? 'left';
    const clickCount = this.lastDown?.count ?? 1;
    this.buttonsDown = e.buttons;
    this.send('Pointer', 'up', p.x, p.y, button, e.buttons & 31, e.type === 'pointercancel' ? 0 : clickCount, modifiers(e));
  }

  /** Moves are coalesced: at most one waits per animation frame, and it carries the latest position. */
  onPointerMove(e) {
    const p = this.toPage(e);
    if (!p) {
      return;
    }

    this.pendingMove = { x: p.x, y: p.y, buttons: e.buttons & 31, modifiers: modifiers(e) };
    this.scheduleFlush();
  }

  onWheel(e) {
    e.preventDefault();
    const p = this.toPage(e);
    if (!p) {
      return;
    }

    let dx = e.deltaX;
    let dy = e.deltaY;
    if (e.deltaMode === 1) {
      dx *= 40;
      dy *= 40;
    } else if (e.deltaMode === 2) {
      dx *= this.drawRect.viewportWidth;
      dy *= this.drawRect.viewportHeight;
    }

    const w = this.pendingWheel;
    this.pendingWheel = { x: p.x, y: p.y, dx: (w?.dx ?? 0) + dx, dy: (w?.dy ?? 0) + dy, modifiers: modifiers(e) };
    this.scheduleFlush();
  }

  scheduleFlush() {
    if (!this.flushScheduled) {
      this.flushScheduled = requestAnimationFrame(() => {
        this.flushScheduled = 0;
        this.flushInput();
      });
    }
  }

  /** Sends what waits for the next animation frame now (before a press, so events stay in order). */
  flushInput() {
    const move = this.pendingMove;
    if (move) {
      this.pendingMove = null;
      const button = move.buttons & 1 ? 'left' : move.buttons & 2 ? 'right' : move.buttons & 4 ? 'middle' : 'none';
      this.send('Pointer', 'move', move.x, move.y, button, move.buttons, 0, move.modifiers);
    }

    const wheel = this.pendingWheel;
    if (wheel) {
      this.pendingWheel = null;
      this.send('Wheel', wheel.x, wheel.y, clamp(wheel.dx, -MAX_WHEEL, MAX_WHEEL), clamp(wheel.dy, -MAX_WHEEL, MAX_WHEEL), wheel.modifiers);
    }
  }

  onKey(e, type) {
    if (e.isComposing || e.keyCode === 229) {
      return;
    }

    const shortcut = isAccel(e) && !e.altKey ? e.key.toLowerCase() : null;
    if (shortcut === 'v') {
      // Not sent: the browser fires 'paste' with the user's clipboard, which becomes InsertText.
      return;
    }

    if (shortcut === 'l') {
      e.preventDefault();
      if (type === 'down') {
        this.releaseAll();
        this.focusAddressBar();
      }

      return;
    }

    if (!isSendableKey(e.key)) {
      return;
    }

    // The remote page gets the key, not this browser (no Ctrl+S save dialog, no Tab leaving the canvas).
    e.preventDefault();
    e.stopPropagation();
    const id = e.code || e.key;
    if (type === 'down') {
      this.pressedKeys.set(id, { key: e.key, code: e.code, keyCode: e.keyCode, location: e.location });
    } else {
      this.pressedKeys.delete(id);
    }

    const args = ['Key', type, e.key, e.code || '', e.keyCode || 0, modifiers(e), clamp(e.location || 0, 0, 3), !!e.repeat];
    if (type === 'down' && shortcut === 'x') {
      // Read the selection before the page cuts it.
      this.copySelection();
      this.send(...args);
    } else if (type === 'down' && shortcut === 'c') {
      this.send(...args);
      this.copySelection();
    } else {
      this.send(...args);
    }
  }

  /** The remote selection to the user's clipboard (the hub runs one call at a time, so order is kept). */
  async copySelection() {
    if (!this.connected) {
      return;
    }

    try {
      const text = await this.connection.invoke('CopySelection');
      if (text) {
        await navigator.clipboard.writeText(text);
        this.root.dataset.lastCopy = String(text.length);
      }
    } catch {
      // No clipboard permission, or the page went away: nothing to copy.
    }
  }

  onPaste(e) {
    if (document.activeElement !== this.canvas) {
      return;
    }

    e.preventDefault();
    const text = e.clipboardData?.getData('text/plain');
    if (text) {
      this.invokeSafely('InsertText', text.length > MAX_PASTE ? text.slice(0, MAX_PASTE) : text);
    }
  }

  invokeSafely(method, ...args) {
    if (this.connected && !(this.inputPaused && INPUT_METHODS.has(method))) {
      this.connection.invoke(method, ...args).catch(() => {});
    }
  }

  /** Focus left the canvas: let go of every key and button, so nothing stays pressed in the remote page. */
  releaseAll() {
    for (const k of this.pressedKeys.values()) {
      this.send('Key', 'up', k.key, k.code || '', k.keyCode || 0, 0, clamp(k.location || 0, 0, 3), false);
    }

    this.pressedKeys.clear();
    if (this.buttonsDown && this.drawRect) {
      const last = this.lastDown;
      const at = this.pendingMove ?? last?.page ?? { x: 0, y: 0 };
      this.send('Pointer', 'up', at.x, at.y, last?.button ?? 'left', 0, 1, 0);
      this.buttonsDown = 0;
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Viewport

  measure() {
    this.cssWidth = this.canvas.clientWidth;
    this.cssHeight = this.canvas.clientHeight;
  }

  onResize() {
    this.measure();
    this.draw();
    clearTimeout(this.viewportTimer);
    this.viewportTimer = setTimeout(() => this.sendViewport(), VIEWPORT_DEBOUNCE_MS);
  }

  watchPixelRatio() {
    this.dprQuery?.removeEventListener('change', this.onPixelRatio);
    this.onPixelRatio = () => {
      this.watchPixelRatio();
      this.onResize();
    };
    this.dprQuery = matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    this.dprQuery.addEventListener('change', this.onPixelRatio);
  }

  /** The page follows the panel: its CSS size and pixel ratio (the server clamps both to what it allows). */
  sendViewport() {
    if (!this.connected || this.cssWidth === 0 || this.cssHeight === 0) {
      return;
    }

    const width = clamp(Math.round(this.cssWidth), 100, 7680);
    const height = clamp(Math.round(this.cssHeight), 100, 4320);
    const dpr = clamp(round2(window.devicePixelRatio || 1), 0.25, 8);
    const key = `${width}x${height}@${dpr}`;
    if (key === this.sentViewport) {
      return;
    }

    this.sentViewport = key;
    this.connection.invoke('SetViewport', width, height, dpr).catch(() => {
      this.sentViewport = '';
    });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Status line (written straight into the DOM; Blazor does not re-render per frame)

  renderStatus() {
    const now = performance.now();
    while (this.drawTimes.length && now - this.drawTimes[0] > 1000) {
      this.drawTimes.shift();
    }

    const fps = this.drawTimes.length;
    const state = this.state;
    const latency = state === 'connected' && this.latencyMs !== null ? this.latencyMs : null;
    const viewport = this.drawRect ? `${this.drawRect.viewportWidth}×${this.drawRect.viewportHeight}` : '—';
    const text = [
      STATE_TEXT[state] ?? state,
      `${fps} fps`,
      latency === null ? '— ms' : `${latency} ms`,
      viewport,
    ];
    if (!this.statusParts) {
      this.status.textContent = '';
      const dot = document.createElement('span');
      dot.className = 'live-dot';
      this.status.appendChild(dot);
      this.statusParts = text.map((_, i) => {
        const span = document.createElement('span');
        span.className = `live-part live-part-${i}`;
        this.status.appendChild(span);
        return span;
      });
    }

    text.forEach((t, i) => {
      if (this.statusParts[i].textContent !== t) {
        this.statusParts[i].textContent = t;
      }
    });
    const data = this.status.dataset;
    data.state = state;
    data.fps = String(fps);
    data.latencyMs = latency === null ? '' : String(latency);
    data.frames = String(this.framesDrawn);
    data.framesDropped = String(this.framesDropped);
    window.operaStudio = window.operaStudio || {};
    window.operaStudio.live = {
      sessionId: this.sessionId,
      state,
      fps,
      latencyMs: latency,
      frames: this.framesDrawn,
      framesDropped: this.framesDropped,
      viewport,
    };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The agent

  /** "agent": hold back the user's input (the hub would refuse it); anything else: input flows again. */
  setControl(holder) {
    const paused = holder === 'agent';
    if (paused === this.inputPaused) {
      return;
    }

    if (paused) {
      this.releaseAll(); // Let go of what is held while it still can be sent.
      this.pendingMove = null;
      this.pendingWheel = null;
    }

    this.inputPaused = paused;
    this.canvas.dataset.input = paused ? 'paused' : 'live';
  }

  /**
   * Outlines an element of the page over the canvas: {tabId, x, y, width, height, label} in the page's CSS pixels,
   * shown while that tab is the one drawn; null removes it.
   */
  highlight(box) {
    this.highlightBox = box && box.width >= 0 && box.height >= 0 ? box : null;
    this.highlightKey = '';
    this.placeHighlight();
  }

  placeHighlight() {
    const box = this.highlightBox;
    const d = this.drawRect;
    const visible = !!box && !!d && this.frameInfo?.tabId === box.tabId;
    if (!visible) {
      if (this.highlightEl) {
        this.highlightEl.remove();
        this.highlightEl = null;
        this.highlightKey = '';
      }

      return;
    }

    // Page CSS px → canvas CSS px (the canvas fills the layer, so these are the layer's coordinates).
    const sx = d.width / d.viewportWidth;
    const sy = d.height / d.viewportHeight;
    const left = round2(d.x + box.x * sx);
    const top = round2(d.y + box.y * sy);
    const width = round2(Math.max(4, box.width * sx));
    const height = round2(Math.max(4, box.height * sy));
    const key = `${left},${top},${width},${height}`;
    if (key === this.highlightKey && this.highlightEl) {
      return;
    }

    this.highlightKey = key;
    let el = this.highlightEl;
    if (!el) {
      el = document.createElement('div');
      el.className = 'element-highlight';
      el.dataset.testid = 'element-highlight';
      const label = document.createElement('div');
      label.className = 'element-highlight-label';
      el.appendChild(label);
      this.highlightLayer.appendChild(el);
      this.highlightEl = el;
    }

    el.firstChild.textContent = box.label || 'Waiting for approval';
    el.classList.toggle('label-below', top < 30);
    el.style.left = `${left}px`;
    el.style.top = `${top}px`;
    el.style.width = `${width}px`;
    el.style.height = `${height}px`;
    el.dataset.tabId = box.tabId;
    el.dataset.pageBox = `${round2(box.x)},${round2(box.y)},${round2(box.width)},${round2(box.height)}`;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // File chooser

  /** Posts the picked files to the waiting file chooser; returns null, or the reason it failed. */
  async upload(input, tabId) {
    const form = new FormData();
    for (const file of input?.files ?? []) {
      form.append('files', file, file.name);
    }

    return this.postFiles(form, tabId);
  }

  /** Answers the file chooser with no files (the page sees a cancelled pick). */
  cancelUpload(tabId) {
    return this.postFiles(new FormData(), tabId);
  }

  async postFiles(form, tabId) {
    const url = `/api/sessions/${encodeURIComponent(this.sessionId)}/tabs/${encodeURIComponent(tabId)}/files`;
    try {
      const response = await fetch(url, { method: 'POST', body: form });
      if (response.ok) {
        return null;
      }

      try {
        const problem = await response.json();
        return problem.detail || problem.title || `Upload failed (HTTP ${response.status}).`;
      } catch {
        return `Upload failed (HTTP ${response.status}).`;
      }
    } catch (error) {
      return `Upload failed: ${error.message}`;
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  dispose() {
    this.disposed = true;
    clearInterval(this.pingTimer);
    clearInterval(this.statusTimer);
    clearTimeout(this.viewportTimer);
    cancelAnimationFrame(this.flushScheduled);
    this.resizeObserver?.disconnect();
    this.dprQuery?.removeEventListener('change', this.onPixelRatio);
    this.listeners.forEach((remove) => remove());
    this.listeners = [];
    this.bitmap?.close();
    this.bitmap = null;
    this.highlightEl?.remove();
    this.highlightEl = null;
    const connection = this.connection;
    this.connection = null;
    return connection?.stop().catch(() => {});
  }
}

function modifiers(e) {
  return (e.altKey ? MOD_ALT : 0) | (e.ctrlKey ? MOD_CTRL : 0) | (e.metaKey ? MOD_META : 0) | (e.shiftKey ? MOD_SHIFT : 0);
}

function isAccel(e) {
  return e.ctrlKey || e.metaKey;
}

/** Named keys the hub knows, or one printable character (one grapheme, no control characters). */
function isSendableKey(key) {
  if (!key || NAMED_KEYS.has(key)) {
    return !!key;
  }

  if (key.length > 8 || /\p{Cc}/u.test(key)) {
    return false;
  }

  if (segmenter) {
    let count = 0;
    for (const _ of segmenter.segment(key)) {
      if (++count > 1) {
        return false;
      }
    }

    return count === 1;
  }

  return [...key].length === 1;
}

/** msgpack's shapes → what .NET's JSON reader expects: camelCase keys, DateTimeOffset as an ISO string. */
function toDotNet(value) {
  if (value instanceof Date) {
    return value.toISOString();
  }

  if (Array.isArray(value)) {
    if (value.length === 2 && value[0] instanceof Date && typeof value[1] === 'number') {
      return value[0].toISOString();
    }

    return value.map(toDotNet);
  }

  if (value instanceof Uint8Array) {
    return null;
  }

  if (value && typeof value === 'object') {
    const result = {};
    for (const [key, item] of Object.entries(value)) {
      result[key.charAt(0).toLowerCase() + key.slice(1)] = toDotNet(item);
    }

    return result;
  }

  return value;
}

function hubMessage(error) {
  const message = String(error?.message ?? error ?? 'The session is gone.');
  const marker = 'HubException: ';
  const at = message.indexOf(marker);
  return at >= 0 ? message.slice(at + marker.length) : message;
}

function clamp(value, min, max) {
  return Math.min(max, Math.max(min, value));
}

function round2(value) {
  return Math.round(value * 100) / 100;
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
