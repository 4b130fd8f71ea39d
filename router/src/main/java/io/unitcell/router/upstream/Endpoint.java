package io.unitcell.router.upstream;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One instance of a cell ({@code host:port}) and what the router knows about its health: passive
 * outlier detection (consecutive connection failures or time-outs eject it for a while, longer each
 * time in a row) and the active health check's verdict.
 */
public final class Endpoint {

  private static final int MAX_DOUBLINGS = 8;

  private final String address;
  private final String host;
  private final int port;
  private final int ejectAfter;
  private final long ejectNanos;
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private volatile long ejectedUntil;
  private volatile boolean ejected;
  private volatile int ejectionsInARow;
  private volatile boolean activeHealthy = true;
  private volatile int failedChecks;

  Endpoint(String address, int ejectAfter, long ejectNanos) {
    this.address = address;
    int colon = address.lastIndexOf(':');
    String h = address.substring(0, colon);
    this.host = h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
    this.port = Integer.parseInt(address.substring(colon + 1));
    this.ejectAfter = ejectAfter;
    this.ejectNanos = ejectNanos;
  }

  public String address() {
    return address;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** Whether requests may go here: not ejected (or its time is up) and passing health checks. */
  public boolean isUsable(long nowNanos) {
    if (ejected && nowNanos - ejectedUntil >= 0) {
      ejected = false;
    }
    return !ejected && activeHealthy;
  }

  public boolean isEjected() {
    return ejected && System.nanoTime() - ejectedUntil < 0;
  }

  public boolean isActiveHealthy() {
    return activeHealthy;
  }

  /** A request was answered: the failure streak ends. */
  public void onSuccess() {
    if (consecutiveFailures.get() != 0) {
      consecutiveFailures.set(0);
    }
    if (ejectionsInARow != 0 && !ejected) {
      ejectionsInARow = 0;
    }
  }

  /**
   * A connection could not be made, broke, or timed out.
   *
   * @return true when this failure ejected the endpoint
   */
  public boolean onFailure(long nowNanos) {
    if (consecutiveFailures.incrementAndGet() < ejectAfter) {
      return false;
    }
    synchronized (this) {
      if ((ejected && nowNanos - ejectedUntil < 0) || consecutiveFailures.get() < ejectAfter) {
        return false; // already out, or another thread just ejected it
      }
      int doublings = Math.min(ejectionsInARow, MAX_DOUBLINGS);
      ejectedUntil = nowNanos + (ejectNanos << doublings);
      ejectionsInARow++;
      ejected = true;
      consecutiveFailures.set(0);
      return true;
    }
  }

  /**
   * The active check's result. A passing check does not end an ejection early: an endpoint that
   * answers its health check but fails requests stays out for its time.
   *
   * @return true when this changed the verdict
   */
  public boolean onCheck(boolean passed, int unhealthyAfter) {
    if (passed) {
      failedChecks = 0;
      boolean changed = !activeHealthy;
      activeHealthy = true;
      return changed;
    }
    failedChecks++;
    if (failedChecks >= unhealthyAfter && activeHealthy) {
      activeHealthy = false;
      return true;
    }
    return false;
  }

  @Override
  public String toString() {
    return address;
  }
}
