package io.unitcell.local.control;

/**
 * What the supervisor's control API does, as {@link ControlServer} serves it on loopback and {@link
 * ControlClient} asks for it. Each call answers a status code and a text body.
 */
public interface Control {

  /**
   * An answer: an HTTP status code and a text body, a line per item; {@code afterReply} runs once
   * it was sent.
   */
  record Answer(int code, String body, Runnable afterReply) {
    public Answer(int code, String body) {
      this(code, body, () -> {});
    }
  }

  /** {@code GET /status}: cells, zones, states, epoch, slots, instances and their health. */
  Answer status();

  /** {@code POST /down}: stops the platform once the answer is sent. */
  Answer down();

  /** {@code POST /instances/<name>/kill}: SIGKILL of one cell-app instance (drills). */
  Answer kill(String instance);

  /**
   * {@code POST /flash-sales/<sku>?stock=N}: opens (or resets) a flash sale in every cell.
   *
   * @param path the request's path, {@code /flash-sales/<sku>}
   * @param rawQuery the request's query, may be null
   */
  Answer openFlashSale(String path, String rawQuery);

  /** {@code POST /cells/<cell>/switchover[?to=ZONE]}: starts a planned switchover. */
  Answer startSwitchover(String cell, String toZone);

  /**
   * {@code GET /cells/<cell>/switchover?after=N}: the phase ({@code phase X}) and progress lines,
   * once there are more than N of them or it has ended (at most a few seconds later).
   */
  Answer switchover(String cell, int after);
}
