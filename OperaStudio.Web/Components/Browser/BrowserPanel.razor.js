// The live view of one session, owned entirely by the browser: the hub connection (through the web app's own
// origin), viewport sizing and the status line here; drawing frames in BrowserPanel.frames.js and capturing
// input in BrowserPanel.input.js. Blazor renders the chrome around it and hears only about infrequent events
// (tabs, dialogs, downloads, connection state). The agent's events reach the chat on the server, not through here;
// the panel's .NET side tells this module who holds control (no input is sent while the agent does) and which
// element a step waiting for approval targets (outlined over the canvas).
//
// Wire shapes: the hub speaks MessagePack with SignalR's default (contractless) resolver, so objects arrive with
// the C# property names (PascalCase), byte[] as Uint8Array and DateTimeOffset as [Date, offsetMinutes].

import { FrameView, clamp, round2 } from './BrowserPanel.frames.js';
import { InputCapture } from './BrowserPanel.input.js';
import { SharedPointers } from './BrowserPanel.pointers.js';

const HUB_PATH = '/hubs/live';
const VIEWPORT_DEBOUNCE_MS = 150;
const PING_INTERVAL_MS = 2000;
const STATUS_INTERVAL_MS = 500;
const REFUSED_FORWARD_MS = 1000; // A held key or a wheel refused many times over is told once a second, not each time.

const STATE_TEXT = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  disconnected: 'Disconnected',
  restoring: 'Restoring session…',
  ended: 'Session ended',
  revoked: 'Access ended',
};

/**
 * Starts the live view. Returns the handle .NET keeps (an IJSObjectReference): focus, upload, cancelUpload,
 * setControl (who holds control: "user" or "agent"), highlight (an element box in page CSS px, or null), turn (a
 * sharing hub method: RequestControl, GrantControl with a user, ReleaseControl; resolves to null or the reason it
 * failed), dispose. `me` is the signed-in person's name, to tell their own place in the presence list.
 */
export function start(root, canvas, status, dotnet, sessionId, me) {
  const panel = new LivePanel(root, canvas, status, dotnet, sessionId, me);
  panel.start();
  return {
    focus: () => panel.input.focusCanvas(),
    focusAddressBar: () => panel.input.focusAddressBar(),
    upload: (input, tabId) => panel.upload(input, tabId),
    cancelUpload: (tabId) => panel.cancelUpload(tabId),
    setControl: (holder) => panel.setControl(holder),
    highlight: (box) => panel.highlight(box),
    turn: (method, user) => panel.turn(method, user),
    dispose: () => panel.dispose(),
  };
}

class LivePanel {
  constructor(root, canvas, status, dotnet, sessionId, me) {
    this.root = root;
    this.me = me;
    this.canvas = canvas;
    this.status = status;
    this.dotnet = dotnet;
    this.sessionId = sessionId;
    this.disposed = false;
    this.ended = false;
    this.state = 'connecting';
    this.connection = null;

    // The page as drawn, with the outline of what a pending approval targets; and the user's input on it.
    const layer = root.querySelector('[data-highlight-layer]') ?? canvas.parentElement;
    this.frames = new FrameView(canvas, layer, {
      ack: () => this.ack(),
      onFirstFrame: () => this.forward('OnFirstFrame'),
      onLayout: () => this.pointers.layout(),
    });
    // Everyone's pointer in a shared session: ours goes out as MovePointer (not input), the others' are drawn.
    this.pointers = new SharedPointers(layer, this.frames, (x, y) => {
      if (this.connected) {
        this.connection.send('MovePointer', this.sessionId, x, y).catch(() => {});
      }
    });
    // Not 0: performance.now() counts from the page load, and a refusal in its first second was swallowed as "told already".
    this.lastRefusedAt = -Infinity;
    this.input = new InputCapture(root, canvas, this.frames, {
      send: (method, ...args) => this.send(method, ...args),
      invoke: (method, ...args) => (this.connected ? this.connection.invoke(method, ...args) : Promise.reject(new Error('Not connected.'))),
    });

    // Viewport and measurements.
    this.sentViewport = '';
    this.viewportTimer = 0;
    this.latencyMs = null;
    this.pingTimer = 0;
    this.statusTimer = 0;
    this.dprQuery = null;
  }

