// The user's input on the live view: pointer, wheel and keyboard on the canvas, paste, and copy/cut of the remote
// selection, in the page's CSS pixels. Mouse moves and wheel turns are coalesced to one per animation frame; focus
// leaving the canvas lets go of every key and button. While the agent holds control nothing is sent (the hub would
// refuse it). Imported by BrowserPanel.razor.js (served as a static web asset by OperaStudio.Web.csproj).

import { clamp } from './BrowserPanel.frames.js';

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

// PointerEvent.button → the hub's button names; PointerEvent.buttons bits match CDP's.
const BUTTON_NAMES = ['left', 'middle', 'right', 'back', 'forward'];

const segmenter = typeof Intl !== 'undefined' && Intl.Segmenter ? new Intl.Segmenter() : null;

export class InputCapture {
  /**
   * @param root the panel (Ctrl+L anywhere in it goes to the address bar).
   * @param canvas the live view's canvas, where input is captured.
   * @param frames the FrameView: where the page is drawn, to map pointers to page pixels.
   * @param hub {send(method, ...args), invoke(method, ...args) → Promise}: the hub connection, when connected.
   */
  constructor(root, canvas, frames, hub) {
    this.root = root;
    this.canvas = canvas;
    this.frames = frames;
    this.hub = hub;
    this.paused = false;
    this.hasTurn = true;
    this.pendingMove = null;
    this.pendingWheel = null;
    this.flushScheduled = 0;
    this.pressedKeys = new Map();
    this.lastDown = null;
    this.buttonsDown = 0;
    this.listeners = [];
  }

  install() {
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

  listen(target, type, handler, options) {
    target.addEventListener(type, handler, options);
    this.listeners.push(() => target.removeEventListener(type, handler, options));
  }

  /** True: hold back the user's input (the agent acts); false: input flows again. */
  setPaused(paused) {
    if (paused === this.paused) {
      return;
    }

    if (paused) {
      this.releaseAll(); // Let go of what is held while it still can be sent.
      this.pendingMove = null;
      this.pendingWheel = null;
    }

    this.paused = paused;
    this.canvas.dataset.input = paused ? 'paused' : 'live';
  }

  /**
   * False while someone else has control of a shared session: moves are not sent as input (they would only be
   * refused; the pointer reaches the others through MovePointer), but presses and keys still are, so the person is
   * told why nothing happens.
   */
  setTurn(hasTurn) {
    if (!hasTurn && this.hasTurn) {
      this.releaseAll();
      this.pendingMove = null;
      this.pendingWheel = null;
    }

    this.hasTurn = hasTurn;
    this.canvas.dataset.turn = hasTurn ? 'mine' : 'other';
  }

  send(method, ...args) {
    if (!this.hasTurn && method === 'Pointer' && args[0] === 'move') {
      return;
    }

    if (this.paused) {
      this.canvas.dataset.inputLost = `${method}: held back while the agent has control`;
    } else {
      this.hub.send(method, ...args);
    }
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
    const p = this.frames.toPage(e);
    if (!p) {
      return;
    }

    try {
      this.canvas.setPointerCapture(e.pointerId);
    } catch {
      // Synthetic events have no capturable pointer.
    }

    this.flush();
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
    const p = this.frames.toPage(e);
    if (!p || this.buttonsDown === 0) {
      return;
    }

    this.flush();
    const button = BUTTON_NAMES[e.button] ?? 'left';
    const clickCount = this.lastDown?.count ?? 1;
    this.buttonsDown = e.buttons;
    this.send('Pointer', 'up', p.x, p.y, button, e.buttons & 31, e.type === 'pointercancel' ? 0 : clickCount, modifiers(e));
  }

  /** Moves are coalesced: at most one waits per animation frame, and it carries the latest position. */
  onPointerMove(e) {
    const p = this.frames.toPage(e);
    if (!p) {
      return;
    }

    this.pendingMove = { x: p.x, y: p.y, buttons: e.buttons & 31, modifiers: modifiers(e) };
    this.scheduleFlush();
  }

  onWheel(e) {
    e.preventDefault();
    const p = this.frames.toPage(e);
    if (!p) {
      return;
    }

    let dx = e.deltaX;
    let dy = e.deltaY;
    if (e.deltaMode === 1) {
      dx *= 40;
      dy *= 40;
    } else if (e.deltaMode === 2) {
      dx *= this.frames.drawRect.viewportWidth;
      dy *= this.frames.drawRect.viewportHeight;
    }

    const w = this.pendingWheel;
    this.pendingWheel = { x: p.x, y: p.y, dx: (w?.dx ?? 0) + dx, dy: (w?.dy ?? 0) + dy, modifiers: modifiers(e) };
    this.scheduleFlush();
  }

  scheduleFlush() {
    if (!this.flushScheduled) {
      this.flushScheduled = requestAnimationFrame(() => {
        this.flushScheduled = 0;
        this.flush();
      });
    }
  }

  /** Sends what waits for the next animation frame now (before a press, so events stay in order). */
  flush() {
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
    try {
      const text = await this.hub.invoke('CopySelection');
      if (text) {
        await navigator.clipboard.writeText(text);
        this.root.dataset.lastCopy = String(text.length);
      }
    } catch {
      // Not connected, no clipboard permission, or the page went away: nothing to copy.
    }
  }

  onPaste(e) {
    if (document.activeElement !== this.canvas) {
      return;
    }

    e.preventDefault();
    const text = e.clipboardData?.getData('text/plain');
    if (text && !this.paused) {
      this.hub.invoke('InsertText', text.length > MAX_PASTE ? text.slice(0, MAX_PASTE) : text).catch(() => {});
    }
  }

  /** Focus left the canvas: let go of every key and button, so nothing stays pressed in the remote page. */
  releaseAll() {
    for (const k of this.pressedKeys.values()) {
      this.send('Key', 'up', k.key, k.code || '', k.keyCode || 0, 0, clamp(k.location || 0, 0, 3), false);
    }

    this.pressedKeys.clear();
    if (this.buttonsDown && this.frames.drawRect) {
      const last = this.lastDown;
      const at = this.pendingMove ?? last?.page ?? { x: 0, y: 0 };
      this.send('Pointer', 'up', at.x, at.y, last?.button ?? 'left', 0, 1, 0);
      this.buttonsDown = 0;
    }
  }

  dispose() {
    cancelAnimationFrame(this.flushScheduled);
    this.listeners.forEach((remove) => remove());
    this.listeners = [];
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
