package io.unitcell.cell.order;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The request hashes stored with every used idempotency key ({@code idempotency_keys.request_hash},
 * flash-sale claims and queue entries) and the stored form of order lines ({@code lines_json}),
 * pinned to the values the code of 8dd5ac6 produced. A retry is recognised by its hash: if one of
 * these changes, a client retrying with a key stored before the change gets {@code 422} instead of
 * its order. Some cases cannot pass the API's validation (zero or huge quantities, escapes); they
 * pin the format all the same. Only the helpers at the end follow the code under test.
 */
class RequestHashTest {

  @Test
  void aNewOrderHashesAsItDidWhenItsKeyWasStored() {
    assertThat(hash("CNY", line("sku-1", 2, 1999), line("sku-2", 1, 500)))
        .isEqualTo("24389fb358ac617b196e32f0dc43a9f5dff920f6a5ab95eb390e66d4f451eea3");
    assertThat(hash("CNY", line("sku-2", 1, 500), line("sku-1", 2, 1999)))
        .isEqualTo("1757e87edffd26881328ced71e0babfe866ef305a9e5f8e21123c318eae0d452");
    assertThat(hash("USD", line("sku-1", 2, 1999), line("sku-2", 1, 500)))
        .isEqualTo("4b37cf4bb4a5ae4fbd699cf532e444101977ca46ad9850c9aa6757b2364ee9b9");
    assertThat(hash("EUR", line("gift.card_1", 1, 0)))
        .isEqualTo("67eee7a0e77678763161f8b564f2abe5aaaedf43e3e1001056dd38bca08f2887");
    assertThat(hash("JPY", line("A", 10_000, 100_000_000)))
        .isEqualTo("aee7efa333af93aa2e1c3c0c5644e479e9feeb07d190f4ce9c6bf4889b352606");
    assertThat(hash("CNY", fiftyLines()))
        .isEqualTo("32e58eee9be4d8dc52cb6ba4932629abafdbcbb411e9ec903e304a23bf624c17");
  }

  @Test
  void unusualValuesHashAsTheyDidToo() {
    assertThat(hash("CNY", line("sku-1", 0, 1999)))
        .isEqualTo("0106a19050ff29da0885c020176c257d080326fa77e131c86edd15a74f925ebd");
    assertThat(hash("CNY", line("sku-1", Integer.MAX_VALUE, Long.MAX_VALUE)))
        .isEqualTo("fd50834a1712dce79ad0c23163b2f421918b5b35f041204f6860b890761afd09");
    assertThat(hash("CNY", line("手机-🙂-é", 1, 1)))
        .isEqualTo("1ecbe59ba4b61e0567c930019483699d44f848a6a929fc154a5057bfd03f0781");
    assertThat(hash("CNY", line("a\"b\\c/d\n\t\u0001\u2028", 1, 1)))
        .isEqualTo("ceb2ec10b96cfc1ac9c8e6fa53de082ec8c721274cbd7b4c52a034195fb46f5d");
  }

  @Test
  void aFlashSaleBuyHashesAsItDidWhenItsClaimWasStored() {
    assertThat(buyHash("sku-1", 1))
        .isEqualTo("1a135e48566d2b310410f0026eb9322477774893f4711eb16366e0c7bf4d6c1c");
    assertThat(buyHash("sku-1", 2))
        .isEqualTo("5518c2265d658b326a7e6f1f9060c0eeb1ff5e1b9ca5549878c3d09165148f7c");
    assertThat(buyHash("sku-1", 100))
        .isEqualTo("0f341475535b5badd5eedf1a5efbd7b115bff2576fcecd7a896e295ae439c48a");
    assertThat(buyHash("flash-phone", 0))
        .isEqualTo("ab921136e1a1355ee8a16ce289bebe240f73879383bbf3bfc67f1c7da92a901f");
    assertThat(buyHash("手机-🙂", 1))
        .isEqualTo("3ea1c251703511970181bc66b9dec4f7dd6c94e2ec8f58329016af55be45741e");
    assertThat(buyHash("a\"b\\c/d\n", 1))
        .isEqualTo("d41a02f35207c934824e941f3bf63a33532ecbf44eee7f74060ad75397d7d1f5");
  }

  @Test
  void linesAreStoredInTheFormOlderRowsHave() {
    assertThat(linesJson(line("sku-1", 2, 1999), line("sku-2", 1, 500)))
        .isEqualTo(
            "[{\"sku\":\"sku-1\",\"quantity\":2,\"unitPriceCents\":1999},"
                + "{\"sku\":\"sku-2\",\"quantity\":1,\"unitPriceCents\":500}]");
    assertThat(linesJson(line("手机-🙂-é", 1, 1)))
        .isEqualTo("[{\"sku\":\"手机-🙂-é\",\"quantity\":1,\"unitPriceCents\":1}]");
    assertThat(linesJson(line("a\"b\\c/d\n\t\u0001\u2028", 1, 1)))
        .isEqualTo(
            "[{\"sku\":\"a\\\"b\\\\c/d\\n\\t\\u0001\u2028\",\"quantity\":1,\"unitPriceCents\":1}]");
  }

  private static NewOrder.Line[] fiftyLines() {
    return IntStream.rangeClosed(1, 50)
        .mapToObj(i -> line("sku-" + i, i, 100L * i))
        .toArray(NewOrder.Line[]::new);
  }

  // the helpers: the code under test (RequestHash and CanonicalJson of the domain's NewOrder)

  private static NewOrder.Line line(String sku, int quantity, long unitPriceCents) {
    return new NewOrder.Line(sku, quantity, unitPriceCents);
  }

  private static String hash(String currency, NewOrder.Line... lines) {
    return RequestHash.of(new NewOrder(currency, List.of(lines)));
  }

  private static String buyHash(String sku, int quantity) {
    return RequestHash.ofFlashSaleBuy(sku, quantity);
  }

  private static String linesJson(NewOrder.Line... lines) {
    return CanonicalJson.lines(List.of(lines));
  }
}
