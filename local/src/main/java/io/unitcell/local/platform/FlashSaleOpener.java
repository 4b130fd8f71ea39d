package io.unitcell.local.platform;

import io.unitcell.local.control.Control;
import io.unitcell.local.flashsale.FlashSales;
import io.unitcell.local.manifest.Manifests;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Opens (or resets) a flash sale of a SKU in every cell, through one live instance of each (the
 * stock lives in the cell's own Infinispan, shared by its instances; the router does not forward
 * the cells' {@code /admin} API), and adds what was opened to the ledger ({@link
 * io.unitcell.local.state.LocalState#flashSalesFile()}) that verify checks against.
 */
final class FlashSaleOpener {

  private final Platform platform;
  private final HttpClient http;
  private final Consumer<String> say;

  FlashSaleOpener(Platform platform, HttpClient http, Consumer<String> say) {
    this.platform = platform;
    this.http = http;
    this.say = say;
  }

  /**
   * A line per cell: {@code 200} when every cell opened it, {@code 502} when one could not (the
   * line says why), {@code 400} for a bad request.
   */
  synchronized Control.Answer open(String path, String rawQuery) throws IOException {
    FlashSales.Opening opening;
    try {
      opening = FlashSales.parse(path, rawQuery);
    } catch (IllegalArgumentException e) {
      return new Control.Answer(400, "flash sale not opened: " + e.getMessage() + "\n");
    }
    StringBuilder answer = new StringBuilder();
    Map<String, Long> opened = new TreeMap<>();
    for (Manifests.Cell cell : platform.manifest().cells()) {
      answer.append(openIn(cell.name(), opening, opened)).append('\n');
    }
    if (!opened.isEmpty()) {
      // read, add, write: one opening at a time (this method is synchronized)
      Path ledger = platform.state().flashSalesFile();
      FlashSales.Ledger.read(ledger).plus(opening.sku(), opened).write(ledger);
    }
    boolean all = opened.size() == platform.manifest().cells().size();
    say.accept(
        "flash sale "
            + opening.sku()
            + ": "
            + opening.stock()
            + " units per cell, opened in "
            + opened.keySet()
            + (all ? "" : " only"));
    return new Control.Answer(all ? 200 : 502, answer.toString());
  }

  /**
   * Opens the sale in {@code cell} through its live instances, the active one first; another
   * instance is tried only when one did not answer or answered 5xx (a 4xx would be the same
   * anywhere). Returns the line for the answer; {@code opened} gets the cell when it worked.
   */
  private String openIn(String cell, FlashSales.Opening opening, Map<String, Long> opened) {
    List<Instance> live =
        platform.instances().ofCell(cell).stream()
            .filter(Instance::isAlive)
            .sorted((a, b) -> Boolean.compare(b.active(), a.active()))
            .toList();
    if (live.isEmpty()) {
      return cell + ": NOT opened: no live instance";
    }
    List<String> failures = new ArrayList<>();
    for (Instance instance : live) {
      try {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://"
                                + instance.endpoint()
                                + "/admin/flash-sales/"
                                + opening.sku()))
                    .header("Content-Type", "application/json")
                    .header("X-Unitcell-Router-Secret", platform.state().routerSecret())
                    .PUT(HttpRequest.BodyPublishers.ofString(opening.adminRequestBody()))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          opened.put(cell, opening.stock());
          return FlashSales.describeOpened(cell, instance.name(), opening, response.body());
        }
        failures.add(
            instance.name() + " answered " + response.statusCode() + " " + response.body().strip());
        if (response.statusCode() < 500) {
          break;
        }
      } catch (IOException e) {
        failures.add(instance.name() + " did not answer: " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failures.add("interrupted");
        break;
      }
    }
    return cell + ": NOT opened: " + String.join("; ", failures);
  }
}
