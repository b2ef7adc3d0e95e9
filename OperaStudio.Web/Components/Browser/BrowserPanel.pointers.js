// The other participants' pointers over the canvas, and this person's pointer sent to them. Positions travel in the
// page's CSS pixels (the same for everyone, whatever the size of their panel) and are drawn in this canvas's scale,
// so a pointer sits on the same spot of the page in every panel.

const SEND_INTERVAL_MS = 50; // ~20 a second: smooth enough to follow, well under the hub's limit per person.
// The hub drops a position that arrives within ~33 ms of the last one, and network jitter can bunch two sent 50 ms
// apart: once the pointer rests, where it rests is sent once more, so the others never keep a stale spot.
const SETTLE_MS = 150;

export class SharedPointers {
  /**
   * @param layer the element over the canvas (same box) that the pointers are placed in.
   * @param frames the FrameView: where the page is drawn, to map page pixels to the canvas and back.
   * @param send (x, y) → sends this person's pointer (MovePointer) when connected.
   */
  constructor(layer, frames, send) {
    this.layer = layer;
    this.frames = frames;
    this.send = send;
    this.pointers = new Map(); // user → { el, x, y }
    this.others = 0;
    this.lastSent = 0;
    this.pending = null;
    this.timer = 0;
    this.settleTimer = 0;
  }

  /** Participants changed: forget the pointers of those who left; send ours only while someone else watches. */
  presence(participants, me) {
    const here = new Set(participants.map((p) => p.User));
    for (const [user, pointer] of this.pointers) {
      if (!here.has(user)) {
        pointer.el.remove();
        this.pointers.delete(user);
      }
    }

    this.others = participants.filter((p) => p.User !== me).length;
  }

  /** Our own pointer moved over the canvas (a DOM event): throttled, the latest position wins. */
  moved(event) {
    if (this.others === 0) {
      return;
    }

    const p = this.frames.toPage(event);
    if (!p) {
      return;
    }

    this.pending = p;
    const wait = SEND_INTERVAL_MS - (performance.now() - this.lastSent);
    if (wait <= 0) {
      this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), wait);
    }
  }

  flush() {
    this.timer = 0;
    const p = this.pending;
    if (p) {
      this.lastSent = performance.now();
      this.send(p.x, p.y);
      this.pending = null;
      clearTimeout(this.settleTimer);
      this.settleTimer = setTimeout(() => this.send(p.x, p.y), SETTLE_MS);
    }
  }

  /** Someone else's pointer, in page CSS px. */
  show(user, color, x, y) {
    let pointer = this.pointers.get(user);
    if (!pointer) {
      pointer = { el: createPointer(user) };
      this.pointers.set(user, pointer);
      this.layer.appendChild(pointer.el);
    }

    pointer.x = x;
    pointer.y = y;
    pointer.el.style.setProperty('--pointer-color', color);
    this.place(pointer);
  }

  /** The page was drawn at another place or scale (resize, new viewport): move every pointer with it. */
  layout() {
    for (const pointer of this.pointers.values()) {
      this.place(pointer);
    }
  }

  place(pointer) {
    const d = this.frames.drawRect;
    if (!d) {
      pointer.el.hidden = true;
      return;
    }

    const left = d.x + (pointer.x * d.width) / d.viewportWidth;
    const top = d.y + (pointer.y * d.height) / d.viewportHeight;
    pointer.el.hidden = false;
    pointer.el.style.transform = `translate(${Math.round(left * 100) / 100}px, ${Math.round(top * 100) / 100}px)`;
    pointer.el.dataset.pageX = String(pointer.x);
    pointer.el.dataset.pageY = String(pointer.y);
  }

  dispose() {
    clearTimeout(this.timer);
    clearTimeout(this.settleTimer);
    for (const pointer of this.pointers.values()) {
      pointer.el.remove();
    }

    this.pointers.clear();
  }
}

/** A small arrow in the participant's colour (set as --pointer-color) with their name beside it. */
function createPointer(user) {
  const el = document.createElement('div');
  el.className = 'remote-pointer';
  el.dataset.testid = 'remote-pointer';
  el.dataset.user = user;
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 16 20');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '20');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', 'M1 1 L1 16 L5 12 L8 19 L11 17.6 L8 11 L14 11 Z');
  svg.appendChild(path);
  const name = document.createElement('span');
  name.className = 'remote-pointer-name';
  name.textContent = user;
  el.append(svg, name);
  return el;
}