  start() {
    this.frames.measure();
    this.input.install();
    this.onCanvasMove = (e) => this.pointers.moved(e);
    this.canvas.addEventListener('pointermove', this.onCanvasMove);
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
      // The session in the URL: the web app's router sends the connection (and each reconnect) to the node holding it.
      .withUrl(`${HUB_PATH}?session=${encodeURIComponent(this.sessionId)}`)
      .withHubProtocol(new signalR.protocols.msgpack.MessagePackHubProtocol())
      // Keep trying while the panel is open: 0.5 s, 1 s, 2 s, then every 5 s.
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (ctx) => (this.disposed || this.ended ? null : Math.min(500 * 2 ** ctx.previousRetryCount, 5000)) })
      .configureLogging(signalR.LogLevel.Warning)
      .build();

    connection.on('Frame', (frame) => this.frames.onFrame(frame));
    connection.on('SessionChanged', (session) => this.forward('OnSessionChanged', toDotNet(session)));
    connection.on('TabUpdated', (tab) => this.forward('OnTabUpdated', toDotNet(tab)));
    connection.on('TabCrashed', (tabId) => this.forward('OnTabCrashed', tabId));
    connection.on('DialogOpened', (dialog) => this.forward('OnDialogOpened', toDotNet(dialog)));
    connection.on('DialogClosed', (tabId) => this.forward('OnDialogClosed', tabId));
    connection.on('FileChooserOpened', (tabId, multiple) => this.forward('OnFileChooserOpened', tabId, !!multiple));
    connection.on('DownloadFinished', (download) => this.forward('OnDownloadFinished', toDotNet(download)));
    // Whether the session records, for the indicator (null: not recording); also sent when this viewer joins.
    connection.on('RecordingChanged', (sessionId, recording) => this.forward('OnRecordingChanged', recording ? toDotNet(recording) : null));
    connection.on('NavigationBlocked', (tabId, url, reason) => this.forward('OnNavigationBlocked', tabId, url, reason));
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

    // Sharing: who is here and who has control (the .NET side renders it; the pointers here follow who is here),
    // the others' pointers, refusals of our input, and the end of our access.
    connection.on('Presence', (sessionId, participants) => {
      const list = participants ?? [];
      this.pointers.presence(list, this.me);
      const mine = list.find((p) => p.User === this.me);
      this.input.setTurn(!mine || !!mine.HasControl);
      this.forward('OnPresence', toDotNet(list));
    });
    connection.on('Pointer', (sessionId, user, color, x, y) => {
      if (user !== this.me) {
        this.pointers.show(user, color, x, y);
      }
    });
    connection.on('InputRefused', (sessionId, reason) => {
      const now = performance.now();
      if (now - this.lastRefusedAt >= REFUSED_FORWARD_MS) {
        this.lastRefusedAt = now;
        this.forward('OnInputRefused', reason || 'Your input was refused.');
      }
    });
    connection.on('AccessEnded', (sessionId, reason) => {
      // Revoked: no more frames or events come; stop trying to reconnect and drop the others' pointers.
      this.ended = true;
      this.setState('revoked');
      this.pointers.dispose();
      this.forward('OnAccessEnded', reason || 'Your access to this session ended.');
      this.connection?.stop().catch(() => {});
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

  /**
   * Sends the user's input. Moves are fire-and-forget (the next one supersedes a lost one); presses, keys, wheel
   * turns and pastes are invocations, so a refusal (the agent took control, a position outside the page) is not
   * silent: the last one is kept on the canvas as data-input-lost and in the console.
   */
  send(method, ...args) {
    if (!this.connected) {
      this.inputLost(method, `not sent: the panel is ${this.state}`);
      return;
    }

    if (method === 'Pointer' && args[0] === 'move') {
      this.connection.send(method, ...args).catch(() => {});
    } else {
      this.connection.invoke(method, ...args).catch((error) => this.inputLost(method, hubMessage(error)));
    }
  }

  inputLost(method, reason) {
    this.canvas.dataset.inputLost = `${method}: ${reason}`;
    console.warn(`Input ${method} lost: ${reason}`);
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
  // Viewport

  onResize() {
    this.frames.measure();
    this.frames.draw();
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
    const { cssWidth, cssHeight } = this.frames;
    if (!this.connected || cssWidth === 0 || cssHeight === 0) {
      return;
    }

    const width = clamp(Math.round(cssWidth), 100, 7680);
    const height = clamp(Math.round(cssHeight), 100, 4320);
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
    const { frames } = this;
    const fps = frames.fps();
    const state = this.state;
    const latency = state === 'connected' && this.latencyMs !== null ? this.latencyMs : null;
    const viewport = frames.drawRect ? `${frames.drawRect.viewportWidth}×${frames.drawRect.viewportHeight}` : '—';
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
    data.frames = String(frames.framesDrawn);
    data.framesDropped = String(frames.framesDropped);
    window.operaStudio = window.operaStudio || {};
    window.operaStudio.live = {
      sessionId: this.sessionId,
      state,
      fps,
      latencyMs: latency,
      frames: frames.framesDrawn,
      framesDropped: frames.framesDropped,
      viewport,
    };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The agent

  /** "agent": hold back the user's input (the hub would refuse it); anything else: input flows again. */
  setControl(holder) {
    this.input.setPaused(holder === 'agent');
  }

  /** Outlines the element a pending approval targets ({tabId, x, y, width, height, label} in page CSS px), or null. */
  highlight(box) {
    this.frames.highlight(box);
  }

  /** A turn-taking hub method (RequestControl, GrantControl, ReleaseControl): null, or why it failed. */
  async turn(method, user) {
    if (!this.connected) {
      return `Not connected: the panel is ${this.state}.`;
    }

    try {
      await (method === 'GrantControl'
        ? this.connection.invoke(method, this.sessionId, user)
        : this.connection.invoke(method, this.sessionId));
      return null;
    } catch (error) {
      return hubMessage(error);
    }
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
    this.resizeObserver?.disconnect();
    this.dprQuery?.removeEventListener('change', this.onPixelRatio);
    this.canvas.removeEventListener('pointermove', this.onCanvasMove);
    this.input.dispose();
    this.pointers.dispose();
    this.frames.dispose();
    const connection = this.connection;
    this.connection = null;
    return connection?.stop().catch(() => {});
  }
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

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
