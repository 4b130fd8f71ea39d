package io.unitcell.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CellResponseDecoderTest {

  private static final int MAX_BODY = 16 * 1024 * 1024;

  private static final String OK =
      "HTTP/1.1 200 OK\r\n"
          + "Content-Type: application/json\r\n"
          + "Connection: keep-alive\r\n"
          + "Keep-Alive: timeout=5\r\n"
          + "Content-Length: 17\r\n"
          + "X-Unitcell-Router-Epoch: 99\r\n"
          + "X-Other: a\r\n"
          + "\r\n"
          + "{\"cell\":\"cell-1\"}";

  private static final String OK_FORWARDED =
      "HTTP/1.1 200 OK\r\n"
          + "Content-Type: application/json\r\n"
          + "X-Other: a\r\n"
          + "X-Unitcell-Router-Epoch: 7\r\n"
          + "content-length: 17\r\n"
          + "\r\n"
          + "{\"cell\":\"cell-1\"}";

  private static final String CHUNKED =
      "HTTP/1.1 200 OK\r\n"
          + "Transfer-Encoding: chunked\r\n"
          + "Trailer: Trailer-A\r\n"
          + "\r\n"
          + "5;ext=1\r\nhello\r\n"
          + "6\r\n world\r\n"
          + "0\r\n"
          + "Trailer-A: x\r\n"
          + "\r\n";

  private static final String CHUNKED_FORWARDED =
      "HTTP/1.1 200 OK\r\n"
          + "X-Unitcell-Router-Epoch: 7\r\n"
          + "content-length: 11\r\n"
          + "\r\n"
          + "hello world";

  /** A channel with the decoder, and every input buffer, to check that all are released. */
  private static final class Cell {
    final CellResponseDecoder decoder;
    final EmbeddedChannel channel;
    final List<ByteBuf> inputs = new ArrayList<>();

    Cell(int maxBody) {
      decoder = new CellResponseDecoder(maxBody);
      channel = new EmbeddedChannel(decoder);
    }

    Cell() {
      this(MAX_BODY);
    }

    Cell send(String... pieces) {
      for (String piece : pieces) {
        ByteBuf buf = Unpooled.copiedBuffer(piece, StandardCharsets.ISO_8859_1);
        inputs.add(buf);
        channel.writeInbound(buf);
      }
      return this;
    }

    Cell close() {
      channel.close();
      return this;
    }

    List<CellResponse> answers() {
      List<CellResponse> answers = new ArrayList<>();
      for (Object answer; (answer = channel.readInbound()) != null; ) {
        answers.add((CellResponse) answer);
      }
      return answers;
    }

    CellResponse answer() {
      List<CellResponse> answers = answers();
      assertThat(answers).hasSize(1);
      return answers.get(0);
    }

    void assertAllReleased() {
      channel.finishAndReleaseAll();
      for (ByteBuf input : inputs) {
        assertThat(input.refCnt()).as("an input buffer still referenced").isZero();
      }
    }

    void assertClosedFor(String problem) {
      assertThat(answers()).isEmpty();
      assertThat(channel.isOpen()).isFalse();
      assertThat(decoder.failure()).contains(problem);
      assertAllReleased();
    }
  }

  /** The bytes the client gets, releasing the answer. */
  private static String forwarded(CellResponse answer, String epoch, boolean close) {
    ByteBuf head = answer.headForClient(epoch, close);
    ByteBuf rest = answer.bodyAfterHead();
    String text =
        head.toString(StandardCharsets.ISO_8859_1)
            + (rest == null ? "" : rest.toString(StandardCharsets.ISO_8859_1));
    head.release();
    if (rest != null) {
      rest.release();
    }
    return text;
  }

  private static String forwarded(CellResponse answer) {
    return forwarded(answer, "7", false);
  }

  @Test
  void theHeadIsForwardedAsItCameWithoutHopByHopHeadersAndWithTheRoutersOwn() {
    Cell cell = new Cell().send(OK);
    CellResponse answer = cell.answer();
    assertThat(answer.status).isEqualTo(200);
    assertThat(answer.reusable).isTrue();
    assertThat(forwarded(answer)).isEqualTo(OK_FORWARDED);
    cell.assertAllReleased();
  }

  @Test
  void everySplitOfTheBytesGivesTheSameAnswer() {
    for (String[] pair : new String[][] {{OK, OK_FORWARDED}, {CHUNKED, CHUNKED_FORWARDED}}) {
      String bytes = pair[0];
      for (int split = 1; split < bytes.length(); split++) {
        Cell cell = new Cell().send(bytes.substring(0, split), bytes.substring(split));
        assertThat(forwarded(cell.answer())).as("split at %d", split).isEqualTo(pair[1]);
        cell.assertAllReleased();
      }
      Cell cell = new Cell().send(bytes.split(""));
      assertThat(forwarded(cell.answer())).as("a byte at a time").isEqualTo(pair[1]);
      cell.assertAllReleased();
    }
  }

  @Test
  void aChunkedBodyArrivesWholeWithALengthAndWithoutItsTrailers() {
    Cell cell = new Cell().send(CHUNKED);
    assertThat(forwarded(cell.answer())).isEqualTo(CHUNKED_FORWARDED);
    cell.assertAllReleased();
  }

  @Test
  void transferEncodingWinsOverContentLength() {
    Cell cell =
        new Cell()
            .send(
                "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                    + "3\r\nabc\r\n0\r\n\r\n");
    assertThat(forwarded(cell.answer()))
        .isEqualTo("HTTP/1.1 200 OK\r\nX-Unitcell-Router-Epoch: 7\r\ncontent-length: 3\r\n\r\nabc");
    cell.assertAllReleased();
  }

  @Test
  void aBodyWithoutLengthEndsWithTheConnection() {
    Cell cell = new Cell().send("HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\nab", "c");
    assertThat(cell.answers()).isEmpty();
    CellResponse answer = cell.close().answer();
    assertThat(answer.reusable).isFalse();
    assertThat(forwarded(answer))
        .isEqualTo(
            "HTTP/1.1 200 OK\r\n"
                + "X-A: 1\r\n"
                + "X-Unitcell-Router-Epoch: 7\r\n"
                + "content-length: 3\r\n\r\n"
                + "abc");
    cell.assertAllReleased();

    // a transfer coding other than chunked last: the same
    cell = new Cell().send("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxyz").close();
    assertThat(forwarded(cell.answer())).endsWith("content-length: 3\r\n\r\nxyz");
    cell.assertAllReleased();
  }

  @Test
  void answersToHeadAnd304HaveNoBodyButKeepTheirLength() {
    Cell cell = new Cell();
    cell.decoder.expectAnswerTo(true);
    cell.send("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n");
    assertThat(forwarded(cell.answer()))
        .isEqualTo("HTTP/1.1 200 OK\r\nX-Unitcell-Router-Epoch: 7\r\ncontent-length: 500\r\n\r\n");
    // the next answer (to a GET) is read from the very next byte
    cell.send("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\nContent-Length: 40\r\n\r\n");
    assertThat(forwarded(cell.answer()))
        .isEqualTo(
            "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\nX-Unitcell-Router-Epoch: 7\r\n"
                + "content-length: 40\r\n\r\n");
    cell.send("HTTP/1.1 304 Not Modified\r\n\r\n", OK);
    List<CellResponse> answers = cell.answers();
    assertThat(answers).hasSize(2);
    assertThat(forwarded(answers.get(0)))
        .isEqualTo("HTTP/1.1 304 Not Modified\r\nX-Unitcell-Router-Epoch: 7\r\n\r\n");
    assertThat(forwarded(answers.get(1))).isEqualTo(OK_FORWARDED);
    cell.assertAllReleased();
  }

  @Test
  void a204HasNeitherBodyNorLength() {
    Cell cell = new Cell().send("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", OK);
    List<CellResponse> answers = cell.answers();
    assertThat(forwarded(answers.get(0)))
        .isEqualTo("HTTP/1.1 204 No Content\r\nX-Unitcell-Router-Epoch: 7\r\n\r\n");
    assertThat(forwarded(answers.get(1))).isEqualTo(OK_FORWARDED);
    cell.assertAllReleased();
  }

  @Test
  void interimAnswersAreSkipped() {
    Cell cell =
        new Cell()
            .send(
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                    + "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok");
    CellResponse answer = cell.answer();
    assertThat(answer.status).isEqualTo(201);
    assertThat(forwarded(answer)).startsWith("HTTP/1.1 201 Created\r\n").endsWith("\r\n\r\nok");
    cell.assertAllReleased();
  }

  @Test
  void connectionCloseAndHttp10WithoutKeepAliveEndTheConnectionToTheCell() {
    String body = "Content-Length: 2\r\n\r\nok";
    assertThat(reusable("HTTP/1.1 200 OK\r\nConnection: close\r\n" + body)).isFalse();
    assertThat(reusable("HTTP/1.1 200 OK\r\nConnection: Upgrade, CLOSE\r\n" + body)).isFalse();
    assertThat(reusable("HTTP/1.0 200 OK\r\n" + body)).isFalse();
    assertThat(reusable("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n" + body)).isTrue();
    assertThat(reusable("HTTP/1.1 200 OK\r\n" + body)).isTrue();
  }

  private static boolean reusable(String bytes) {
    Cell cell = new Cell().send(bytes);
    CellResponse answer = cell.answer();
    boolean reusable = answer.reusable;
    assertThat(forwarded(answer)).doesNotContainIgnoringCase("connection:").endsWith("\r\n\r\nok");
    cell.assertAllReleased();
    return reusable;
  }

  @Test
  void a421CarriesTheCellsEpoch() {
    Cell cell =
        new Cell()
            .send(
                "HTTP/1.1 421 Misdirected Request\r\nx-unitcell-epoch:  12 \r\n"
                    + "Content-Length: 2\r\n\r\n{}");
    CellResponse answer = cell.answer();
    assertThat(answer.status).isEqualTo(421);
    assertThat(answer.cellEpoch).isEqualTo("12");
    answer.release();
    cell.assertAllReleased();
  }

  @Test
  void bareLineFeedsAreForwardedAsCrlf() {
    Cell cell = new Cell().send("HTTP/1.1 200 OK\nX-A: 1\r\nX-B: 2\nContent-Length: 2\n\nok");
    assertThat(forwarded(cell.answer()))
        .isEqualTo(
            "HTTP/1.1 200 OK\r\nX-A: 1\r\nX-B: 2\r\nX-Unitcell-Router-Epoch: 7\r\n"
                + "content-length: 2\r\n\r\nok");
    cell.assertAllReleased();
  }

  @Test
  void theClientsLastAnswerSaysConnectionClose() {
    Cell cell = new Cell().send(OK);
    assertThat(forwarded(cell.answer(), "3", true))
        .isEqualTo(
            OK_FORWARDED
                .replace("X-Unitcell-Router-Epoch: 7", "X-Unitcell-Router-Epoch: 3")
                .replace("\r\n\r\n", "\r\nconnection: close\r\n\r\n"));
    cell.assertAllReleased();
  }

  @Test
  void anHttp10ClientThatAskedForKeepAliveIsToldItsConnectionStays() {
    Cell cell = new Cell().send(OK);
    ByteBuf head = cell.answer().headForClient("7", false, true);
    assertThat(head.toString(StandardCharsets.ISO_8859_1))
        .isEqualTo(OK_FORWARDED.replace("\r\n\r\n", "\r\nconnection: keep-alive\r\n\r\n"));
    head.release();
    cell.assertAllReleased();
  }

  @Test
  void largeBodiesFollowTheHeadAsTheyArrived() {
    String body = "x".repeat(CellResponse.INLINE_BODY + 1);
    Cell cell =
        new Cell().send("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
    CellResponse answer = cell.answer();
    ByteBuf head = answer.headForClient("1", false);
    ByteBuf rest = answer.bodyAfterHead();
    assertThat(head.toString(StandardCharsets.ISO_8859_1)).endsWith("content-length: 1025\r\n\r\n");
    assertThat(rest.toString(StandardCharsets.ISO_8859_1)).isEqualTo(body);
    head.release();
    rest.release();
    cell.assertAllReleased();
  }

  @Test
  void answersBackToBackInOneReadAreReadOneByOne() {
    Cell cell = new Cell().send(OK + CHUNKED + OK);
    List<CellResponse> answers = cell.answers();
    assertThat(answers).hasSize(3);
    assertThat(forwarded(answers.get(0))).isEqualTo(OK_FORWARDED);
    assertThat(forwarded(answers.get(1))).isEqualTo(CHUNKED_FORWARDED);
    assertThat(forwarded(answers.get(2))).isEqualTo(OK_FORWARDED);
    cell.assertAllReleased();
  }

  @Test
  void aLargeHeadUnderTheLimitPassesInSmallPieces() {
    StringBuilder bytes = new StringBuilder("HTTP/1.1 200 OK\r\n");
    while (bytes.length() < CellResponseDecoder.MAX_HEAD - 200) {
      bytes
          .append("X-Filler-")
          .append(bytes.length())
          .append(": ")
          .append("v".repeat(80))
          .append("\r\n");
    }
    bytes.append("Content-Length: 2\r\n\r\nok");
    String text = bytes.toString();
    List<String> pieces = new ArrayList<>();
    for (int i = 0; i < text.length(); i += 100) {
      pieces.add(text.substring(i, Math.min(text.length(), i + 100)));
    }
    Cell cell = new Cell().send(pieces.toArray(String[]::new));
    String forwarded = forwarded(cell.answer());
    assertThat(forwarded)
        .startsWith(text.substring(0, text.indexOf("Content-Length")))
        .endsWith("content-length: 2\r\n\r\nok");
    cell.assertAllReleased();
  }

  @Test
  void aHeadOverTheLimitClosesTheConnection() {
    String filler = "X-Filler: " + "v".repeat(1000) + "\r\n";
    // not ended yet, already too long
    new Cell().send("HTTP/1.1 200 OK\r\n" + filler.repeat(21)).assertClosedFor("head over");
    // ended in one piece
    new Cell()
        .send("HTTP/1.1 200 OK\r\n" + filler.repeat(21) + "Content-Length: 0\r\n\r\n")
        .assertClosedFor("head over");
  }

  @Test
  void bodiesOverTheLimitCloseTheConnection() {
    new Cell(100)
        .send("HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n")
        .assertClosedFor("Content-Length 101 over 100");
    new Cell(100)
        .send(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n32\r\n" + "x".repeat(50) + "\r\n")
        .send("33\r\n")
        .assertClosedFor("body over 100");
    new Cell(100)
        .send("HTTP/1.1 200 OK\r\n\r\n", "x".repeat(60), "x".repeat(60))
        .assertClosedFor("body over 100");
  }

  @Test
  void malformedAnswersCloseTheConnection() {
    String[][] cases = {
      {"HTTP/2 200 OK\r\n\r\n", "not an HTTP/1.x status line"},
      {"garbage\r\n\r\n", "not an HTTP/1.x status line"},
      {"HTTP/1.2 200 OK\r\n\r\n", "not an HTTP/1.0 or HTTP/1.1"},
      {"HTTP/1.1 2x0 OK\r\n\r\n", "no status code"},
      {"HTTP/1.1 099 Low\r\n\r\n", "no status code"},
      {"\r\nHTTP/1.1 200 OK\r\n\r\n", "not an HTTP/1.x status line"},
      {"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "without a name and colon"},
      {"HTTP/1.1 200 OK\r\n: no name\r\n\r\n", "without a name and colon"},
      {"HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n", "obsolete line folding"},
      {"HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\nx", "whitespace between"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx", "two different"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nxx", "list of different ones"},
      {"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n", "not a number"},
      {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "not a number"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n", "not a number"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456789\r\n\r\n", "not a number"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "malformed chunk size"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", "malformed chunk size"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", "longer than its size"},
      {"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", "101"},
    };
    for (String[] c : cases) {
      Cell cell = new Cell().send(c[0]);
      assertThat(cell.channel.isOpen()).as(c[0]).isFalse();
      cell.assertClosedFor(c[1]);
    }
  }

  @Test
  void listsOfTheSameLengthAreOneLength() {
    Cell cell =
        new Cell().send("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok");
    assertThat(forwarded(cell.answer())).endsWith("content-length: 2\r\n\r\nok");
    cell.assertAllReleased();
  }

  @Test
  void anAnswerCutShortGivesNothing() {
    Cell cell = new Cell().send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc").close();
    assertThat(cell.answers()).isEmpty();
    cell.assertAllReleased();
    cell = new Cell().send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab").close();
    assertThat(cell.answers()).isEmpty();
    cell.assertAllReleased();
  }
}
