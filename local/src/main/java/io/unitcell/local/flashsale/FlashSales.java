package io.unitcell.local.flashsale;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Flash sales in the local runtime. The supervisor's control request {@code POST
 * /flash-sales/<sku>?stock=N} opens (or resets) a sale in every cell through one live instance of
 * it (the cell's {@code PUT /admin/flash-sales/{sku}}: the router does not forward {@code /admin});
 * the terms are fixed here: {@value #DEFAULT_STOCK} units per cell unless told otherwise, 99.00 CNY
 * a unit, one unit per order, stock spread over {@value #SUB_KEYS} cache sub-keys. Every opening is
 * added to the {@link Ledger} ({@code .unitcell/flash-sales.json}) that {@code ./unitcell verify}
 * checks the stored flash-sale orders against.
 */
public final class FlashSales {

  /** Units per cell when the request names no stock. */
  public static final long DEFAULT_STOCK = 1000;

  /** More than a local machine could ever sell; a typo guard. */
  public static final long MAX_STOCK = 10_000_000;

  public static final long UNIT_PRICE_CENTS = 9900;
  public static final String CURRENCY = "CNY";
  public static final int MAX_QUANTITY = 1;
  public static final int SUB_KEYS = 8;

  /** What cell-app accepts as a SKU. */
  private static final Pattern SKU = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private static final ObjectMapper JSON = new ObjectMapper();

  private FlashSales() {}

  /** A sale to open: which SKU, how many units in each cell. */
  public record Opening(String sku, long stock) {

    /** The body of the cell's {@code PUT /admin/flash-sales/{sku}}. */
    public String adminRequestBody() {
      return String.format(
          "{\"stock\":%d,\"unitPriceCents\":%d,\"currency\":\"%s\",\"maxQuantity\":%d,"
              + "\"subKeys\":%d}",
          stock, UNIT_PRICE_CENTS, CURRENCY, MAX_QUANTITY, SUB_KEYS);
    }
  }

  /**
   * The opening asked for by a control request: {@code path} is {@code /flash-sales/<sku>}, {@code
   * query} (raw, may be null) may hold {@code stock=N}.
   *
   * @throws IllegalArgumentException with the reason, for the caller to answer 400
   */
  public static Opening parse(String path, String query) {
    String prefix = "/flash-sales/";
    if (path == null || !path.startsWith(prefix)) {
      throw new IllegalArgumentException("POST /flash-sales/<sku>?stock=N");
    }
    String sku = checkSku(path.substring(prefix.length()));
    long stock = DEFAULT_STOCK;
    if (query != null && !query.isEmpty()) {
      for (String parameter : query.split("&")) {
        int eq = parameter.indexOf('=');
        String name = eq < 0 ? parameter : parameter.substring(0, eq);
        String value = eq < 0 ? "" : parameter.substring(eq + 1);
        if (!name.equals("stock")) {
          throw new IllegalArgumentException("unknown parameter '" + name + "' (only stock=N)");
        }
        stock = parseStock(value);
      }
    }
    return new Opening(sku, stock);
  }

  /** The SKU, if cell-app would take it. */
  public static String checkSku(String sku) {
    if (sku == null || !SKU.matcher(sku).matches()) {
      throw new IllegalArgumentException(
          "SKU '" + sku + "': 1-64 letters, digits or . _ - (e.g. phone-1)");
    }
    return sku;
  }

  /** Units per cell: a whole number 0 to {@value #MAX_STOCK}. */
  public static long parseStock(String text) {
    long stock;
    try {
      stock = Long.parseLong(text == null ? "" : text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("stock '" + text + "' is not a whole number");
    }
    if (stock < 0 || stock > MAX_STOCK) {
      throw new IllegalArgumentException("stock " + stock + " per cell is outside 0-" + MAX_STOCK);
    }
    return stock;
  }

  /**
   * One line for a cell whose instance answered {@code 200} to the opening, from the cell's answer
   * ({@code {"sale": {...}, "remaining", "pipelineBacklog"}}).
   */
  public static String describeOpened(
      String cell, String instance, Opening opening, String answer) {
    String left;
    try {
      JsonNode view = JSON.readTree(answer);
      left =
          view.path("remaining").asText("?")
              + " left, pipeline backlog "
              + view.path("pipelineBacklog").asText("?");
    } catch (IOException e) {
      left = "answer not JSON: " + answer.strip();
    }
    return String.format(
        "%s: opened %d units at %d.%02d %s, %d per order (through %s; %s)",
        cell,
        opening.stock(),
        UNIT_PRICE_CENTS / 100,
        UNIT_PRICE_CENTS % 100,
        CURRENCY,
        MAX_QUANTITY,
        instance,
        left);
  }

  /**
   * Units put on sale since {@code up}, per SKU and cell: the sum over every opening. An opening
   * resets a cell's stock to its amount, so a cell can never have sold more of a SKU than this sum;
   * with one opening the bound is exact.
   */
  public record Ledger(Map<String, Map<String, Long>> units) {

    private static final TypeReference<TreeMap<String, TreeMap<String, Long>>> TYPE =
        new TypeReference<>() {};

    /** The ledger in {@code file}; empty when there is no file (no sale opened since up). */
    public static Ledger read(Path file) {
      if (!Files.exists(file)) {
        return new Ledger(Map.of());
      }
      try {
        return new Ledger(Map.copyOf(JSON.readValue(file.toFile(), TYPE)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the flash-sale ledger " + file, e);
      }
    }

    /** This ledger with {@code openedByCell} (cell → units) added to the SKU's totals. */
    public Ledger plus(String sku, Map<String, Long> openedByCell) {
      Map<String, Map<String, Long>> next = new TreeMap<>();
      units.forEach((s, cells) -> next.put(s, new TreeMap<>(cells)));
      Map<String, Long> cells = next.computeIfAbsent(sku, s -> new TreeMap<>());
      openedByCell.forEach((cell, stock) -> cells.merge(cell, stock, Long::sum));
      return new Ledger(next);
    }

    /** Units of {@code sku} put on sale in each cell, if it was ever opened. */
    public Optional<Map<String, Long>> of(String sku) {
      return Optional.ofNullable(units.get(sku));
    }

    /** Written to a temporary file and moved: a reader never sees half of it. */
    public void write(Path file) throws IOException {
      Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(
          temporary,
          JSON.writerWithDefaultPrettyPrinter().writeValueAsString(new TreeMap<>(units)),
          StandardCharsets.UTF_8);
      Files.move(
          temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  }
}
