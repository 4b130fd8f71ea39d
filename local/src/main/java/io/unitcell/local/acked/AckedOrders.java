package io.unitcell.local.acked;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The acknowledged-orders file that {@code ./unitcell load} writes and {@code ./unitcell verify}
 * reads: a line per order the platform acknowledged, {@code ORDER_ID USER}, or {@code ORDER_ID USER
 * flash:SKU} for a flash-sale order acknowledged when it entered its cell's pipeline.
 */
public final class AckedOrders {

  private static final String FLASH_MARK = "flash:";

  /**
   * One acknowledged order.
   *
   * @param flashSku the flash sale's SKU, or null for an ordinary order
   */
  public record Order(String orderId, String userId, String flashSku) {

    public static Order ordinary(String orderId, String userId) {
      return new Order(orderId, userId, null);
    }

    public static Order flashSale(String orderId, String userId, String sku) {
      return new Order(orderId, userId, sku);
    }

    /** Its line in the file. */
    public String line() {
      return orderId + " " + userId + (flashSku == null ? "" : " " + FLASH_MARK + flashSku);
    }
  }

  /**
   * What a file says.
   *
   * @param users order id → its user
   * @param flashSkus order id → the SKU, for the flash-sale orders
   * @param duplicateLines lines naming an order a line before already named
   */
  public record Contents(
      Map<String, String> users, Map<String, String> flashSkus, int duplicateLines) {}

  private AckedOrders() {}

  /** Writes {@code orders}, a line each. */
  public static void write(Path file, Collection<Order> orders) throws IOException {
    Files.write(file, orders.stream().map(Order::line).toList(), StandardCharsets.UTF_8);
  }

  /**
   * Reads a file.
   *
   * @throws IllegalArgumentException naming the first line that is not of the file's form
   */
  public static Contents read(Path file) throws IOException {
    return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  /**
   * Parses lines {@code orderId userId [flash:<sku>]}; blank lines are skipped.
   *
   * @throws IllegalArgumentException naming the first line that is not of that form
   */
  public static Contents parse(List<String> lines) {
    Map<String, String> users = new TreeMap<>();
    Map<String, String> flashSkus = new TreeMap<>();
    int duplicates = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] parts = line.split("\\s+");
      boolean flash = parts.length == 3 && parts[2].startsWith(FLASH_MARK);
      if ((parts.length != 2 && !flash)
          || !parts[0].matches("\\d{1,19}")
          || (flash && parts[2].length() == FLASH_MARK.length())) {
        throw new IllegalArgumentException(
            "line "
                + (i + 1)
                + " is not 'ORDER_ID USER' or 'ORDER_ID USER flash:SKU': "
                + lines.get(i));
      }
      if (users.put(parts[0], parts[1]) != null) {
        duplicates++;
      }
      if (flash) {
        flashSkus.put(parts[0], parts[2].substring(FLASH_MARK.length()));
      }
    }
    return new Contents(users, flashSkus, duplicates);
  }
}
