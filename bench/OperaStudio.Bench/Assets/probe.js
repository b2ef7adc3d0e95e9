// The bench's probe, added to every viewer page before its own scripts. It wraps CanvasRenderingContext2D.drawImage,
// which both viewers call once per decoded frame (the panel with an ImageBitmap, the baseline with an <img>), so it
// sees every frame the moment it is drawn: it counts draws on the live canvas and, while a sample is armed, reads one
// pixel after each draw until it shows the colour the click should produce. Times are the viewer page's clock.
(() => {
  if (window.__bench) {
    return;
  }

  const live = (canvas) => canvas.dataset.testid === 'browser-canvas' || canvas.id === 'baseline-canvas';
  const near = (d, rgb) => Math.abs(d[0] - rgb[0]) + Math.abs(d[1] - rgb[1]) + Math.abs(d[2] - rgb[2]) < 90;
  const bench = (window.__bench = {
    draws: 0,
    firstDrawAt: null,
    ignore: null,
    pending: null,
    armed: null,
    done: null,
  });

  const drawImage = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    const result = drawImage.apply(this, args);
    const canvas = this.canvas;
    if (canvas && live(canvas) && canvas !== bench.ignore) {
      const now = performance.now();
      bench.draws++;
      if (bench.firstDrawAt === null) {
        bench.firstDrawAt = now;
      }

      const a = bench.armed;
      if (a) {
        const d = this.getImageData(a.x, a.y, 1, 1).data;
        if (near(d, a.rgb)) {
          bench.armed = null;
          a.resolve(now - a.t0);
        }
      }
    }

    return result;
  };

  // t0: the viewer page receives the press (capture phase on window runs before the panel's own handler).
  addEventListener('pointerdown', () => {
    const p = bench.pending;
    if (p) {
      bench.pending = null;
      p.t0 = performance.now();
      bench.armed = p;
    }
  }, true);

  bench.canvas = () => document.querySelector('[data-testid="browser-canvas"], #baseline-canvas');

  /** Arms a sample: after the next press, wait for canvas pixel (x, y) to show rgb. */
  bench.arm = (x, y, rgb) => {
    let resolve;
    bench.done = new Promise((r) => (resolve = r));
    bench.pending = { x, y, rgb, resolve, t0: 0 };
  };

  /** The sample's input-to-pixel time in ms, or -1 after timeoutMs. */
  bench.wait = (timeoutMs) => Promise.race([bench.done, new Promise((r) => setTimeout(() => r(-1), timeoutMs))]).then((v) => {
    bench.pending = null;
    bench.armed = null;
    return v;
  });

  bench.pixel = (x, y) => {
    const c = bench.canvas();
    const d = c.getContext('2d').getImageData(x, y, 1, 1).data;
    return [d[0], d[1], d[2]];
  };

  /** Forget the first draw; draws on the canvas there now (the previous session's) no longer count. */
  bench.resetFirst = () => {
    bench.ignore = bench.canvas();
    bench.firstDrawAt = null;
  };

  /** Forget the first draw but keep counting this canvas (the baseline viewer reuses its canvas). */
  bench.resetFirstKeepCanvas = () => {
    bench.ignore = null;
    bench.firstDrawAt = null;
  };

  bench.counters = () => [bench.draws, performance.now()];
  bench.firstDrawEpoch = () => (bench.firstDrawAt === null ? null : performance.timeOrigin + bench.firstDrawAt);
})();
