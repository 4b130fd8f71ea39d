package io.unitcell.cell.order;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The JSON forms that are stored ({@code lines_json}) or hashed ({@link RequestHash}), written
 * field by field instead of by serialising a type, so renaming or adding a field anywhere cannot
 * change them. They are what Jackson's default serialisation of the API's request made until
 * 8dd5ac6, byte for byte ({@code RequestHashTest}).
 */
final class CanonicalJson {

  private static final JsonFactory FACTORY = new JsonFactory();

  private CanonicalJson() {}

  /** {@code {"currency":"CNY","lines":[...]}} with the lines as in {@link #lines}. */
  static String newOrder(NewOrder order) {
    return write(
        json -> {
          json.writeStartObject();
          json.writeStringField("currency", order.currency());
          json.writeFieldName("lines");
          writeLines(json, order.lines());
          json.writeEndObject();
        });
  }

  /** {@code [{"sku":"sku-1","quantity":2,"unitPriceCents":1999},...]}, in the order's order. */
  static String lines(List<NewOrder.Line> lines) {
    return write(json -> writeLines(json, lines));
  }

  /** {@code ["sku-1",2]}: a flash-sale buy, the SKU and the units. */
  static String flashSaleBuy(String sku, int quantity) {
    return write(
        json -> {
          json.writeStartArray();
          json.writeString(sku);
          json.writeNumber(quantity);
          json.writeEndArray();
        });
  }

  private static void writeLines(JsonGenerator json, List<NewOrder.Line> lines) throws IOException {
    json.writeStartArray();
    for (NewOrder.Line line : lines) {
      json.writeStartObject();
      json.writeStringField("sku", line.sku());
      json.writeNumberField("quantity", line.quantity());
      json.writeNumberField("unitPriceCents", line.unitPriceCents());
      json.writeEndObject();
    }
    json.writeEndArray();
  }

  private interface Body {
    void write(JsonGenerator json) throws IOException;
  }

  // to characters, not bytes: the same escaping as ObjectMapper.writeValueAsString
  private static String write(Body body) {
    StringWriter out = new StringWriter();
    try (JsonGenerator json = FACTORY.createGenerator(out)) {
      body.write(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
