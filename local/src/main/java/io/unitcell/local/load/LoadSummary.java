package io.unitcell.local.load;

import java.util.Map;

/**
 * What a load run measured, for a program that runs loads (the platform benchmark): latencies in
 * nanoseconds over every answer, the errors by operation and outcome (e.g. {@code create 503}).
 */
public record LoadSummary(
    double seconds,
    long sent,
    long ok,
    long errors,
    long retries,
    long notSent,
    long p50Nanos,
    long p99Nanos,
    long p999Nanos,
    long maxNanos,
    Map<String, Long> errorsByOutcome,
    int acked) {

  public double achievedRps() {
    return sent / seconds;
  }
}
