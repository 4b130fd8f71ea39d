package io.unitcell.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;

/**
 * A cell's answer as {@link CellResponseDecoder} read it: the head as bytes, already without
 * hop-by-hop headers, {@code Content-Length} and {@code Transfer-Encoding}, and the whole body
 * (de-chunked). {@link #headForClient} adds what the router says.
 */
final class CellResponse {

  /** Bodies up to this size are copied behind the head: one buffer to write instead of two. */
  static final int INLINE_BODY = 1024;

  private static final byte[] EPOCH = ascii(Headers.EPOCH + ": ");
  private static final byte[] CONTENT_LENGTH = ascii("content-length: ");
  private static final byte[] CONNECTION_CLOSE = ascii("connection: close\r\n");
  private static final byte[] CONNECTION_KEEP_ALIVE = ascii("connection: keep-alive\r\n");
  private static final short CRLF = ('\r' << 8) | '\n';

  final int status;
  private final ByteBuf head;
  private final ByteBuf body;
  private final long contentLength;
  final boolean reusable;
  final String cellEpoch;
  private boolean inlined;

  /**
   * @param head the status line and the header lines to forward, each ending in CRLF, without the
   *     empty line that ends the head
   * @param contentLength the {@code Content-Length} to send: the body's length, the cell's own for
   *     an answer without body (HEAD, 304), or -1 for none
   * @param reusable whether the connection to the cell may carry another request
   * @param cellEpoch the cell's {@code X-Unitcell-Epoch} of a 421, else null
   */
  CellResponse(
      int status,
      ByteBuf head,
      ByteBuf body,
      long contentLength,
      boolean reusable,
      String cellEpoch) {
    this.status = status;
    this.head = head;
    this.body = body;
    this.contentLength = contentLength;
    this.reusable = reusable;
    this.cellEpoch = cellEpoch;
  }

  ByteBuf body() {
    return body;
  }

  /** Releases head and body (for an answer that is not forwarded). */
  void release() {
    head.release();
    if (!inlined) {
      body.release();
    }
  }

  /**
   * The head for the client, ending this response's use of its head: the cell's header lines, the
   * router's epoch header, {@code Content-Length}, {@code Connection: close} when the client's
   * connection ends here, the empty line, and a small body copied behind it (see {@link
   * #bodyAfterHead}).
   *
   * @param epoch the epoch of the routing table used
   * @param close whether the client's connection is closed after this answer
   */
  ByteBuf headForClient(CharSequence epoch, boolean close) {
    return headForClient(epoch, close, false);
  }

  /**
   * {@link #headForClient(CharSequence, boolean)}, saying {@code Connection: keep-alive} when
   * {@code keepAlive} (to an HTTP/1.0 client that asked for it: it assumes a close otherwise).
   */
  ByteBuf headForClient(CharSequence epoch, boolean close, boolean keepAlive) {
    ByteBuf out = head;
    out.writeBytes(EPOCH);
    ByteBufUtil.writeAscii(out, epoch);
    out.writeShort(CRLF);
    if (contentLength >= 0) {
      out.writeBytes(CONTENT_LENGTH);
      writeDecimal(out, contentLength);
      out.writeShort(CRLF);
    }
    if (close) {
      out.writeBytes(CONNECTION_CLOSE);
    } else if (keepAlive) {
      out.writeBytes(CONNECTION_KEEP_ALIVE);
    }
    out.writeShort(CRLF);
    int length = body.readableBytes();
    if (length <= INLINE_BODY) {
      out.writeBytes(body);
      body.release();
      inlined = true;
    }
    return out;
  }

  /** The body to write after {@link #headForClient}'s head, or null when it went with it. */
  ByteBuf bodyAfterHead() {
    return inlined ? null : body;
  }

  static void writeDecimal(ByteBuf out, long value) {
    if (value < 10) {
      out.writeByte('0' + (int) value);
      return;
    }
    writeDecimal(out, value / 10);
    out.writeByte('0' + (int) (value % 10));
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
