package io.unitcell.infra.vitess;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/** Runs slow, independent steps (reparents, shutdowns) side by side. */
final class Parallel {

  private Parallel() {}

  /** Runs {@code action} for every item on its own thread; rethrows the first failure. */
  static <T> void forEach(Collection<T> items, Consumer<T> action) {
    if (items.isEmpty()) {
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(items.size());
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (T item : items) {
        futures.add(pool.submit(() -> action.accept(item)));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      pool.shutdownNow();
    }
  }
}
