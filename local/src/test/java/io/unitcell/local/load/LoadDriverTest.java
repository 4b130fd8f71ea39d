package io.unitcell.local.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.unitcell.local.load.LoadDriver.FlashAnswer;
import io.unitcell.local.load.LoadDriver.Op;
import io.unitcell.local.load.LoadDriver.Outcome;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The load's mix and how it counts answers, flash-sale ones in particular. */
class LoadDriverTest {

  static Map<Op, Integer> shares(boolean hasOrders, boolean flashSale) {
    Map<Op, Integer> shares = new EnumMap<>(Op.class);
    for (int dice = 0; dice < 100; dice++) {
      shares.merge(LoadDriver.pick(dice, hasOrders, flashSale), 1, Integer::sum);
    }
    return shares;
  }

  @Test
  void theMixWithoutAndWithAFlashSale() {
    assertThat(shares(true, false))
        .isEqualTo(Map.of(Op.CREATE, 40, Op.READ, 25, Op.LIST, 15, Op.PAY, 10, Op.CANCEL, 10));
    assertThat(shares(true, true))
        .isEqualTo(
            Map.of(
                Op.CREATE, 20, Op.FLASH, 20, Op.READ, 25, Op.LIST, 15, Op.PAY, 10, Op.CANCEL, 10));
    // a user without orders creates one, except for the flash-sale share, which stays 20 %
    assertThat(shares(false, false)).isEqualTo(Map.of(Op.CREATE, 100));
    assertThat(shares(false, true)).isEqualTo(Map.of(Op.CREATE, 80, Op.FLASH, 20));
    assertThat(LoadDriver.mix("phone-1")).contains("flash-sale buy of phone-1 20%");
  }

  @Test
  void flashSaleAnswers() {
    String accepted = "{\"orderId\":\"118251508872558400\",\"status\":\"PENDING\"}";
    assertThat(LoadDriver.classifyFlash(202, accepted)).isEqualTo(FlashAnswer.ACCEPTED);
    assertThat(LoadDriver.classifyFlash(200, accepted)).isEqualTo(FlashAnswer.ACCEPTED);
    assertThat(LoadDriver.classifyFlash(202, "{}")).isEqualTo(FlashAnswer.FAILED);
    assertThat(
            LoadDriver.classifyFlash(
                409, "{\"status\":409,\"error\":\"sold out: not enough phone-1 left for 1\"}"))
        .isEqualTo(FlashAnswer.SOLD_OUT);
    assertThat(
            LoadDriver.classifyFlash(
                409,
                "{\"status\":409,\"error\":\"a request with this Idempotency-Key is in progress;"
                    + " retry\"}"))
        .isEqualTo(FlashAnswer.RETRY);
    assertThat(LoadDriver.classifyFlash(409, "{\"error\":\"something else\"}"))
        .isEqualTo(FlashAnswer.FAILED);
    assertThat(LoadDriver.classifyFlash(503, "")).isEqualTo(FlashAnswer.RETRY);
    assertThat(LoadDriver.classifyFlash(429, "")).isEqualTo(FlashAnswer.RETRY);
    assertThat(LoadDriver.classifyFlash(-1, "")).isEqualTo(FlashAnswer.RETRY);
    assertThat(LoadDriver.classifyFlash(404, "no flash sale of x")).isEqualTo(FlashAnswer.FAILED);
    assertThat(LoadDriver.classifyFlash(422, "")).isEqualTo(FlashAnswer.FAILED);
    assertThat(LoadDriver.classifyFlash(421, "")).isEqualTo(FlashAnswer.FAILED);
  }

  @Test
  void howTheReportCountsAnswers() {
    assertThat(LoadDriver.outcome("flash", 202, "")).isEqualTo(new Outcome("202", true));
    assertThat(LoadDriver.outcome("flash", 409, "{\"error\":\"sold out: not enough\"}"))
        .isEqualTo(new Outcome("409 sold out", true));
    assertThat(LoadDriver.outcome("flash", 409, "{\"error\":\"... is in progress; retry\"}"))
        .isEqualTo(new Outcome("409 in progress", false));
    assertThat(LoadDriver.outcome("flash", 503, "")).isEqualTo(new Outcome("503", false));
    assertThat(LoadDriver.outcome("flash", 404, "")).isEqualTo(new Outcome("404", false));
    assertThat(LoadDriver.outcome("pay", 409, ""))
        .isEqualTo(new Outcome("409 (state conflict, expected)", true));
    assertThat(LoadDriver.outcome("create", 409, "")).isEqualTo(new Outcome("409", false));
    assertThat(LoadDriver.outcome("create", 201, "")).isEqualTo(new Outcome("201", true));
  }
}
