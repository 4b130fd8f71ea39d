package io.unitcell.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.Arrays;
import java.util.List;

/**
 * What reading HTTP/1.1 messages as bytes shares on both sides (RFC 9112): finding the end of a
 * head, remembering which of its lines to forward and copying them in runs, and reading a body
 * whole by its framing ({@code Content-Length}, chunked with trailers dropped, or up to the
 * connection's end). A subclass reads the head ({@link #readHead}) and makes the message ({@link
 * #complete}); anything malformed or too large ends in {@link #fail}, after which the connection's
 * bytes are ignored.
 */
abstract class HttpBytesDecoder extends ByteToMessageDecoder {

  static final byte CR = '\r';
  static final byte LF = '\n';
  static final short CRLF = (CR << 8) | LF;

  private static final int MAX_CHUNK_LINE = 4 * 1024;

  /** How the body is framed, after the head. */
  enum Framing {
    NONE,
    FIXED,
    CHUNKED,
    UNTIL_CLOSE
  }

  private enum State {
    HEAD,
    FIXED,
    CHUNK_SIZE,
    CHUNK_DATA,
    CHUNK_END,
    TRAILERS,
    UNTIL_CLOSE,
    FAILED
  }

  private final int maxHead;
  final int maxBody;
  private State state = State.HEAD;

  /** Bytes of the head under way already searched for its end. */
  private int scanned;

  /** Line ranges of the head to copy: start, length; a negative length means "then add CRLF". */
  private int[] ranges = new int[32];

  private int rangeCount;
  private ByteBuf body;
  private long remaining;
  private int trailerBytes;
  private String failure;

  HttpBytesDecoder(int maxHead, int maxBody) {
    this.maxHead = maxHead;
    this.maxBody = maxBody;
  }

  /**
   * Reads the head that ends at {@code end} (the index after its empty line) and consumes it; then
   * {@link #startBody} (or {@link #fail}, or nothing for a head to skip).
   */
  abstract void readHead(ChannelHandlerContext ctx, ByteBuf in, int end, List<Object> out);

  /** The whole message is there: {@code body} (owned by the callee from now). */
  abstract void complete(ByteBuf body, boolean untilClose, List<Object> out);

  /** The bytes are not HTTP, or over a limit; the connection's further bytes are ignored. */
  abstract void failed(ChannelHandlerContext ctx, String problem, boolean tooLarge);

  /** Drops a message under way (its head copy). */
  abstract void clearMessage();

