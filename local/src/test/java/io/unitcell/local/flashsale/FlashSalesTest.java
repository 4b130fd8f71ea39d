package io.unitcell.local.flashsale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor's flash-sale control request, the cell request it makes, and the ledger. */
class FlashSalesTest {

  @Test
  void aSaleIsOpenedWithTheDefaultStockUnlessTheRequestNamesOne() {
    assertThat(FlashSales.parse("/flash-sales/phone-1", null))
        .isEqualTo(new FlashSales.Opening("phone-1", FlashSales.DEFAULT_STOCK));
    assertThat(FlashSales.parse("/flash-sales/phone-1", ""))
        .isEqualTo(new FlashSales.Opening("phone-1", 1000));
    assertThat(FlashSales.parse("/flash-sales/Tea_2.x", "stock=5"))
        .isEqualTo(new FlashSales.Opening("Tea_2.x", 5));
    assertThat(FlashSales.parse("/flash-sales/phone-1", "stock=0").stock()).isZero();
  }

  @Test
  void badRequestsAreRefusedWithTheReason() {
    assertThatThrownBy(() -> FlashSales.parse("/flash-sales/", null))
        .hasMessageContaining("SKU ''");
    assertThatThrownBy(() -> FlashSales.parse("/flash-sales/a/b", null))
        .hasMessageContaining("SKU 'a/b'");
    assertThatThrownBy(() -> FlashSales.parse("/flash-sales/" + "x".repeat(65), null))
        .hasMessageContaining("1-64 letters");
    assertThatThrownBy(() -> FlashSales.parse("/flash-sales/phone-1", "stock=-1"))
        .hasMessageContaining("outside 0-");
    assertThatThrownBy(() -> FlashSales.parse("/flash-sales/phone-1", "stock=lots"))
        .hasMessageContaining("'lots' is not a whole number");
    assertThatThrownBy(() -> FlashSales.parse("/flash-sales/phone-1", "stock=100000001"))
        .hasMessageContaining("outside");
    assertThatThrownBy(() -> FlashSales.parse("/flash-sales/phone-1", "price=1"))
        .hasMessageContaining("unknown parameter 'price'");
    assertThatThrownBy(() -> FlashSales.parse("/other/phone-1", null))
        .hasMessageContaining("POST /flash-sales/<sku>");
  }

  @Test
  void theCellRequestCarriesEveryFieldTheAdminApiTakes() throws Exception {
    JsonNode body =
        new ObjectMapper().readTree(new FlashSales.Opening("phone-1", 25).adminRequestBody());
    assertThat(body.path("stock").asLong()).isEqualTo(25);
    assertThat(body.path("unitPriceCents").asLong()).isEqualTo(9900);
    assertThat(body.path("currency").asText()).isEqualTo("CNY");
    assertThat(body.path("maxQuantity").asInt()).isEqualTo(1);
    assertThat(body.path("subKeys").asInt()).isEqualTo(8);
    assertThat(body.size()).isEqualTo(5);
  }

  @Test
  void anOpenedCellIsDescribedFromItsAnswer() {
    FlashSales.Opening opening = new FlashSales.Opening("phone-1", 25);
    assertThat(
            FlashSales.describeOpened(
                "cell-1",
                "cell-1-zone-a",
                opening,
                "{\"sale\":{\"sku\":\"phone-1\"},\"remaining\":25,\"pipelineBacklog\":3}"))
        .isEqualTo(
            "cell-1: opened 25 units at 99.00 CNY, 1 per order"
                + " (through cell-1-zone-a; 25 left, pipeline backlog 3)");
    assertThat(FlashSales.describeOpened("cell-1", "cell-1-zone-a", opening, "oops"))
        .endsWith("(through cell-1-zone-a; answer not JSON: oops)");
  }

  @Test
  void theLedgerAddsUpEveryOpeningPerCellAndSurvivesAWriteAndARead(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("flash-sales.json");
    assertThat(FlashSales.Ledger.read(file).units()).isEmpty();

    FlashSales.Ledger.read(file).plus("phone-1", Map.of("cell-1", 10L, "cell-2", 10L)).write(file);
    FlashSales.Ledger.read(file).plus("phone-1", Map.of("cell-1", 5L)).write(file);
    FlashSales.Ledger.read(file).plus("tea-2", Map.of("cell-2", 7L)).write(file);

    FlashSales.Ledger ledger = FlashSales.Ledger.read(file);
    assertThat(ledger.of("phone-1")).contains(Map.of("cell-1", 15L, "cell-2", 10L));
    assertThat(ledger.of("tea-2")).contains(Map.of("cell-2", 7L));
    assertThat(ledger.of("other")).isEmpty();
    assertThat(Files.list(dir)).containsExactly(file); // no temporary file left behind
  }
}
