// Play / pause over frames 0 … last at a rate in frames per second.  The frame follows the
// clock, so a slow draw skips frames instead of slowing the animation down.

import { t } from "./i18n.js";

export class Player {
  /**
   * button: the play/pause button; frame(): the frame shown; last(): the last frame;
   * show(k): draw frame k; rate(): frames per second; stopped(): called on pause.
   */
  constructor({ button, frame, last, show, rate, stopped = () => {} }) {
    Object.assign(this, { button, frame, last, show, rate, stopped });
    this.playing = false;
    button.addEventListener("click", () => (this.playing ? this.pause() : this.play()));
  }

  play() {
    if (this.frame() >= this.last()) this.show(0);
    this.playing = true;
    this.relabel();
    let position = this.frame();
    let before = performance.now();
    const tick = (now) => {
      if (!this.playing) return;
      position += ((now - before) / 1000) * this.rate();
      before = now;
      const frame = Math.min(this.last(), Math.floor(position));
      if (frame !== this.frame()) this.show(frame);
      if (frame >= this.last()) this.pause();
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  pause() {
    if (!this.playing) return;
    this.playing = false;
    this.relabel();
    this.stopped();
  }

  relabel() {
    this.button.textContent = this.playing ? t("pause") : t("play");
  }
}