  @Override
  protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (true) {
      switch (state) {
        case HEAD -> {
          int end = headEnd(in);
          if (end < 0) {
            if (in.readableBytes() > maxHead) {
              fail(ctx, in, "a head over " + maxHead + " bytes", true);
            }
            return;
          }
          if (end - in.readerIndex() > maxHead) {
            fail(ctx, in, "a head over " + maxHead + " bytes", true);
            return;
          }
          int outSize = out.size();
          readHead(ctx, in, end, out);
          if (state == State.FAILED || out.size() > outSize) {
            return; // one message per call: the decoder loop calls again for more
          }
        }
        case FIXED -> {
          if (body == null && in.readableBytes() >= remaining) {
            ByteBuf whole = in.readRetainedSlice((int) remaining); // the usual case: no copy
            finish(whole, false, out);
            return;
          }
          if (!in.isReadable()) {
            return;
          }
          if (body == null) {
            body = ctx.alloc().buffer((int) remaining);
          }
          int n = (int) Math.min(remaining, in.readableBytes());
          body.writeBytes(in, n);
          remaining -= n;
          if (remaining == 0) {
            ByteBuf whole = body;
            body = null;
            finish(whole, false, out);
          }
          return;
        }
        case CHUNK_SIZE -> {
          if (!readChunkSize(ctx, in)) {
            return;
          }
        }
        case CHUNK_DATA -> {
          int n = (int) Math.min(remaining, in.readableBytes());
          if (n == 0) {
            return;
          }
          body.writeBytes(in, n);
          remaining -= n;
          if (remaining > 0) {
            return;
          }
          state = State.CHUNK_END;
        }
        case CHUNK_END -> {
          int lf = in.indexOf(in.readerIndex(), in.writerIndex(), LF);
          if (lf < 0) {
            if (in.readableBytes() > 1) {
              fail(ctx, in, "chunk data longer than its size", false);
            }
            return;
          }
          if (lineEnd(in, in.readerIndex(), lf) != in.readerIndex()) {
            fail(ctx, in, "chunk data longer than its size", false);
            return;
          }
          in.readerIndex(lf + 1);
          state = State.CHUNK_SIZE;
        }
        case TRAILERS -> {
          if (!skipTrailers(ctx, in)) {
            return;
          }
          ByteBuf whole = body;
          body = null;
          finish(whole, false, out);
          return;
        }
        case UNTIL_CLOSE -> {
          if (body.readableBytes() + in.readableBytes() > maxBody) {
            fail(ctx, in, "a body over " + maxBody + " bytes", true);
            return;
          }
          body.writeBytes(in);
          return;
        }
        case FAILED -> {
          in.skipBytes(in.readableBytes());
          return;
        }
        default -> throw new IllegalStateException(state.toString());
      }
    }
  }

  @Override
  protected final void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (in.isReadable()) {
      decode(ctx, in, out);
    }
    if (state == State.UNTIL_CLOSE) {
      ByteBuf whole = body;
      body = null;
      finish(whole, true, out); // the connection's end is the body's end
    }
  }

  @Override
  protected final void handlerRemoved0(ChannelHandlerContext ctx) {
    clear();
  }

  /** Why the connection's bytes were given up, for tests; null while they were not. */
  final String failure() {
    return failure;
  }

  /** The body after a head that {@link #readHead} consumed; {@code length} for {@code FIXED}. */
  final void startBody(ChannelHandlerContext ctx, Framing framing, long length, List<Object> out) {
    switch (framing) {
      case NONE -> finish(Unpooled.EMPTY_BUFFER, false, out);
      case FIXED -> {
        if (length == 0) {
          finish(Unpooled.EMPTY_BUFFER, false, out);
        } else {
          remaining = length;
          state = State.FIXED;
        }
      }
      case CHUNKED -> {
        body = ctx.alloc().buffer(256);
        state = State.CHUNK_SIZE;
      }
      case UNTIL_CLOSE -> {
        body = ctx.alloc().buffer(256);
        state = State.UNTIL_CLOSE;
      }
      default -> throw new IllegalStateException(framing.toString());
    }
  }

  /** An interim head was consumed: the next head follows. */
  final void skipHead() {
    scanned = 0;
    rangeCount = 0;
  }

  private void finish(ByteBuf whole, boolean untilClose, List<Object> out) {
    state = State.HEAD;
    scanned = 0;
    rangeCount = 0;
    remaining = 0;
    trailerBytes = 0;
    complete(whole, untilClose, out);
  }

  final void fail(ChannelHandlerContext ctx, ByteBuf in, String problem, boolean tooLarge) {
    clear();
    state = State.FAILED;
    in.skipBytes(in.readableBytes());
    failure = problem;
    failed(ctx, problem, tooLarge);
  }

  private void clear() {
    clearMessage();
    if (body != null) {
      body.release();
      body = null;
    }
  }

  // ---- the head

  /** The index after the empty line ending the head, or -1 when it has not arrived yet. */
  private int headEnd(ByteBuf in) {
    int start = in.readerIndex();
    int from = start + scanned;
    int limit = in.writerIndex();
    while (true) {
      int lf = in.indexOf(from, limit, LF);
      if (lf < 0) {
        scanned = from - start;
        return -1;
      }
      if (from > start && lineEnd(in, from, lf) == from) {
        scanned = 0;
        return lf + 1;
      }
      from = lf + 1;
    }
  }

  /** Marks a line to be forwarded; runs of CRLF-ended lines are copied in one piece. */
  final void keep(int start, int lineEnd, int lf) {
    boolean crlf = lineEnd == lf - 1;
    if (crlf
        && rangeCount > 0
        && ranges[rangeCount - 1] > 0
        && ranges[rangeCount - 2] + ranges[rangeCount - 1] == start) {
      ranges[rangeCount - 1] += lf + 1 - start;
      return;
    }
    if (rangeCount == ranges.length) {
      ranges = Arrays.copyOf(ranges, ranges.length * 2);
    }
    ranges[rangeCount++] = start;
    ranges[rangeCount++] = crlf ? lf + 1 - start : -(lineEnd - start);
  }

  /** The kept lines (each ending in CRLF), with {@code room} bytes more capacity. */
  final ByteBuf copyKept(ByteBufAllocator alloc, ByteBuf in, int room) {
    int size = room;
    for (int i = 1; i < rangeCount; i += 2) {
      size += Math.abs(ranges[i]) + 2;
    }
    ByteBuf copy = alloc.buffer(size);
    for (int i = 0; i < rangeCount; i += 2) {
      int length = ranges[i + 1];
      if (length > 0) {
        copy.writeBytes(in, ranges[i], length);
      } else {
        copy.writeBytes(in, ranges[i], -length);
        copy.writeShort(CRLF);
      }
    }
    rangeCount = 0;
    return copy;
  }

  // ---- chunked bodies

  private boolean readChunkSize(ChannelHandlerContext ctx, ByteBuf in) {
    int start = in.readerIndex();
    int lf = in.indexOf(start, in.writerIndex(), LF);
    if (lf < 0) {
      if (in.readableBytes() > MAX_CHUNK_LINE) {
        fail(ctx, in, "a chunk size line over " + MAX_CHUNK_LINE + " bytes", false);
      }
      return false;
    }
    if (lf - start > MAX_CHUNK_LINE) {
      fail(ctx, in, "a chunk size line over " + MAX_CHUNK_LINE + " bytes", false);
      return false;
    }
    int end = lineEnd(in, start, lf);
    long size = 0;
    int digits = 0;
    int i = start;
    for (; i < end && digits <= 15; i++, digits++) {
      int digit = Character.digit(in.getByte(i), 16);
      if (digit < 0) {
        break;
      }
      size = size * 16 + digit;
    }
    if (digits == 0 || digits > 15 || (i < end && !isChunkSizeEnd(in.getByte(i)))) {
      fail(ctx, in, "a malformed chunk size", false);
      return false;
    }
    in.readerIndex(lf + 1);
    if (size == 0) {
      trailerBytes = 0;
      state = State.TRAILERS;
      return true;
    }
    if (body.readableBytes() + size > maxBody) {
      fail(ctx, in, "a body over " + maxBody + " bytes", true);
      return false;
    }
    remaining = size;
    state = State.CHUNK_DATA;
    return true;
  }

  private static boolean isChunkSizeEnd(byte b) {
    return b == ';' || b == ' ' || b == '\t';
  }

  /** Skips the trailer lines up to the empty line; false when more bytes are needed. */
  private boolean skipTrailers(ChannelHandlerContext ctx, ByteBuf in) {
    while (true) {
      int start = in.readerIndex();
      int lf = in.indexOf(start, in.writerIndex(), LF);
      if (lf < 0) {
        if (trailerBytes + in.readableBytes() > maxHead) {
          fail(ctx, in, "trailers over " + maxHead + " bytes", true);
        }
        return false;
      }
      trailerBytes += lf + 1 - start;
      if (trailerBytes > maxHead) {
        fail(ctx, in, "trailers over " + maxHead + " bytes", true);
        return false;
      }
      in.readerIndex(lf + 1);
      if (lineEnd(in, start, lf) == start) {
        return true;
      }
    }
  }

  // ---- field values

  /** The end of a line's content: before its CRLF, or its bare LF. */
  static int lineEnd(ByteBuf in, int start, int lf) {
    return lf > start && in.getByte(lf - 1) == CR ? lf - 1 : lf;
  }

  static int skipSpace(ByteBuf in, int from, int to) {
    while (from < to && (in.getByte(from) == ' ' || in.getByte(from) == '\t')) {
      from++;
    }
    return from;
  }

  static int trimSpace(ByteBuf in, int from, int to) {
    while (to > from && (in.getByte(to - 1) == ' ' || in.getByte(to - 1) == '\t')) {
      to--;
    }
    return to;
  }

  /**
   * A Content-Length value: digits, or a list of the same digits (RFC 9110, 8.6); -1 when it is not
   * that.
   */
  static long contentLength(ByteBuf in, int from, int to) {
    long value = -1;
    for (int i = from; i <= to; ) {
      int comma = in.indexOf(i, to, (byte) ',');
      int elementEnd = comma < 0 ? to : comma;
      int start = skipSpace(in, i, elementEnd);
      int end = trimSpace(in, start, elementEnd);
      if (start == end || end - start > 18) {
        return -1;
      }
      long element = 0;
      for (int j = start; j < end; j++) {
        byte b = in.getByte(j);
        if (b < '0' || b > '9') {
          return -1;
        }
        element = element * 10 + b - '0';
      }
      if (value >= 0 && element != value) {
        return -1;
      }
      value = element;
      i = elementEnd + 1;
    }
    return value;
  }

  /** Whether the last transfer coding of a Transfer-Encoding value is chunked. */
  static boolean lastCodingIsChunked(ByteBuf in, int from, int to) {
    int comma = from - 1;
    for (int i = from; i < to; i++) {
      if (in.getByte(i) == ',') {
        comma = i;
      }
    }
    int start = skipSpace(in, comma + 1, to);
    int end = trimSpace(in, start, to);
    return end - start == 7 && Headers.is(in, start, "chunked");
  }

  /** Connection options: bit 1 {@code close}, bit 2 {@code keep-alive}. */
  static int connectionOptions(ByteBuf in, int from, int to) {
    int options = 0;
    int i = from;
    while (i < to) {
      int comma = in.indexOf(i, to, (byte) ',');
      int tokenEnd = comma < 0 ? to : comma;
      int start = skipSpace(in, i, tokenEnd);
      int end = trimSpace(in, start, tokenEnd);
      if (end - start == 5 && Headers.is(in, start, "close")) {
        options |= CLOSE;
      } else if (end - start == 10 && Headers.is(in, start, "keep-alive")) {
        options |= KEEP_ALIVE;
      }
      i = tokenEnd + 1;
    }
    return options;
  }

  static final int CLOSE = 1;
  static final int KEEP_ALIVE = 2;
}
