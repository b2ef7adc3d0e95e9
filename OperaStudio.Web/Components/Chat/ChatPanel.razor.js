// The chat column's behaviour that belongs in the browser: the transcript follows new content while the user is at
// its end (and stays put when they scrolled up to read), Enter sends and Shift+Enter starts a new line, and the
// column can be resized by dragging its left edge (the width is remembered in localStorage).

const STICK_SLOP_PX = 48;
const MIN_WIDTH = 320;
const MAX_WIDTH = 720;
const MIN_PANEL_WIDTH = 420;
const WIDTH_KEY = 'operaStudio.chatWidth';

export function attach(column, transcript) {
  const chat = new ChatColumn(column, transcript);
  chat.start();
  return {
    stickToEnd: () => chat.stickToEnd(),
    dispose: () => chat.dispose(),
  };
}

class ChatColumn {
  constructor(column, transcript) {
    this.column = column;
    this.transcript = transcript;
    this.stick = true;
    this.listeners = [];
  }

  start() {
    this.listen(this.transcript, 'scroll', () => {
      const t = this.transcript;
      this.stick = t.scrollHeight - t.scrollTop - t.clientHeight < STICK_SLOP_PX;
    }, { passive: true });

    // New messages, steps and streamed text: follow them if the user is at the end.
    this.observer = new MutationObserver(() => this.follow());
    this.observer.observe(this.transcript, { childList: true, subtree: true, characterData: true });
    // Thumbnails change the height when they load.
    this.listen(this.transcript, 'load', () => this.follow(), true);

    this.listen(this.column, 'keydown', (e) => this.onKeyDown(e), true);
    this.installResize();
    this.follow();
  }

  listen(target, type, handler, options) {
    target.addEventListener(type, handler, options);
    this.listeners.push(() => target.removeEventListener(type, handler, options));
  }

  follow() {
    if (this.stick) {
      this.transcript.scrollTop = this.transcript.scrollHeight;
    }
  }

  stickToEnd() {
    this.stick = true;
    this.follow();
  }

  /** Enter in the message box sends (a click on Send, so Blazor sees the text first); Shift+Enter is a new line. */
  onKeyDown(e) {
    const input = e.target;
    if (e.key !== 'Enter' || e.shiftKey || e.isComposing || e.keyCode === 229 || e.altKey || e.ctrlKey || e.metaKey) {
      return;
    }

    if (!(input instanceof HTMLTextAreaElement || input instanceof HTMLInputElement) || !input.closest('.chat-input')) {
      return;
    }

    e.preventDefault();
    const send = this.column.querySelector('[data-testid="chat-send"]');
    if (send && !send.disabled) {
      this.stickToEnd();
      send.click();
    }
  }

  installResize() {
    const handle = this.column.querySelector('[data-chat-resize]');
    if (!handle) {
      return;
    }

    const saved = Number(localStorage.getItem(WIDTH_KEY));
    if (saved >= MIN_WIDTH && saved <= MAX_WIDTH) {
      this.column.style.width = `${saved}px`;
    }

    let drag = null;
    this.listen(handle, 'pointerdown', (e) => {
      e.preventDefault();
      handle.setPointerCapture(e.pointerId);
      drag = { x: e.clientX, width: this.column.getBoundingClientRect().width };
      this.column.classList.add('resizing');
    });
    this.listen(handle, 'pointermove', (e) => {
      if (!drag) {
        return;
      }

      const limit = Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, window.innerWidth - MIN_PANEL_WIDTH));
      const width = Math.round(Math.min(limit, Math.max(MIN_WIDTH, drag.width + drag.x - e.clientX)));
      this.column.style.width = `${width}px`;
    });
    const end = () => {
      if (!drag) {
        return;
      }

      drag = null;
      this.column.classList.remove('resizing');
      localStorage.setItem(WIDTH_KEY, String(Math.round(this.column.getBoundingClientRect().width)));
    };
    this.listen(handle, 'pointerup', end);
    this.listen(handle, 'pointercancel', end);
    // A double click goes back to the default width.
    this.listen(handle, 'dblclick', () => {
      this.column.style.width = '';
      localStorage.removeItem(WIDTH_KEY);
    });
  }

  dispose() {
    this.observer?.disconnect();
    this.listeners.forEach((remove) => remove());
    this.listeners = [];
  }
}
