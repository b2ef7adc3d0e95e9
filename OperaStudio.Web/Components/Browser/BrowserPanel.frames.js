// The live view's pictures: frames decoded one at a time (the newest waiting one replaces any older, which is
// acknowledged unseen), drawn to fit the canvas at the device's pixel density; where a pointer is in the page's
// CSS pixels; and the outline of the element a step waiting for approval targets, kept over the drawn page.
// Imported by BrowserPanel.razor.js (served as a static web asset by OperaStudio.Web.csproj).

const LETTERBOX = '#020617'; // The theme's background (OperaTheme.cs), where the page does not fill the canvas.

export class FrameView {
  /**
   * @param canvas the <canvas> drawn on; its data-* attributes tell tests where the page is drawn.
   * @param layer the element the highlight is placed in (it covers the canvas).
   * @param ack called once per frame, drawn or skipped, so the server's window of frames in flight moves on.
   * @param onFirstFrame called once, when the first frame is on the canvas.
   * @param onLayout called when the page is drawn at another place or scale (things kept over it move along).
   */
  constructor(canvas, layer, { ack, onFirstFrame, onLayout }) {
    this.canvas = canvas;
    this.layer = layer;
    this.ack = ack;
    this.onFirstFrame = onFirstFrame;
    this.onLayout = onLayout;
    this.ctx = canvas.getContext('2d', { alpha: false, desynchronized: true });
    this.disposed = false;

    this.decoding = false;
    this.pending = null;
    this.bitmap = null;
    this.frameInfo = null;
    /** Where the page is drawn in the canvas (CSS px) and the page size it shows; null before the first frame. */
    this.drawRect = null;
    this.firstFrame = false;
    this.framesDrawn = 0;
    this.framesDropped = 0;
    this.drawTimes = [];
    this.cssWidth = 0;
    this.cssHeight = 0;

    this.highlightBox = null;
    this.highlightEl = null;
    this.highlightKey = '';
  }

  /** The canvas's CSS size, read again (after a resize or a pixel ratio change). */
  measure() {
    this.cssWidth = this.canvas.clientWidth;
    this.cssHeight = this.canvas.clientHeight;
  }

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
      this.onFirstFrame();
    }
  }

  /** Frames drawn in the last second. */
  fps() {
    const now = performance.now();
    while (this.drawTimes.length && now - this.drawTimes[0] > 1000) {
      this.drawTimes.shift();
    }

    return this.drawTimes.length;
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
      ctx.fillStyle = LETTERBOX;
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
      this.onLayout?.();
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
      this.layer.appendChild(el);
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

  dispose() {
    this.disposed = true;
    this.bitmap?.close();
    this.bitmap = null;
    this.highlightEl?.remove();
    this.highlightEl = null;
  }
}

export function clamp(value, min, max) {
  return Math.min(max, Math.max(min, value));
}

export function round2(value) {
  return Math.round(value * 100) / 100;
}
