package io.unitcell.router.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/** One keep-alive connection to a cell endpoint, carrying one request at a time. */
final class UpstreamConnection extends ChannelInboundHandlerAdapter {

  private final EndpointPool pool;
  private final CellResponseDecoder decoder;
  private Channel channel;
  private Exchange current;
  private long sentAt;
  private long idleSince = System.nanoTime();

  UpstreamConnection(EndpointPool pool, CellResponseDecoder decoder) {
    this.pool = pool;
    this.decoder = decoder;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    // before the connect listener runs (channelActive comes after it)
    channel = ctx.channel();
  }

  boolean isOpen() {
    return channel != null && channel.isActive();
  }

  long idleSince() {
    return idleSince;
  }

  void send(Exchange exchange) {
    current = exchange;
    sentAt = System.nanoTime();
    decoder.expectAnswerTo(exchange.isHead());
    exchange.writeUpstream(channel, pool.endpoint());
  }

  void close() {
    if (channel != null) {
      channel.close();
    }
  }

  void timeOutIfLate(long now, long budget) {
    Exchange exchange = current;
    if (exchange != null && now - sentAt > budget) {
      current = null;
      channel.close(); // the answer may still come; the connection cannot be reused
      exchange.onUpstreamFailure(pool.endpoint(), Exchange.Failure.TIMEOUT);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Exchange exchange = current;
    if (!(msg instanceof CellResponse response) || exchange == null) {
      if (msg instanceof CellResponse stray) {
        stray.release();
      } else {
        ReferenceCountUtil.release(msg);
      }
      return;
    }
    current = null;
    idleSince = System.nanoTime();
    if (response.reusable) {
      pool.release(this);
    } else {
      ctx.close();
    }
    exchange.onUpstreamResponse(pool.endpoint(), response);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    pool.closed(this);
    Exchange exchange = current;
    if (exchange != null) {
      current = null;
      exchange.onUpstreamFailure(pool.endpoint(), Exchange.Failure.BROKEN);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // channelInactive reports it to the exchange in flight
  }
}
