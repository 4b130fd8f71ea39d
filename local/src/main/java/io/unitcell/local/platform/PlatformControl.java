package io.unitcell.local.platform;

import io.unitcell.local.control.Control;
import io.unitcell.local.manifest.Manifests;
import io.unitcell.local.switchover.LocalSwitchover;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/** The control API of a running platform: status, down, kills, flash sales, switchovers. */
final class PlatformControl implements Control {

  /** How long a request following a switchover waits for its next line. */
  private static final Duration PROGRESS_WAIT = Duration.ofSeconds(10);

  private final Platform platform;
  private final FlashSaleOpener flashSales;
  private final Runnable down;
  private final Consumer<String> say;

  PlatformControl(
      Platform platform, FlashSaleOpener flashSales, Runnable down, Consumer<String> say) {
    this.platform = platform;
    this.flashSales = flashSales;
    this.down = down;
    this.say = say;
  }

  @Override
  public Answer status() {
    return new Answer(200, StatusReport.of(platform));
  }

  @Override
  public Answer down() {
    return new Answer(202, "stopping\n", down);
  }

  @Override
  public Answer kill(String name) {
    Instance instance = platform.instances().get(name);
    if (instance == null) {
      return new Answer(
          404,
          "no instance "
              + name
              + "; instances: "
              + platform.instances().all().stream().map(Instance::name).toList()
              + "\n");
    }
    instance.app().kill();
    say.accept("instance " + instance.name() + " killed (SIGKILL)");
    return new Answer(200, "killed " + instance.name() + "\n");
  }

  @Override
  public Answer openFlashSale(String path, String rawQuery) {
    try {
      return flashSales.open(path, rawQuery);
    } catch (IOException e) {
      return new Answer(500, "flash sale: the ledger could not be written: " + e + "\n");
    }
  }

  @Override
  public Answer startSwitchover(String cell, String toZone) {
    Optional<Manifests.Cell> known = platform.manifest().findCell(cell);
    if (known.isEmpty()) {
      return noSuchCell(cell);
    }
    try {
      return new Answer(202, platform.switchovers().start(known.get(), toZone).progress());
    } catch (IllegalArgumentException e) {
      return new Answer(400, e.getMessage() + "\n");
    } catch (IllegalStateException e) {
      return new Answer(409, e.getMessage() + "\n");
    } catch (Exception e) {
      return new Answer(500, "switchover not started: " + e + "\n");
    }
  }

  @Override
  public Answer switchover(String cell, int after) {
    if (platform.manifest().findCell(cell).isEmpty()) {
      return noSuchCell(cell);
    }
    Optional<LocalSwitchover> latest = platform.switchovers().latest(cell);
    if (latest.isEmpty()) {
      return new Answer(404, "no switchover of " + cell + " yet\n");
    }
    try {
      LocalSwitchover.Progress progress = latest.get().awaitProgress(after, PROGRESS_WAIT);
      return new Answer(200, "phase " + progress.phase() + "\n" + progress.lines());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(503, "interrupted\n");
    }
  }

  private Answer noSuchCell(String cell) {
    return new Answer(
        404,
        "no cell "
            + cell
            + "; cells: "
            + platform.manifest().cells().stream().map(Manifests.Cell::name).toList()
            + "\n");
  }
}
